/**
 * What auditors see of an event's data: everything but secrets, their ciphertext, password hashes and
 * recovery-code, temporary-code and device-token hashes, which are replaced by a note of what was there.
 */
export const redactForAudit = (data: unknown): Record<string, unknown> => {
  if (typeof data !== 'object' || data === null) return {};
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'passwordHash') shown.passwordChanged = true;
    else if (key === 'secret') shown.secret = '[encrypted, not shown]';
    else if (key === 'codeHashes') shown.recoveryCodesIssued = Array.isArray(value) ? value.length : 0;
    else if (key === 'codeHash') shown.recoveryCode = '[used, not shown]';
    else if (key === 'temporaryCodeHash') shown.temporaryCode = '[issued, not shown]';
    else if (key === 'tokenDigest') shown.deviceToken = '[in the browser only, not shown]';
    else shown[key] = value;
  }
  return shown;
};
