import { generate, generateSecret, generateURI, verify } from 'otplib';
import type { Totp, TotpCheck } from '../../application/ports/totp.ts';
import { defaultTotpParameters, type TotpParameters } from '../../domain/user-security/totp-parameters.ts';
import { keyObjectHmacs } from './key-object-hmacs.ts';

const asciiDigits = { 6: /^[0-9]{6}$/, 8: /^[0-9]{8}$/ } as const;

// HMACs by node:crypto (OpenSSL) rather than otplib's default JavaScript ones: a code check is on every login.
const otplibOptions = (secret: string, parameters: TotpParameters) => ({
  secret,
  crypto: keyObjectHmacs,
  algorithm: parameters.algorithm.toLowerCase() as 'sha1' | 'sha256' | 'sha512',
  digits: parameters.digits,
  period: parameters.period,
});

/** RFC 6238 TOTP over otplib (SHA-1/256/512, 6 or 8 digits, 30 or 60 s), with a window of 0 or 1 step either side. */
export class OtplibTotp implements Totp {
  private readonly window: 0 | 1;
  private readonly issuer: string;

  constructor(options: { window: number; issuer: string }) {
    this.window = options.window === 0 ? 0 : 1;
    this.issuer = options.issuer;
  }

  generateSecret(): string {
    return generateSecret({ crypto: keyObjectHmacs });
  }

  async check(
    secret: string,
    code: string,
    at: Date,
    parameters: TotpParameters = defaultTotpParameters,
  ): Promise<TotpCheck> {
    // otplib throws on malformed tokens; anything but the expected number of ASCII digits is simply wrong.
    if (!asciiDigits[parameters.digits].test(code)) return { valid: false, timeStep: null };
    const epoch = Math.floor(at.getTime() / 1000);
    const result = await verify({
      ...otplibOptions(secret, parameters),
      token: code,
      epoch,
      epochTolerance: this.window * parameters.period,
    });
    if (!result.valid) return { valid: false, timeStep: null };
    return { valid: true, timeStep: Math.floor(epoch / parameters.period) + result.delta };
  }

  generate(secret: string, at: Date, parameters: TotpParameters = defaultTotpParameters): Promise<string> {
    return generate({ ...otplibOptions(secret, parameters), epoch: Math.floor(at.getTime() / 1000) });
  }

  keyUri(secret: string, accountName: string): string {
    return generateURI({ issuer: this.issuer, label: accountName, secret });
  }
}
