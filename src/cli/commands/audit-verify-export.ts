import { readFileSync } from 'node:fs';
import { existingAuditPublicKeys } from '../../adapters/crypto/ed25519-audit-signer.ts';
import { verifyExport } from '../../application/audit-chain/verify-checkpoints.ts';
import { loadConfig } from '../../config/config.ts';
import { readPublicKeys } from '../checkpoint-files.ts';
import { type CliCommand, UsageError } from '../command.ts';

/** The service's own public keys, without opening its stores. */
const ownKeys = () => {
  const config = loadConfig();
  const keys = existingAuditPublicKeys({ signingKeys: config.AUDIT_SIGNING_KEY, dataDir: config.DATA_DIR });
  if (keys === null)
    throw new UsageError(
      'no audit signing key here: pass --public-key with the saved GET /v1/audit/signing-key',
    );
  return keys;
};

export const auditVerifyExport: CliCommand = {
  name: 'audit verify-export',
  synopsis: '<file> [--public-key <file>]',
  summary:
    "Check an NDJSON export offline against its closing signed checkpoint. The public keys are the saved answer of GET /v1/audit/signing-key, or else this service's own. Exits 3 when it fails.",
  options: { 'public-key': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }) => {
    const [file = ''] = positionals;
    const keyFile = values['public-key'];
    const keys = typeof keyFile === 'string' ? readPublicKeys(keyFile) : ownKeys();
    const { verdict, eventCount } = verifyExport(readFileSync(file), keys);
    const messages: Record<typeof verdict, string> = {
      intact: `${file}: intact, ${eventCount} events, signed checkpoint verified`,
      'no-checkpoint': `${file}: FAILED: its last line is not a signed export checkpoint (cut off?)`,
      'unknown-key': `${file}: FAILED: signed by a key that is not among the public keys`,
      'bad-signature': `${file}: FAILED: the checkpoint's signature does not match`,
      altered: `${file}: FAILED: the lines before the checkpoint are not the ones it signed`,
    };
    return {
      text: messages[verdict],
      json: { file, verdict, eventCount },
      exitCode: verdict === 'intact' ? 0 : 3,
    };
  },
};
