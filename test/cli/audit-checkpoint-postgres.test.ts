import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  noPostgresReason,
  type PrivateDatabase,
  postgresAnswers,
  privateDatabase,
  sql,
} from '../support/postgres.ts';
import { runCli } from '../support/run-cli.ts';

if (!postgresAnswers) console.warn(`Audit checkpoints on PostgreSQL ${noPostgresReason}`);

const seed = () => randomBytes(32).toString('base64');

// Every test runs the CLI several times; each process takes seconds to start on a loaded machine.
describe.skipIf(!postgresAnswers)(
  'second-factor audit checkpoint and verify --checkpoint (PostgreSQL)',
  { timeout: 120_000 },
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-checkpoint-pg-'));
    const checkpointFile = join(dataDir, 'checkpoint.json');
    let database: PrivateDatabase;
    const env = () => ({
      DATABASE_URL: database.url,
      EVENTSTORE_URL: '',
      SECRET_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      AUDIT_SIGNING_KEY: `a1:${seed()}`,
    });
    let signingEnv: Record<string, string>;
    const cli = (args: string[], input?: string) =>
      runCli(dataDir, args, { env: signingEnv, ...(input === undefined ? {} : { input }) });
    const createUser = (officeId: string, username: string) =>
      cli(
        ['users', 'create', '--office', officeId, '--username', username, '--role', 'member'],
        'a long password\n',
      );

    beforeAll(async () => {
      database = await privateDatabase('checkpoint_cli');
      signingEnv = env();
    });
    afterAll(async () => {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('a checkpoint verifies against the history, also after more events came', () => {
      const office = cli(['offices', 'create', '--name', 'Kantoor Brugge']);
      expect(office.status, office.stderr).toBe(0);
      const officeId = office.stdout.trim().split(' ').at(-1) ?? '';
      for (const username of ['first', 'second']) expect(createUser(officeId, username).status).toBe(0);
      const made = cli(['audit', 'checkpoint', '--output', checkpointFile]);
      expect(made.status, made.stderr).toBe(0);
      expect(createUser(officeId, 'third').status).toBe(0);
      const verified = cli(['audit', 'verify', '--checkpoint', checkpointFile]);
      expect(verified.status, verified.stdout + verified.stderr).toBe(0);
      const { checkpoint } = JSON.parse(readFileSync(checkpointFile, 'utf8'));
      expect(verified.stdout).toContain(
        `CHECKPOINT ${checkpointFile} (position ${checkpoint.position}): intact`,
      );
    });

    it('cutting off the newest events fails the checkpoint with exit 3, naming it, whether or not the head row is moved back', async () => {
      const { checkpoint } = JSON.parse(readFileSync(checkpointFile, 'utf8'));
      // The last two events the checkpoint describes go, and all after them: every chain left holds.
      await sql(database.url, 'DELETE FROM events WHERE position > $1', [checkpoint.position - 2]);
      const expected = `CHECKPOINT FAILED ${checkpointFile} (position ${checkpoint.position}): cut-off`;
      const cut = cli(['audit', 'verify', '--checkpoint', checkpointFile]);
      expect(cut.status, cut.stdout + cut.stderr).toBe(3);
      expect(cut.stdout).toContain('all chains intact');
      expect(cut.stdout).toContain(expected);
      // A careful intruder also moves the head back, so that new appends leave no gap.
      await sql(database.url, 'UPDATE all_head SET position = (SELECT max(position) FROM events)');
      const covered = cli(['audit', 'verify', '--checkpoint', checkpointFile]);
      expect(covered.status, covered.stdout + covered.stderr).toBe(3);
      expect(covered.stdout).toContain(expected);
    });

    it('new events appended over the cut do not make the checkpoint whole again', async () => {
      const { checkpoint } = JSON.parse(readFileSync(checkpointFile, 'utf8'));
      const [{ office_id: officeId } = { office_id: '' }] = await sql<{ office_id: string }>(
        database.url,
        "SELECT data->>'officeId' AS office_id FROM events WHERE type = 'OfficeRegistered'",
      );
      for (const username of ['fourth', 'fifth', 'sixth'])
        expect(createUser(officeId, username).status).toBe(0);
      const result = cli(['audit', 'verify', '--checkpoint', checkpointFile]);
      expect(result.status).toBe(3);
      expect(result.stdout).toContain('all chains intact');
      expect(result.stdout).toContain(
        `CHECKPOINT FAILED ${checkpointFile} (position ${checkpoint.position}): rewritten`,
      );
    });
  },
);
