import { createHmac, randomBytes } from 'node:crypto';
import { AlgorithmUnsupportedError } from '@otplib/core';
import { generate, verify } from 'otplib';
import { describe, expect, it } from 'vitest';
import { KeyObjectHmacs } from '../../../src/adapters/crypto/key-object-hmacs.ts';

/** RFC 4226 appendix D: HMAC-SHA-1 of counter 0 under the ASCII secret "12345678901234567890". */
const rfcKey = new TextEncoder().encode('12345678901234567890');
const rfcCounterZeroHmac = 'cc93cf18508d94934c64b65d8ba7667fb7cde4b0';
const counterBytes = (counter: number) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(counter));
  return bytes;
};

/** Notes every key the plugin is handed, to see what otplib passes to one check's steps. */
class KeysHandedIn extends KeyObjectHmacs {
  readonly handedIn: Uint8Array[] = [];
  override hmac(...args: Parameters<KeyObjectHmacs['hmac']>): Uint8Array {
    this.handedIn.push(args[1]);
    return super.hmac(...args);
  }
}

describe('KeyObjectHmacs', () => {
  const hmacs = new KeyObjectHmacs();

  it('computes the RFC 4226 HMAC-SHA-1 of counter 0', () => {
    expect(Buffer.from(hmacs.hmac('sha1', rfcKey, counterBytes(0))).toString('hex')).toBe(rfcCounterZeroHmac);
  });

  it.each(['sha1', 'sha256', 'sha512'] as const)(
    'computes the same %s HMAC as node:crypto with the raw key',
    (algorithm) => {
      const key = randomBytes(32);
      const data = counterBytes(56_789_123);
      expect(Buffer.from(hmacs.hmac(algorithm, key, data))).toEqual(
        createHmac(algorithm, key).update(data).digest(),
      );
    },
  );

  it('gives each key its own HMAC, also when one key is used again after another', () => {
    const first = randomBytes(20);
    const second = randomBytes(20);
    const data = counterBytes(1);
    const firstHmac = Buffer.from(hmacs.hmac('sha1', first, data));
    expect(Buffer.from(hmacs.hmac('sha1', second, data))).not.toEqual(firstHmac);
    expect(Buffer.from(hmacs.hmac('sha1', first, data))).toEqual(firstHmac);
  });

  it('refuses a digest otplib does not support, as otplib own node plugin does', () => {
    expect(() => hmacs.hmac('md5' as 'sha1', rfcKey, counterBytes(0))).toThrow(AlgorithmUnsupportedError);
  });

  it('is handed the same decoded secret for every step one check tries, so one KeyObject serves them', async () => {
    const recording = new KeysHandedIn();
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    const epoch = 1_234_567_890;
    const nextStep = await generate({ secret, crypto: recording, epoch: epoch + 30 });
    recording.handedIn.length = 0;

    const result = await verify({ secret, token: nextStep, crypto: recording, epoch, epochTolerance: 30 });

    expect(result).toMatchObject({ valid: true, delta: 1 });
    expect(recording.handedIn).toHaveLength(3);
    expect(new Set(recording.handedIn).size).toBe(1);
  });
});
