import { randomUUID } from 'node:crypto';
import type { Ids } from '../../application/ports/ids.ts';

/** Random UUID v4 identifiers. */
export class UuidIds implements Ids {
  next(): string {
    return randomUUID();
  }
}
