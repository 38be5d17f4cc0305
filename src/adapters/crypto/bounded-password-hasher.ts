import PQueue from 'p-queue';
import { type PasswordHasher, PasswordHashingBusyError } from '../../application/ports/password-hasher.ts';

export type PasswordHashLimits = {
  /** Hashes or verifications running at once. */
  concurrency: number;
  /** Calls that may wait for a turn; one more is refused at once. */
  queueLimit: number;
  /** How long a call may wait for its turn before it is refused. */
  queueTimeoutMs: number;
};

/** What the metrics see: the queue as it changes, and how long each started call waited. */
export type PasswordHashObserver = {
  queueChanged(waiting: number, running: number): void;
  started(waitedSeconds: number): void;
  refused(reason: 'queue-full' | 'deadline'): void;
};

const unobserved: PasswordHashObserver = { queueChanged() {}, started() {}, refused() {} };

/**
 * Runs at most `concurrency` argon2id calls at once, so a burst of logins cannot take every core from
 * the event loop that serves everything else. The rest wait in a bounded queue (first come, first
 * served) with a deadline; past either bound the call fails with PasswordHashingBusyError. Every call
 * (hash, verify, and the dummy verification for unknown usernames) takes the same queue, so a refusal
 * tells nothing about the username.
 */
export class BoundedPasswordHasher implements PasswordHasher {
  private readonly inner: PasswordHasher;
  private readonly limits: PasswordHashLimits;
  private readonly observer: PasswordHashObserver;
  private readonly queue: PQueue;
  private waiting = 0;
  private running = 0;
  /** The whole queue has started or been refused within the deadline, so there is room again by then. */
  private readonly retryAfterSeconds: number;

  constructor(
    inner: PasswordHasher,
    limits: PasswordHashLimits,
    observer: PasswordHashObserver = unobserved,
  ) {
    this.inner = inner;
    this.limits = limits;
    this.observer = observer;
    this.queue = new PQueue({ concurrency: limits.concurrency });
    this.retryAfterSeconds = Math.max(1, Math.ceil(limits.queueTimeoutMs / 1000));
  }

  hash(password: string): Promise<string> {
    return this.inTurn(() => this.inner.hash(password));
  }

  verify(phc: string, password: string): Promise<boolean> {
    return this.inTurn(() => this.inner.verify(phc, password));
  }

  verifyAgainstDummy(password: string): Promise<false> {
    return this.inTurn(() => this.inner.verifyAgainstDummy(password));
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency && this.waiting >= this.limits.queueLimit)
      throw this.refuse('queue-full');
    const arrived = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(this.refuse('deadline')), this.limits.queueTimeoutMs);
    this.changeQueue(1, 0);
    let started = false;
    try {
      return await this.queue.add(
        () => {
          // From here on the deadline is off: p-queue would otherwise free the slot of a running hash.
          clearTimeout(timer);
          started = true;
          this.changeQueue(-1, 1);
          this.observer.started((performance.now() - arrived) / 1000);
          return work().finally(() => this.changeQueue(0, -1));
        },
        { signal: deadline.signal },
      );
    } finally {
      clearTimeout(timer);
      if (!started) this.changeQueue(-1, 0);
    }
  }

  private refuse(reason: 'queue-full' | 'deadline'): PasswordHashingBusyError {
    this.observer.refused(reason);
    return new PasswordHashingBusyError(reason, this.retryAfterSeconds);
  }

  private changeQueue(waiting: number, running: number): void {
    this.waiting += waiting;
    this.running += running;
    this.observer.queueChanged(this.waiting, this.running);
  }
}

/**
 * argon2id runs on libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 unless set), which file system and
 * DNS work share: a bound that fills the pool makes those wait behind hashes.
 */
export const threadPoolWarning = (
  concurrency: number,
  env: Record<string, string | undefined> = process.env,
): string | null => {
  const size = Number(env.UV_THREADPOOL_SIZE ?? '') || 4;
  return concurrency < size
    ? null
    : `PASSWORD_HASH_CONCURRENCY=${concurrency} takes all ${size} threads of libuv's pool: file and DNS work waits behind password hashes; set UV_THREADPOOL_SIZE above it`;
};
