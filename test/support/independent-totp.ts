import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { generateSync } from 'otplib';
import type { TotpParameters } from '../../src/domain/user-security/totp-parameters.ts';

const oathtool = ['/usr/bin/oathtool', '/usr/local/bin/oathtool'].find((path) => existsSync(path)) ?? null;

/** Which implementation computes the reference codes; oathtool is not our code, otplib is only the fallback. */
export const oracleName = oathtool === null ? 'otplib (oathtool missing)' : 'oathtool';
if (oathtool === null)
  console.warn(
    'oathtool is not installed (apt-get install -y oathtool): TOTP oracle tests fall back to otplib',
  );

/**
 * The code an authenticator with these parameters shows at `at`, computed by Debian's oathtool
 * (an independent RFC 6238 implementation) from the base32 secret.
 */
export const independentCode = (secret: string, at: Date, parameters: TotpParameters): string => {
  if (oathtool === null) {
    return generateSync({
      secret,
      algorithm: parameters.algorithm.toLowerCase() as 'sha1',
      digits: parameters.digits,
      period: parameters.period,
      epoch: Math.floor(at.getTime() / 1000),
    });
  }
  const args = [
    `--totp=${parameters.algorithm}`,
    '-d',
    String(parameters.digits),
    '-s',
    `${parameters.period}s`,
    '-b',
    '--now',
    `@${Math.floor(at.getTime() / 1000)}`,
    secret,
  ];
  return execFileSync(oathtool, args, { encoding: 'utf8' }).trim();
};
