import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataKeyStore } from '../../src/application/ports/data-key-store.ts';

export type DataKeyStoreUnderTest = {
  store: DataKeyStore;
  /** A second handle on the same storage (another process would have one): for persistent adapters. */
  reopen?: () => Promise<DataKeyStore>;
  dispose?: () => Promise<void>;
};

let counter = 0;
const subject = () => `person:contract-${process.pid}-${Date.now()}-${counter++}`;
const erasedAt = '2026-11-26T12:00:00.000Z';

/** The behaviour every DataKeyStore adapter must show. */
export const dataKeyStoreContract = (
  name: string,
  open: () => Promise<DataKeyStoreUnderTest>,
  options: { persistent: boolean },
): void => {
  describe(`DataKeyStore contract: ${name}`, () => {
    let subjectUnderTest: DataKeyStoreUnderTest;
    let store: DataKeyStore;

    beforeAll(async () => {
      subjectUnderTest = await open();
      store = subjectUnderTest.store;
    });
    afterAll(async () => {
      await store?.close();
      await subjectUnderTest?.dispose?.();
    });

    it('knows no key for a subject that never had one', async () => {
      expect(await store.find(subject())).toBeNull();
    });

    it('keeps a created key and never replaces it', async () => {
      const id = subject();
      expect(await store.create(id, 'wrapped-1')).toEqual({ state: 'active', wrappedKey: 'wrapped-1' });
      expect(await store.create(id, 'wrapped-2')).toEqual({ state: 'active', wrappedKey: 'wrapped-1' });
      expect(await store.find(id)).toEqual({ state: 'active', wrappedKey: 'wrapped-1' });
    });

    it('gives every one of 20 racing creations the same winning key', async () => {
      const id = subject();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.create(id, `racer-${index}`)),
      );
      const winners = new Set(results.map((result) => (result.state === 'active' ? result.wrappedKey : '')));
      expect(winners.size).toBe(1);
      expect([...winners][0]).toMatch(/^racer-\d+$/);
      expect(await store.find(id)).toEqual(results[0]);
    });

    it('erases a key for good: it reads as erased and is never created again', async () => {
      const id = subject();
      await store.create(id, 'wrapped');
      expect(await store.erase(id, erasedAt)).toBe(true);
      expect(await store.find(id)).toMatchObject({ state: 'erased' });
      expect(await store.create(id, 'wrapped-again')).toMatchObject({ state: 'erased' });
      expect(await store.find(id)).toMatchObject({ state: 'erased' });
    });

    it('answers false to a second erasure, and to erasing a subject that had no key (which it blocks)', async () => {
      const id = subject();
      await store.create(id, 'wrapped');
      await store.erase(id, erasedAt);
      expect(await store.erase(id, erasedAt)).toBe(false);
      const neverKeyed = subject();
      expect(await store.erase(neverKeyed, erasedAt)).toBe(false);
      expect(await store.create(neverKeyed, 'late')).toMatchObject({ state: 'erased' });
    });

    it('replaces a key (a re-wrap) only while it is still the one the caller read', async () => {
      const id = subject();
      await store.create(id, 'wrapped-by-k1');
      expect(await store.replace(id, 'wrapped-by-k1', 'wrapped-by-k2')).toBe(true);
      expect(await store.find(id)).toEqual({ state: 'active', wrappedKey: 'wrapped-by-k2' });
      expect(await store.replace(id, 'wrapped-by-k1', 'wrapped-by-k3')).toBe(false);
      expect(await store.find(id)).toEqual({ state: 'active', wrappedKey: 'wrapped-by-k2' });
      expect(await store.create(id, 'late')).toEqual({ state: 'active', wrappedKey: 'wrapped-by-k2' });
    });

    it('replaces nothing for a subject with no key or an erased one', async () => {
      const [none, gone] = [subject(), subject()];
      expect(await store.replace(none, 'a', 'b')).toBe(false);
      expect(await store.find(none)).toBeNull();
      await store.create(gone, 'a');
      await store.erase(gone, erasedAt);
      expect(await store.replace(gone, 'a', 'b')).toBe(false);
      expect(await store.find(gone)).toMatchObject({ state: 'erased' });
    });

    it('erases one subject without touching another', async () => {
      const [kept, gone] = [subject(), subject()];
      await store.create(kept, 'kept');
      await store.create(gone, 'gone');
      await store.erase(gone, erasedAt);
      expect(await store.find(kept)).toEqual({ state: 'active', wrappedKey: 'kept' });
    });

    // Only a store that persists has a second handle on the same keys to compare with.
    if (options.persistent)
      it('shows keys and erasures made through one handle to another on the same storage', async () => {
        const reopen = subjectUnderTest.reopen;
        if (reopen === undefined) throw new Error(`${name} is persistent but gives no reopen()`);
        const other = await reopen();
        try {
          const [id, erasedId] = [subject(), subject()];
          await store.create(id, 'shared');
          await other.create(erasedId, 'to-erase');
          await store.erase(erasedId, erasedAt);
          expect(await other.find(id)).toEqual({ state: 'active', wrappedKey: 'shared' });
          expect(await other.find(erasedId)).toMatchObject({ state: 'erased' });
        } finally {
          await other.close();
        }
      });
  });
};
