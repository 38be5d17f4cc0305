import type { DataKeyStore, StoredDataKey } from '../../application/ports/data-key-store.ts';

/** Data keys in a map: for tests, and a deployment that keeps nothing (every key dies with the process). */
export class MemoryDataKeyStore implements DataKeyStore {
  private readonly keys = new Map<string, StoredDataKey>();

  async find(subjectId: string): Promise<StoredDataKey | null> {
    return this.keys.get(subjectId) ?? null;
  }

  async create(subjectId: string, wrappedKey: string): Promise<StoredDataKey> {
    const existing = this.keys.get(subjectId);
    if (existing !== undefined) return existing;
    const created: StoredDataKey = { state: 'active', wrappedKey };
    this.keys.set(subjectId, created);
    return created;
  }

  async replace(subjectId: string, expectedWrappedKey: string, newWrappedKey: string): Promise<boolean> {
    const existing = this.keys.get(subjectId);
    if (existing?.state !== 'active' || existing.wrappedKey !== expectedWrappedKey) return false;
    this.keys.set(subjectId, { state: 'active', wrappedKey: newWrappedKey });
    return true;
  }

  async erase(subjectId: string, erasedAt: string): Promise<boolean> {
    const existing = this.keys.get(subjectId);
    if (existing?.state === 'erased') return false;
    this.keys.set(subjectId, { state: 'erased', erasedAt });
    return existing !== undefined;
  }

  async close(): Promise<void> {}
}
