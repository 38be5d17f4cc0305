import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Ed25519AuditSigner,
  existingAuditPublicKeys,
  loadOrCreateAuditSigner,
} from '../../../src/adapters/crypto/ed25519-audit-signer.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-signer-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('Ed25519 audit signer', () => {
  it('signs with the first key; the PEM public key verifies it with any Ed25519 implementation', () => {
    const signer = new Ed25519AuditSigner([
      { id: 'new', key: randomBytes(32) },
      { id: 'old', key: randomBytes(32) },
    ]);
    expect(signer.keyId).toBe('new');
    const signature = Buffer.from(signer.sign('checkpoint bytes'), 'base64');
    expect(signature).toHaveLength(64);
    const [newest, older] = signer.publicKeys();
    expect(verify(null, Buffer.from('checkpoint bytes'), createPublicKey(newest?.pem ?? ''), signature)).toBe(
      true,
    );
    expect(verify(null, Buffer.from('checkpoint bytes'), createPublicKey(older?.pem ?? ''), signature)).toBe(
      false,
    );
  });

  it('generates one key into DATA_DIR (mode 0600) in embedded use and keeps using it', () => {
    expect(existingAuditPublicKeys({ signingKeys: undefined, dataDir })).toBeNull();
    const warnings: string[] = [];
    const first = loadOrCreateAuditSigner({ signingKeys: undefined, dataDir, warn: (m) => warnings.push(m) });
    const again = loadOrCreateAuditSigner({ signingKeys: undefined, dataDir, warn: () => {} });
    expect(again.publicKeys()).toEqual(first.publicKeys());
    expect(existingAuditPublicKeys({ signingKeys: undefined, dataDir })).toEqual(first.publicKeys());
    expect(statSync(join(dataDir, 'audit-signing-key')).mode & 0o777).toBe(0o600);
    expect(warnings[0]).toMatch(/AUDIT_SIGNING_KEY is not set/);
  });

  it('names AUDIT_SIGNING_KEY, never its value, when an entry is malformed', () => {
    const seed = randomBytes(16).toString('base64');
    const load = () => loadOrCreateAuditSigner({ signingKeys: `k1:${seed}`, dataDir, warn: () => {} });
    expect(load).toThrow(/^AUDIT_SIGNING_KEY entry 1 \("k1"\): the key must be 32 bytes/);
    try {
      load();
    } catch (error) {
      expect(String(error)).not.toContain(seed);
    }
  });
});
