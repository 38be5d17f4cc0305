import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { existingAuditPublicKeys } from './adapters/crypto/ed25519-audit-signer.ts';
import { WebhookNotifier } from './adapters/notifications/webhook-notifier.ts';
import { connectRedis, type RedisClient, redisTopology } from './adapters/redis/connect-redis.ts';
import { verifyChains } from './application/audit-chain/verify-chain.ts';
import { verifyStoreCheckpoints } from './application/audit-chain/verify-checkpoints.ts';
import type { ApplicationDeps } from './application/dependencies.ts';
import type { DataKeyStore } from './application/ports/data-key-store.ts';
import type { EventStore } from './application/ports/event-store.ts';
import type { Notifier } from './application/ports/notifier.ts';
import type { DataKeyRotation, PersonalDataVault } from './application/ports/personal-data-vault.ts';
import { rewrapDataKeys } from './application/rewrap-data-keys.ts';
import type { UseCases } from './application/use-cases/index.ts';
import {
  AuditUsageError,
  auditUsage,
  checkpointCommand,
  describeChecks,
  parseVerifyArgs,
  readCheckpointFiles,
  readPublicKeys,
  verifyExportCommand,
} from './cli/audit-commands.ts';
import { ImportUsageError, importCommand, importUsage } from './cli/import-command.ts';
import { progressLine } from './cli/progress.ts';
import { createOffice, createUser, eraseUserCommand } from './cli/provisioning-commands.ts';
import { rebuildRedisReadModels } from './cli/rebuild-read-models.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { createLogger } from './config/logger.ts';
import { compose, loadEsdbDriver, tokens } from './main.ts';

const usage = `Usage: second-factor <command>

Commands:
  offices create --name <name>
            Register an office; prints its id.
  users create --office <id> --username <name> --role <member|office-admin|support|auditor>
            Register a user (the first office admin, support and auditor accounts); the password is
            read from stdin, or typed without echo on a terminal.
  users erase <user-id> --ticket <reference> --reason <text>
            Erase a user on request: their data key is deleted, so their username and TOTP secret in
            the history can no longer be read; the history itself stays whole and verifiable.
  keys rewrap
            After putting a new key first in SECRET_KEYS: wrap every data key with it, so that older
            keys can leave the ring (it lists any older key still needed by TOTP secrets written
            before data keys existed).
${importUsage.trimEnd()}
${auditUsage.trimEnd()}
  rebuild   Rebuild the Redis read models from the event store into a fresh generation and switch to it.
            (With in-memory read models there is nothing to rebuild: they are rebuilt at every start.)
`;

