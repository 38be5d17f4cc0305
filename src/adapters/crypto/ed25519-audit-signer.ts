import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditPublicKey, AuditSigner } from '../../application/ports/audit-signer.ts';
import { loadOrCreateKeys } from './keyring-file.ts';

const auditKeyFile = 'audit-signing-key';

/** PKCS#8 DER of an Ed25519 private key is this fixed prefix and then the 32-byte seed (RFC 8410). */
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

type SigningKey = { keyId: string; privateKey: KeyObject; publicKey: AuditPublicKey };

const fromSeed = (keyId: string, seed: Buffer): SigningKey => {
  const privateKey = createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  return {
    keyId,
    privateKey,
    publicKey: {
      keyId,
      algorithm: 'Ed25519',
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    },
  };
};

/** Ed25519 over node:crypto; the first key signs, every key listed verifies (rotation keeps old ones valid). */
export class Ed25519AuditSigner implements AuditSigner {
  private readonly keys: SigningKey[];

  constructor(keys: { id: string; key: Buffer }[]) {
    if (keys.length === 0) throw new Error('AUDIT_SIGNING_KEY: expected at least one id:base64seed');
    this.keys = keys.map(({ id, key }) => fromSeed(id, key));
  }

  get keyId(): string {
    return this.newest().keyId;
  }

  sign(message: string): string {
    return sign(null, Buffer.from(message), this.newest().privateKey).toString('base64');
  }

  publicKeys(): AuditPublicKey[] {
    return this.keys.map((key) => key.publicKey);
  }

  private newest(): SigningKey {
    const [first] = this.keys;
    if (first === undefined) throw new Error('no audit signing key');
    return first;
  }
}

/**
 * `AUDIT_SIGNING_KEY` (`id:base64seed,…`, 32-byte Ed25519 seeds, newest first), or, in the embedded
 * default where it is unset, a key generated once into `DATA_DIR/audit-signing-key` (mode 0600).
 */
export const loadOrCreateAuditSigner = (options: {
  signingKeys: string | undefined;
  dataDir: string;
  warn: (message: string) => void;
}): Ed25519AuditSigner =>
  new Ed25519AuditSigner(
    loadOrCreateKeys({
      variable: 'AUDIT_SIGNING_KEY',
      configured: options.signingKeys,
      dataDir: options.dataDir,
      fileName: auditKeyFile,
      firstKeyId: () => `audit-${randomBytes(4).toString('hex')}`,
      warn: options.warn,
    }),
  );

/** The public keys this installation verifies with, without generating a key where there is none. */
export const existingAuditPublicKeys = (options: {
  signingKeys: string | undefined;
  dataDir: string;
}): AuditPublicKey[] | null => {
  if (options.signingKeys === undefined && !existsSync(join(options.dataDir, 'audit-signing-key')))
    return null;
  return loadOrCreateAuditSigner({ ...options, warn: () => {} }).publicKeys();
};
