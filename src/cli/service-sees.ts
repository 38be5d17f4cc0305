import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';

export type Sighting = 'seen' | 'no-service' | 'not-yet' | 'other-service';

/**
 * Whether the service configured here (HOST, PORT) already knows a user the CLI just wrote: it asks the
 * platform's login-requirements check until it answers 200, for at most PROJECTION_WAIT_MS. A running
 * embedded service reads what other processes append every 250 ms.
 */
export const serviceSeesUser = async (
  config: Config,
  userId: string,
): Promise<{ sighting: Sighting; url: string }> => {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`;
  const key = config.PLATFORM_API_KEY ?? readKeyFile(config.DATA_DIR);
  if (key === null) return { sighting: 'no-service', url: base };
  const deadline = Date.now() + config.PROJECTION_WAIT_MS;
  for (;;) {
    let status: number;
    try {
      const response = await fetch(
        `${base}/v1/platform/users/${encodeURIComponent(userId)}/login-requirements`,
        {
          headers: { 'x-api-key': key },
          signal: AbortSignal.timeout(1000),
        },
      );
      status = response.status;
      await response.body?.cancel();
    } catch {
      return { sighting: 'no-service', url: base };
    }
    if (status === 200) return { sighting: 'seen', url: base };
    if (status === 401) return { sighting: 'other-service', url: base };
    if (Date.now() >= deadline) return { sighting: 'not-yet', url: base };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const readKeyFile = (dataDir: string): string | null => {
  try {
    return readFileSync(join(dataDir, 'platform-api-key'), 'utf8').trim();
  } catch {
    return null;
  }
};
