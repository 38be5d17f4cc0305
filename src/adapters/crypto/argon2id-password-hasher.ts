import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../application/ports/password-hasher.ts';

export type Argon2Cost = { memoryKiB: number; passes: number; parallelism: number };

/** OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const owaspArgon2Cost: Argon2Cost = { memoryKiB: 19_456, passes: 2, parallelism: 1 };

const tagLength = 32;
/** A stored hash may not make one login use more than this (hashes are ours, but the bound is cheap). */
const maxMemoryKiB = 256 * 1024;
const phcPattern =
  /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

const derive = (password: string, salt: Buffer, cost: Argon2Cost, length: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: password,
        nonce: salt,
        parallelism: cost.parallelism,
        tagLength: length,
        memory: cost.memoryKiB,
        passes: cost.passes,
      },
      (error, derived) => (error ? reject(error) : resolve(derived)),
    );
  });

/** argon2id from Node's crypto, stored as PHC strings whose own parameters are used to verify. */
export class Argon2idPasswordHasher implements PasswordHasher {
  private readonly cost: Argon2Cost;
  private readonly dummy: Promise<string>;

  constructor(cost: Argon2Cost = owaspArgon2Cost) {
    this.cost = cost;
    this.dummy = this.hash(randomBytes(16).toString('hex'));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const derived = await derive(password, salt, this.cost, tagLength);
    const { memoryKiB, passes, parallelism } = this.cost;
    return `$argon2id$v=19$m=${memoryKiB},t=${passes},p=${parallelism}$${b64(salt)}$${b64(derived)}`;
  }

  async verify(phc: string, password: string): Promise<boolean> {
    const match = phcPattern.exec(phc);
    if (match === null) return false;
    const [, memory, passes, parallelism, salt, expected] = match;
    const expectedBytes = Buffer.from(expected!, 'base64');
    const cost = { memoryKiB: Number(memory), passes: Number(passes), parallelism: Number(parallelism) };
    if (cost.memoryKiB > maxMemoryKiB || cost.passes > 10) return false;
    // Parameters out of argon2's range (m < 8p, t = 0, p = 0) make a malformed hash: a mismatch.
    const derived = await derive(password, Buffer.from(salt!, 'base64'), cost, expectedBytes.length).catch(
      () => null,
    );
    return derived !== null && timingSafeEqual(derived, expectedBytes);
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    await this.verify(await this.dummy, password);
    return false;
  }
}
