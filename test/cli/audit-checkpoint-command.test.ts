import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { Ed25519AuditSigner } from '../../src/adapters/crypto/ed25519-audit-signer.ts';
import { parseSecretKeys } from '../../src/adapters/crypto/keyring-file.ts';
import { eventHash } from '../../src/application/audit-chain/hash-chain.ts';
import { runCli } from '../support/run-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'second-factor-checkpoint-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const seed = () => randomBytes(32).toString('base64');
const k1 = `k1:${seed()}`;

/** A data directory with an office and two users, made with the CLI as an operator would. */
const populated = (name: string, signingKey = k1) => {
  const dataDir = join(root, name);
  const env = { AUDIT_SIGNING_KEY: signingKey };
  const cli = (args: string[], input?: string) =>
    runCli(dataDir, args, { env, ...(input === undefined ? {} : { input }) });
  const officeId =
    cli(['offices', 'create', '--name', `Office ${name}`])
      .stdout.trim()
      .split(' ')
      .at(-1) ?? '';
  for (const username of ['first', 'second'])
    cli(
      ['users', 'create', '--office', officeId, '--username', username, '--role', 'member'],
      'a long password\n',
    );
  return { dataDir, cli };
};

// Every test runs the CLI several times; each process takes seconds to start on a loaded machine.
describe('second-factor audit checkpoint and verify --checkpoint (SQLite)', { timeout: 90_000 }, () => {
  const { dataDir, cli } = populated('main');
  const checkpointFile = join(root, 'checkpoint-1.json');

  it('signs a checkpoint into a file that verifies against the intact history', () => {
    const made = cli(['audit', 'checkpoint', '--output', checkpointFile]);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/checkpoint at position \d+ \(\d+ events\) written to/);
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8'));
    expect(saved.checkpoint).toMatchObject({ kind: 'store', keyId: 'k1' });
    const verified = cli(['audit', 'verify', '--checkpoint', checkpointFile]);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain(
      `CHECKPOINT ${checkpointFile} (position ${saved.checkpoint.position}): intact`,
    );
  });

  it('a checkpoint of an older key still verifies after rotation; one signed by an unknown key fails', () => {
    const rotated = `k2:${seed()},${k1}`;
    const env = { AUDIT_SIGNING_KEY: rotated };
    const newer = join(root, 'checkpoint-k2.json');
    expect(runCli(dataDir, ['audit', 'checkpoint', '--output', newer], { env }).status).toBe(0);
    expect(JSON.parse(readFileSync(newer, 'utf8')).checkpoint.keyId).toBe('k2');
    const both = runCli(dataDir, ['audit', 'verify', '--checkpoint', checkpointFile, newer], { env });
    expect(both.status, both.stdout).toBe(0);
    expect(both.stdout.match(/: intact/g)).toHaveLength(2);
    const stranger = runCli(dataDir, ['audit', 'verify', '--checkpoint', newer], {
      env: { AUDIT_SIGNING_KEY: `k1:${seed()}` },
    });
    expect(stranger.status).toBe(3);
    expect(stranger.stdout).toContain(`CHECKPOINT FAILED ${newer}`);
    expect(stranger.stdout).toContain('unknown-key');
    // Once k1 left the ring, the saved public keys still verify what it signed.
    const keyFile = join(root, 'signing-key.json');
    const saved = new Ed25519AuditSigner(parseSecretKeys(rotated, 'AUDIT_SIGNING_KEY')).publicKeys();
    writeFileSync(keyFile, JSON.stringify({ keys: saved }));
    const withSaved = runCli(
      dataDir,
      ['audit', 'verify', '--checkpoint', checkpointFile, '--public-key', keyFile],
      {
        env: { AUDIT_SIGNING_KEY: `k3:${seed()}` },
      },
    );
    expect(withSaved.status, withSaved.stdout).toBe(0);
    expect(withSaved.stdout).toContain(': intact');
  });

  it('a checkpoint of another store fails as such', () => {
    const other = populated('other');
    const result = other.cli(['audit', 'verify', '--checkpoint', checkpointFile]);
    expect(result.status).toBe(3);
    expect(result.stdout).toMatch(/CHECKPOINT FAILED .*checkpoint-1\.json .*other-store/);
  });

  it('a rewritten history (re-hashed, so every chain still holds) fails the checkpoint with exit 3', () => {
    const copy = join(root, 'rewritten');
    cpSync(dataDir, copy, { recursive: true });
    const db = new DatabaseSync(join(copy, 'events.sqlite'));
    // Someone who can write the store makes the last registered user an auditor and computes the
    // stream's hash again, so its chain holds: the chains cannot tell, the checkpoint can.
    const row = db
      .prepare(
        "SELECT position, stream_id, revision, type, data, metadata FROM events WHERE type = 'UserRegistered' ORDER BY position DESC LIMIT 1",
      )
      .get() as {
      position: number;
      stream_id: string;
      revision: number;
      type: string;
      data: string;
      metadata: string;
    };
    const data = { ...JSON.parse(row.data), role: 'auditor' };
    const metadata = JSON.parse(row.metadata);
    metadata.hash = eventHash({
      streamId: row.stream_id,
      revision: row.revision,
      type: row.type,
      data,
      metadata,
    });
    db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(
      JSON.stringify(data),
      JSON.stringify(metadata),
      row.position,
    );
    db.close();
    const result = runCli(copy, ['audit', 'verify', '--checkpoint', checkpointFile], {
      env: { AUDIT_SIGNING_KEY: k1 },
    });
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('all chains intact');
    expect(result.stdout).toMatch(/CHECKPOINT FAILED .*checkpoint-1\.json .*rewritten/);
  });

  it('cutting off the newest events after a checkpoint fails it with exit 3, naming the checkpoint', () => {
    const { checkpoint } = JSON.parse(readFileSync(checkpointFile, 'utf8'));
    const db = new DatabaseSync(join(dataDir, 'events.sqlite'));
    // The checkpoint itself and the last two events it describes go: every chain left still holds.
    db.prepare('DELETE FROM events WHERE position > ?').run(checkpoint.position - 2);
    db.close();
    const result = cli(['audit', 'verify', '--checkpoint', checkpointFile]);
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('all chains intact');
    expect(result.stdout).toContain(
      `CHECKPOINT FAILED ${checkpointFile} (position ${checkpoint.position}): cut-off`,
    );
  });

  it('refuses checkpoint files without --checkpoint (exit 2)', () => {
    const result = cli(['audit', 'verify', checkpointFile]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('after --checkpoint');
    writeFileSync(join(root, 'garbage.json'), 'not json');
    const garbage = cli(['audit', 'verify', '--checkpoint', join(root, 'garbage.json')]);
    expect(garbage.status).toBe(3);
    expect(garbage.stdout).toContain('unreadable');
  });
});