const rebuild = async (): Promise<number> => {
  const config = loadConfig();
  const topology = redisTopology(config);
  if (topology === null) {
    process.stderr.write(
      'rebuild: REDIS_URL is not set; in-memory read models are rebuilt at every start.\n',
    );
    return 2;
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const redis = await connectRedis(topology);
  const scope = compose(config, createLogger(config.LOG_LEVEL), redis, await loadEsdbDriver(config));
  const events = scope.resolve<EventStore>(tokens.eventStore);
  const progress = progressLine('rebuild');
  try {
    const outcome = await rebuildRedisReadModels(
      events,
      scope.resolve<RedisClient>(tokens.redis),
      config.REDIS_KEY_PREFIX,
      scope.resolve<PersonalDataVault>(tokens.vault),
      (p) => progress.update(p.position, p.total),
    );
    progress.finish(
      `${outcome.applied.toLocaleString('en')} events projected into generation ${outcome.generation}; ` +
        `generation ${outcome.replaced} replaced (${outcome.keysDropped} keys removed)`,
    );
    return 0;
  } finally {
    await events.close();
    redis.disconnect();
  }
};

const auditVerify = async (args: string[]): Promise<number> => {
  const { checkpoints, publicKeyFile } = parseVerifyArgs(args);
  const config = loadConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const scope = compose(config, createLogger(config.LOG_LEVEL), null, await loadEsdbDriver(config));
  const events = scope.resolve<EventStore>(tokens.eventStore);
  try {
    const head = await events.headPosition();
    const progress = progressLine('audit verify');
    const report = await verifyChains(events, {
      onProgress: (_checked, position) => progress.update(position, head),
    });
    progress.finish(
      `${report.eventsChecked.toLocaleString('en')} events in ${report.streamsChecked} streams checked`,
    );
    for (const link of report.broken) {
      process.stdout.write(
        `BROKEN ${link.streamId} at revision ${link.revision} (position ${link.position}): ${link.reason}\n`,
      );
    }
    process.stdout.write(
      report.broken.length === 0 ? 'all chains intact\n' : `${report.broken.length} broken stream(s)\n`,
    );
    if (checkpoints.length === 0) return report.broken.length === 0 ? 0 : 3;
    const keys =
      publicKeyFile === undefined
        ? scope.resolve<ApplicationDeps>(tokens.applicationDeps).auditSigner.publicKeys()
        : readPublicKeys(publicKeyFile);
    const checks = describeChecks(
      await verifyStoreCheckpoints(events, keys, readCheckpointFiles(checkpoints)),
    );
    process.stdout.write(`${checks.lines.join('\n')}\n`);
    return report.broken.length === 0 && !checks.failed ? 0 : 3;
  } finally {
    await events.close();
  }
};

const verifyExport = (args: string[]): number => {
  const config = loadConfig();
  const { output, exitCode } = verifyExportCommand(args, () => {
    const keys = existingAuditPublicKeys({ signingKeys: config.AUDIT_SIGNING_KEY, dataDir: config.DATA_DIR });
    if (keys === null)
      throw new AuditUsageError(
        'no audit signing key here: pass --public-key with the saved GET /v1/audit/signing-key',
      );
    return keys;
  });
  process.stdout.write(`${output}\n`);
  return exitCode;
};

const keysRewrap = async (): Promise<number> => {
  const config = loadConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const scope = compose(config, createLogger(config.LOG_LEVEL), null, await loadEsdbDriver(config));
  const events = scope.resolve<EventStore>(tokens.eventStore);
  try {
    const progress = progressLine('keys rewrap');
    const report = await rewrapDataKeys(
      events,
      scope.resolve<DataKeyRotation>(tokens.vault),
      (position, head) => progress.update(position, head),
    );
    const { rewrapped, current, erased, missing } = report.people;
    progress.finish(
      `data keys of ${rewrapped + current + erased + missing} users: ${rewrapped} re-wrapped with "${report.keyId}", ` +
        `${current} were already, ${erased} erased, ${missing} never made; service keys ${report.serviceKeys}`,
    );
    const older = Object.entries(report.keyringSecrets);
    process.stdout.write(
      older.length === 0
        ? `every data key is wrapped with "${report.keyId}": older keys can leave SECRET_KEYS\n`
        : `keep in SECRET_KEYS: ${older.map(([id, count]) => `"${id}" (${count} TOTP secrets written before data keys)`).join(', ')}\n`,
    );
    return 0;
  } finally {
    await events.close();
    await scope.resolve<DataKeyStore>(tokens.dataKeys).close();
  }
};

const provision = async (
  command: (useCases: UseCases, args: string[]) => Promise<string | { output: string; exitCode: number }>,
  args: string[],
) => {
  const config = loadConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const topology = redisTopology(config);
  const redis = topology === null ? null : await connectRedis(topology);
  const scope = compose(config, createLogger(config.LOG_LEVEL), redis, await loadEsdbDriver(config));
  const events = scope.resolve<EventStore>(tokens.eventStore);
  try {
    const result = await command(scope.resolve<UseCases>(tokens.useCases), args);
    const { output, exitCode } = typeof result === 'string' ? { output: result, exitCode: 0 } : result;
    process.stdout.write(`${output}\n`);
    return exitCode;
  } finally {
    await events.close();
    await scope.resolve<DataKeyStore>(tokens.dataKeys).close();
    const notifier = scope.resolve<Notifier>(tokens.deliveringNotifier);
    if (notifier instanceof WebhookNotifier) await notifier.drain();
    redis?.disconnect();
  }
};

export const runCli = async (args: string[]): Promise<number> => {
  const [command] = args;
  try {
    if (command === 'rebuild') return await rebuild();
    if (command === 'audit' && args[1] === 'verify') return await auditVerify(args.slice(2));
    if (command === 'audit' && args[1] === 'checkpoint')
      return await provision(checkpointCommand, args.slice(2));
    if (command === 'audit' && args[1] === 'verify-export') return verifyExport(args.slice(2));
    if (command === 'keys' && args[1] === 'rewrap') return await keysRewrap();
    if (command === 'offices' && args[1] === 'create') return await provision(createOffice, args.slice(2));
    if (command === 'users' && args[1] === 'create') return await provision(createUser, args.slice(2));
    if (command === 'import') return await provision(importCommand, args.slice(1));
    if (command === 'users' && args[1] === 'erase') return await provision(eraseUserCommand, args.slice(2));
    process.stdout.write(usage);
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  } catch (error) {
    if (error instanceof ImportUsageError || error instanceof AuditUsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
};

if (import.meta.main) process.exitCode = await runCli(process.argv.slice(2));
