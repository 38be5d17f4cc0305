import { describe, expect, it } from 'vitest';
import { OtplibTotp } from '../../../src/adapters/crypto/otplib-totp.ts';
import type { TotpParameters } from '../../../src/domain/user-security/totp-parameters.ts';
import { independentCode, oracleName } from '../../support/independent-totp.ts';

/** RFC 6238 appendix B: SHA-1 with the ASCII secret "12345678901234567890", in base32. */
const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const stepSeconds = 30;

/** The last six digits of the RFC 6238 appendix B SHA-1 vectors. */
const rfcVectors: [seconds: number, code: string][] = [
  [59, '287082'],
  [1_111_111_109, '081804'],
  [1_111_111_111, '050471'],
  [1_234_567_890, '005924'],
  [2_000_000_000, '279037'],
  [20_000_000_000, '353130'],
];

const at = (seconds: number) => new Date(seconds * 1000);

/** The middle of the step that contains `seconds`, so ±1 step never crosses into a third step. */
const midStep = 1_234_567_890 - (1_234_567_890 % stepSeconds) + 15;

describe('OtplibTotp', () => {
  const totp = new OtplibTotp({ window: 1, issuer: 'Second Factor' });
  const strict = new OtplibTotp({ window: 0, issuer: 'Second Factor' });

  describe('S1 RFC 6238 test vectors (SHA-1, 6 digits, 30 s)', () => {
    it.each(rfcVectors)('generates the RFC code at T=%i', async (seconds, code) => {
      expect(await totp.generate(rfcSecret, at(seconds))).toBe(code);
    });

    it.each(rfcVectors)('accepts the RFC code at T=%i with its time step', async (seconds, code) => {
      expect(await strict.check(rfcSecret, code, at(seconds))).toEqual({
        valid: true,
        timeStep: Math.floor(seconds / stepSeconds),
      });
    });

    it('rejects a code that differs in one digit', async () => {
      expect(await strict.check(rfcSecret, '287083', at(59))).toEqual({ valid: false, timeStep: null });
    });
  });

  describe('S2 window', () => {
    const codeAtStepOffset = (offset: number) => totp.generate(rfcSecret, at(midStep + offset * stepSeconds));
    const currentStep = Math.floor(midStep / stepSeconds);

    it('with window 1 accepts the previous, current and next step and reports the matched step', async () => {
      for (const offset of [-1, 0, 1]) {
        const result = await totp.check(rfcSecret, await codeAtStepOffset(offset), at(midStep));
        expect(result).toEqual({ valid: true, timeStep: currentStep + offset });
      }
    });

    it('with window 1 rejects codes two or more steps away', async () => {
      for (const offset of [-3, -2, 2, 3]) {
        const result = await totp.check(rfcSecret, await codeAtStepOffset(offset), at(midStep));
        expect(result).toEqual({ valid: false, timeStep: null });
      }
    });

    it('with window 1 accepts the neighbouring steps at the very edges of a step', async () => {
      const stepStart = midStep - 15;
      const stepEnd = stepStart + stepSeconds - 1;
      for (const now of [stepStart, stepEnd]) {
        const step = Math.floor(now / stepSeconds);
        for (const offset of [-1, 1]) {
          const code = await totp.generate(rfcSecret, at((step + offset) * stepSeconds));
          expect(await totp.check(rfcSecret, code, at(now))).toEqual({
            valid: true,
            timeStep: step + offset,
          });
        }
        for (const offset of [-2, 2]) {
          const code = await totp.generate(rfcSecret, at((step + offset) * stepSeconds));
          expect((await totp.check(rfcSecret, code, at(now))).valid).toBe(false);
        }
      }
    });

    it('with window 0 accepts only the current step', async () => {
      expect(await strict.check(rfcSecret, await codeAtStepOffset(0), at(midStep))).toEqual({
        valid: true,
        timeStep: currentStep,
      });
      for (const offset of [-2, -1, 1, 2]) {
        const result = await strict.check(rfcSecret, await codeAtStepOffset(offset), at(midStep));
        expect(result).toEqual({ valid: false, timeStep: null });
      }
    });

    it('never widens the window beyond one step, whatever the setting', async () => {
      const wide = new OtplibTotp({ window: 5, issuer: 'Second Factor' });
      expect((await wide.check(rfcSecret, await codeAtStepOffset(1), at(midStep))).valid).toBe(true);
      expect((await wide.check(rfcSecret, await codeAtStepOffset(2), at(midStep))).valid).toBe(false);
      expect((await wide.check(rfcSecret, await codeAtStepOffset(-2), at(midStep))).valid).toBe(false);
    });

    it('accepts a code for the current wall-clock step of a fresh secret', async () => {
      const secret = totp.generateSecret();
      const now = new Date();
      const result = await totp.check(secret, await totp.generate(secret, now), now);
      expect(result).toEqual({ valid: true, timeStep: Math.floor(now.getTime() / 1000 / stepSeconds) });
    });
  });

  describe('S5 malformed codes', () => {
    const malformed = [
      ['empty', ''],
      ['5 digits', '28708'],
      ['7 digits', '2870820'],
      ['8-digit RFC code', '94287082'],
      ['letters', 'abcdef'],
      ['digits and letters', '28708a'],
      ['leading space', ' 287082'],
      ['trailing space', '287082 '],
      ['inner space', '287 082'],
      ['trailing newline', '287082\n'],
      ['full-width digits', '１２３４５６'],
      ['full-width copy of the right code', '２８７０８２'],
      ['Arabic-Indic digits', '٢٨٧٠٨٢'],
      ['signed', '+287082'],
      ['decimal', '28708.2'],
      ['very long', '2'.repeat(100_000)],
    ];

    it.each(malformed)('rejects %s without throwing', async (_label, code) => {
      await expect(totp.check(rfcSecret, code, at(59))).resolves.toEqual({ valid: false, timeStep: null });
    });
  });

  describe('secrets and URIs', () => {
    it('generates base32 secrets of at least 160 bits', () => {
      const secret = totp.generateSecret();
      expect(secret).toMatch(/^[A-Z2-7]+=*$/);
      expect(secret.replace(/=+$/, '').length * 5).toBeGreaterThanOrEqual(160);
    });

    it('generates a different secret each time', () => {
      const secrets = new Set(Array.from({ length: 50 }, () => totp.generateSecret()));
      expect(secrets.size).toBe(50);
    });

    it('builds an otpauth URI with the issuer, the account and the secret', () => {
      const uri = new URL(totp.keyUri(rfcSecret, 'alice@example.com'));
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.host).toBe('totp');
      expect(decodeURIComponent(uri.pathname)).toContain('alice@example.com');
      expect(uri.searchParams.get('issuer')).toBe('Second Factor');
      expect(uri.searchParams.get('secret')).toBe(rfcSecret);
      const label = decodeURIComponent(uri.pathname.replace(/^\//, ''));
      expect(label.startsWith('Second Factor:')).toBe(true);
    });

    it('keeps characters of the account name that need escaping inside the label', () => {
      const uri = new URL(totp.keyUri(rfcSecret, 'bob smith&co?x=1'));
      expect(decodeURIComponent(uri.pathname)).toContain('bob smith&co?x=1');
      expect(uri.searchParams.get('secret')).toBe(rfcSecret);
      expect(uri.searchParams.get('issuer')).toBe('Second Factor');
    });
  });

  describe(`imported parameters, against ${oracleName}`, () => {
    /** A 160-bit secret as another system would have handed it out. */
    const imported = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const parameterSets: TotpParameters[] = [
      { algorithm: 'SHA1', digits: 6, period: 30 },
      { algorithm: 'SHA256', digits: 8, period: 60 },
      { algorithm: 'SHA512', digits: 8, period: 30 },
      { algorithm: 'SHA1', digits: 6, period: 60 },
    ];
    const label = (p: TotpParameters) => `${p.algorithm}/${p.digits}/${p.period}`;

    it.each(parameterSets.map((p) => [label(p), p] as const))(
      '%s: accepts the independent code with the step of that period',
      async (_label, parameters) => {
        const now = at(1_700_000_000);
        const code = independentCode(imported, now, parameters);
        expect(code).toHaveLength(parameters.digits);
        expect(await strict.check(imported, code, now, parameters)).toEqual({
          valid: true,
          timeStep: Math.floor(1_700_000_000 / parameters.period),
        });
        expect(await totp.generate(imported, now, parameters)).toBe(code);
      },
    );

    it('SHA256/8/60: the window is one 60 s step either side, not 30 s', async () => {
      const parameters: TotpParameters = { algorithm: 'SHA256', digits: 8, period: 60 };
      const middle = 1_700_000_000 - (1_700_000_000 % 60) + 30;
      const step = middle / 60 - 0.5;
      for (const offset of [-1, 1]) {
        const code = independentCode(imported, at(middle + offset * 60), parameters);
        expect(await totp.check(imported, code, at(middle), parameters)).toEqual({
          valid: true,
          timeStep: step + offset,
        });
      }
      for (const offset of [-2, 2]) {
        const code = independentCode(imported, at(middle + offset * 60), parameters);
        expect((await totp.check(imported, code, at(middle), parameters)).valid).toBe(false);
      }
    });

    it('refuses a code computed with other parameters than the enrolment', async () => {
      const now = at(1_700_000_000);
      const sha1 = independentCode(imported, now, { algorithm: 'SHA1', digits: 8, period: 30 });
      const parameters: TotpParameters = { algorithm: 'SHA256', digits: 8, period: 30 };
      expect(await strict.check(imported, sha1, now, parameters)).toEqual({ valid: false, timeStep: null });
      const sixDigits = independentCode(imported, now, { ...parameters, digits: 6 });
      expect(await strict.check(imported, sixDigits, now, parameters)).toEqual({
        valid: false,
        timeStep: null,
      });
    });

    it('with 8 digits still answers malformed codes as wrong, never throws', async () => {
      const parameters: TotpParameters = { algorithm: 'SHA256', digits: 8, period: 60 };
      for (const code of ['', '1234567', '123456789', '1234567a', '１２３４５６７８']) {
        await expect(totp.check(imported, code, at(59), parameters)).resolves.toEqual({
          valid: false,
          timeStep: null,
        });
      }
    });
  });
});
