import { generate, generateSecret, generateURI, verify } from 'otplib';
import type { Totp, TotpCheck } from '../../application/ports/totp.ts';

const stepSeconds = 30;
const sixAsciiDigits = /^[0-9]{6}$/;

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) over otplib, with a window of 0 or 1 step either side. */
export class OtplibTotp implements Totp {
  private readonly window: 0 | 1;
  private readonly issuer: string;

  constructor(options: { window: number; issuer: string }) {
    this.window = options.window === 0 ? 0 : 1;
    this.issuer = options.issuer;
  }

  generateSecret(): string {
    return generateSecret();
  }

  async check(secret: string, code: string, at: Date): Promise<TotpCheck> {
    // otplib throws on malformed tokens; anything but six ASCII digits is simply a wrong code.
    if (!sixAsciiDigits.test(code)) return { valid: false, timeStep: null };
    const epoch = Math.floor(at.getTime() / 1000);
    const result = await verify({ secret, token: code, epoch, epochTolerance: this.window * stepSeconds });
    if (!result.valid) return { valid: false, timeStep: null };
    return { valid: true, timeStep: Math.floor(epoch / stepSeconds) + result.delta };
  }

  generate(secret: string, at: Date): Promise<string> {
    return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
  }

  keyUri(secret: string, accountName: string): string {
    return generateURI({ issuer: this.issuer, label: accountName, secret });
  }
}
