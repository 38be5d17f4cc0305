import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Signed, verifySignature } from '../../../../src/application/audit-chain/checkpoints.ts';
import { verifyExport } from '../../../../src/application/audit-chain/verify-checkpoints.ts';
import type { AuditPublicKey } from '../../../../src/application/ports/audit-signer.ts';
import { runCli } from '../../../support/run-cli.ts';
import { expectProblem, type RouteTestService, startRouteTestService } from './route-test-service.ts';

describe('audit checkpoint routes and the signed export', () => {
  let t: RouteTestService;
  let officeId: string;
  const tokens: Record<string, string> = {};
  const scratch = mkdtempSync(join(tmpdir(), 'second-factor-export-'));

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Checkpoint office');
    for (const role of ['member', 'office-admin', 'support', 'auditor']) {
      await t.createUser(officeId, `cp.${role}`, role);
      tokens[role] = await t.signIn(`cp.${role}`);
    }
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const publicKeys = async (): Promise<AuditPublicKey[]> => {
    const reply = await t.call('GET', '/v1/audit/signing-key');
    expect(reply.statusCode).toBe(200);
    return (reply.json() as { keys: AuditPublicKey[] }).keys;
  };

  it('GET /v1/audit/signing-key gives anyone the Ed25519 public keys in force (200)', async () => {
    const keys = await publicKeys();
    expect(keys).toEqual([
      {
        keyId: expect.stringMatching(/^audit-[0-9a-f]{8}$/),
        algorithm: 'Ed25519',
        publicKey: expect.any(String),
        pem: expect.stringContaining('BEGIN PUBLIC KEY'),
      },
    ]);
  });

  it('POST /v1/audit/checkpoints signs the history for an auditor (201); it verifies with the public key', async () => {
    const reply = await t.call('POST', '/v1/audit/checkpoints', { token: tokens.auditor });
    expect(reply.statusCode, reply.body).toBe(201);
    const body = reply.json() as Signed & { eventPosition: number };
    expect(body.checkpoint).toMatchObject({ kind: 'store', eventCount: body.eventPosition - 1 });
    expect(verifySignature(body, await publicKeys())).toBe('valid');
    const events = await t.call('GET', '/v1/audit/events?type=AuditCheckpointSigned', {
      token: tokens.auditor,
    });
    expect(events.json()).toMatchObject({
      items: [{ type: 'AuditCheckpointSigned', actor: { role: 'auditor' } }],
    });
  });

  it('POST /v1/audit/checkpoints is for auditors only (401 without a session or with the API key, 403 for other roles)', async () => {
    expectProblem(await t.call('POST', '/v1/audit/checkpoints'), 401, 'unauthenticated');
    expectProblem(await t.platform('POST', '/v1/audit/checkpoints'), 401, 'unauthenticated');
    for (const role of ['member', 'office-admin', 'support'])
      expectProblem(
        await t.call('POST', '/v1/audit/checkpoints', { token: tokens[role] }),
        403,
        'not-permitted',
      );
  });

  describe('the export ends with a signed checkpoint over exactly its lines', () => {
    let exported: Buffer;
    let keys: AuditPublicKey[];

    beforeAll(async () => {
      const reply = await t.call('GET', `/v1/audit/events/export?officeId=${officeId}`, {
        token: tokens.auditor,
      });
      expect(reply.statusCode).toBe(200);
      exported = reply.rawPayload;
      keys = await publicKeys();
    });
    const lines = () => exported.toString('utf8').trimEnd().split('\n');
    const joined = (parts: string[]) => Buffer.from(`${parts.join('\n')}\n`);

    it('verifies as it came', () => {
      expect(verifyExport(exported, keys)).toEqual({ verdict: 'intact', eventCount: lines().length - 1 });
      expect(lines().length).toBeGreaterThan(4);
    });

    it('fails when a line is changed, removed, added, reordered, or the checkpoint is cut off', () => {
      const all = lines();
      const events = all.slice(0, -1);
      const checkpoint = all.at(-1) ?? '';
      const changed = [events[0]?.replace('"type":"', '"type":"X'), ...events.slice(1)];
      expect(verifyExport(joined([...changed, checkpoint] as string[]), keys).verdict).toBe('altered');
      expect(verifyExport(joined([...events.slice(1), checkpoint]), keys).verdict).toBe('altered');
      expect(verifyExport(joined([...events, events[0] ?? '', checkpoint]), keys).verdict).toBe('altered');
      expect(verifyExport(joined([...events].reverse().concat(checkpoint)), keys).verdict).toBe('altered');
      expect(verifyExport(joined(events), keys).verdict).toBe('no-checkpoint');
      const recounted = checkpoint.replace(/"eventCount":\d+/, `"eventCount":${events.length - 1}`);
      expect(verifyExport(joined([...events.slice(1), recounted]), keys).verdict).toBe('bad-signature');
      expect(
        verifyExport(exported, [{ ...(keys[0] as AuditPublicKey), keyId: 'someone-else' }]).verdict,
      ).toBe('unknown-key');
    });

    it('second-factor audit verify-export checks it offline with the saved public key (exit 0, tampered: exit 3)', async () => {
      const keyFile = join(scratch, 'signing-key.json');
      writeFileSync(keyFile, (await t.call('GET', '/v1/audit/signing-key')).body);
      const intactFile = join(scratch, 'export.ndjson');
      writeFileSync(intactFile, exported);
      const emptyDataDir = join(scratch, 'no-service-here');
      const ok = runCli(emptyDataDir, ['audit', 'verify-export', intactFile, '--public-key', keyFile]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('intact');
      const tamperedFile = join(scratch, 'tampered.ndjson');
      writeFileSync(tamperedFile, joined([...lines().slice(1)]));
      const bad = runCli(emptyDataDir, ['audit', 'verify-export', tamperedFile, '--public-key', keyFile]);
      expect(bad.status).toBe(3);
      expect(bad.stdout).toContain('FAILED');
      const noKey = runCli(emptyDataDir, ['audit', 'verify-export', intactFile]);
      expect(noKey.status).toBe(2);
      expect(noKey.stderr).toContain('--public-key');
      // Three CLI processes, each taking seconds to start on a loaded machine.
    }, 60_000);
  });
});
