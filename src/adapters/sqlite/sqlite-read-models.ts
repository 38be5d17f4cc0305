import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RecordedEvent } from '../../application/ports/event-store.ts';
import {
  type ApplyOutcome,
  type LoginLookup,
  type MemberView,
  type OfficePolicyView,
  type Page,
  type ProjectionTarget,
  type ReadModelOrigin,
  type ReadModels,
  type ReadModelsBuild,
  ReadModelsRebuildingError,
  ReadModelUnavailableError,
} from '../../application/ports/read-models.ts';
import { CheckpointWaiters } from '../../application/projections/checkpoint-waiters.ts';
import {
  type OfficeDocument,
  projectionVersion,
  toLoginView,
  type UserDocument,
} from '../../application/projections/documents.ts';
import { membersPage, memberView } from '../../application/projections/member-pages.ts';
import { documentOf, projectEvent } from '../../application/projections/project-event.ts';
import { inImmediateTransaction, openSqlite } from './open-sqlite.ts';

/**
 * Opens the read-model file like the event store opens its own (the shared opener: WAL, a full sync per
 * commit, so a checkpoint on disk never runs ahead of the documents it covers), creating the tables.
 */
export const openReadModelFile = (path: string): DatabaseSync =>
  openSqlite(path, {
    journalMode: 'wal',
    connectionPragmas: ['synchronous = FULL'],
    migrate: (db) => {
      db.exec(schema);
      // Files written before projection versions: their set counts as version 1 (and is rebuilt).
      const columns = db.prepare('PRAGMA table_info(origin)').all() as { name: string }[];
      if (!columns.some((column) => column.name === 'projection'))
        db.exec('ALTER TABLE origin ADD COLUMN projection INTEGER NOT NULL DEFAULT 1');
    },
  });

const schema = `
  CREATE TABLE IF NOT EXISTS origin (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    set_id     TEXT    NOT NULL,
    store_id   TEXT    NOT NULL,
    target     INTEGER NOT NULL,
    checkpoint INTEGER NOT NULL,
    serving    INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    projection INTEGER NOT NULL DEFAULT 1
  );
  CREATE TABLE IF NOT EXISTS users (
    user_id   TEXT PRIMARY KEY,
    office_id TEXT NOT NULL,
    document  TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS usernames (username TEXT PRIMARY KEY, user_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS offices (office_id TEXT PRIMARY KEY, document TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS members (
    office_id  TEXT NOT NULL,
    member_key TEXT NOT NULL,
    PRIMARY KEY (office_id, member_key)
  ) WITHOUT ROWID;
`;

type OriginRow = {
  set_id: string;
  store_id: string;
  target: number;
  checkpoint: number;
  serving: number;
  rejected: number;
  projection: number;
};

const statementsOf = (db: DatabaseSync) => ({
  origin: db.prepare(
    'SELECT set_id, store_id, target, checkpoint, serving, rejected, projection FROM origin',
  ),
  startOrigin: db.prepare(
    'INSERT OR REPLACE INTO origin (singleton, set_id, store_id, target, checkpoint, serving, rejected, projection) VALUES (1, ?, ?, ?, 0, 0, 0, ?)',
  ),
  moveCheckpoint: db.prepare('UPDATE origin SET checkpoint = ?'),
  reject: db.prepare('UPDATE origin SET serving = 0, rejected = 1 WHERE set_id = ?'),
  promote: db.prepare('UPDATE origin SET serving = 1 WHERE checkpoint >= target AND rejected = 0'),
  user: db.prepare('SELECT document FROM users WHERE user_id = ?'),
  office: db.prepare('SELECT document FROM offices WHERE office_id = ?'),
  offices: db.prepare('SELECT document FROM offices ORDER BY office_id'),
  putUser: db.prepare('INSERT OR REPLACE INTO users (user_id, office_id, document) VALUES (?, ?, ?)'),
  putOffice: db.prepare('INSERT OR REPLACE INTO offices (office_id, document) VALUES (?, ?)'),
  putUsername: db.prepare('INSERT OR REPLACE INTO usernames (username, user_id) VALUES (?, ?)'),
  putMember: db.prepare('INSERT OR IGNORE INTO members (office_id, member_key) VALUES (?, ?)'),
  eraseUser: db.prepare('DELETE FROM users WHERE user_id = ?'),
  eraseUsername: db.prepare('DELETE FROM usernames WHERE username = ? AND user_id = ?'),
  eraseMember: db.prepare('DELETE FROM members WHERE office_id = ? AND member_key = ?'),
  lookupByUser: db.prepare(
    'SELECT u.document AS user, o.document AS office FROM users u LEFT JOIN offices o ON o.office_id = u.office_id WHERE u.user_id = ?',
  ),
  lookupByUsername: db.prepare(
    `SELECT u.document AS user, o.document AS office FROM usernames n JOIN users u ON u.user_id = n.user_id
     LEFT JOIN offices o ON o.office_id = u.office_id WHERE n.username = ?`,
  ),
  members: db.prepare(
    'SELECT member_key FROM members WHERE office_id = ? AND member_key > ? ORDER BY member_key LIMIT ?',
  ),
});

const notServing = () =>
  new ReadModelsRebuildingError('The read models are being built from the event store.');

/**
 * The embedded read models in their own SQLite file: documents, indexes, checkpoint and the origin
 * (store id, target, serving) change in one transaction per batch, so a restart applies only what is
 * new. One set, rebuilt in place: while a build runs it serves nothing.
 */
export class SqliteReadModels implements ReadModels, ProjectionTarget {
  private readonly db: DatabaseSync;
  private readonly statements: Record<keyof ReturnType<typeof statementsOf>, StatementSync>;
  private readonly waiters = new CheckpointWaiters(async () => this.servingOrigin().checkpoint);

  constructor(path: string) {
    this.db = openReadModelFile(path);
    this.statements = statementsOf(this.db);
  }

  async apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome> {
    return this.applyBatch([event], previousPosition);
  }

  async applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome> {
    const last = events.at(-1);
    if (last === undefined) return 'skipped';
    const outcome = this.transaction((): ApplyOutcome => {
      const origin = this.originRow();
      const checkpoint = origin?.checkpoint ?? 0;
      if (last.position <= checkpoint) return 'skipped';
      // A set never started takes nothing: it is built from the start instead.
      if (checkpoint !== previousPosition || origin === undefined) return 'behind';
      for (const event of events) this.project(event);
      this.statements.moveCheckpoint.run(last.position);
      return 'applied';
    });
    if (outcome === 'applied') this.waiters.reached(last.position);
    return outcome;
  }

  private project(event: RecordedEvent): void {
    const ref = documentOf(event);
    const row =
      ref === null
        ? undefined
        : ((ref.kind === 'user' ? this.statements.user : this.statements.office).get(ref.id) as
            | { document: string }
            | undefined);
    const current = row === undefined ? null : (JSON.parse(row.document) as UserDocument | OfficeDocument);
    const change = projectEvent(event, current);
    if (change.kind === 'office')
      this.statements.putOffice.run(change.office.officeId, JSON.stringify(change.office));
    if (change.kind === 'user') {
      const { user } = change;
      this.statements.putUser.run(user.userId, user.officeId, JSON.stringify(user));
      if (change.newMember !== undefined) {
        this.statements.putUsername.run(change.newMember.username, user.userId);
        this.statements.putMember.run(change.newMember.officeId, change.newMember.memberKey);
      }
    }
    if (change.kind === 'user-erased') {
      this.statements.eraseUser.run(change.userId);
      this.statements.eraseUsername.run(change.username, change.userId);
      this.statements.eraseMember.run(change.officeId, change.memberKey);
    }
  }

  async checkpoint(): Promise<number> {
    return this.originRow()?.checkpoint ?? 0;
  }

  async origin(): Promise<ReadModelOrigin | null> {
    const row = this.originRow();
    return row === undefined
      ? null
      : {
          setId: row.set_id,
          storeId: row.store_id,
          target: row.target,
          checkpoint: row.checkpoint,
          serving: row.serving === 1,
          rejected: row.rejected === 1,
          projection: row.projection,
        };
  }

  async reject(setId: string): Promise<void> {
    this.statements.reject.run(setId);
  }

  async unfinishedBuild(): Promise<ReadModelsBuild | null> {
    const row = this.originRow();
    return row === undefined || row.serving === 1 || row.rejected === 1 ? null : this.build();
  }

  async startBuild(storeId: string, target: number): Promise<ReadModelsBuild> {
    this.transaction(() => {
      this.db.exec('DELETE FROM users; DELETE FROM usernames; DELETE FROM offices; DELETE FROM members;');
      this.statements.startOrigin.run(randomUUID(), storeId, target, projectionVersion);
    });
    return this.build();
  }

  private build(): ReadModelsBuild {
    return {
      apply: (event, previous) => this.apply(event, previous),
      applyBatch: (events, previous) => this.applyBatch(events, previous),
      checkpoint: () => this.checkpoint(),
      origin: () => this.origin(),
      promote: async () => {
        const promoted = Number(this.statements.promote.run().changes) > 0;
        if (promoted) this.waiters.reached(await this.checkpoint());
        return promoted;
      },
    };
  }

  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const reached = await this.waiters.waitFor(position, timeoutMs);
    this.servingOrigin();
    return reached;
  }

  async loginByUsername(username: string): Promise<LoginLookup | null> {
    this.servingOrigin();
    return this.lookup(this.statements.lookupByUsername.get(username));
  }

  async loginByUserId(userId: string): Promise<LoginLookup | null> {
    this.servingOrigin();
    return this.lookup(this.statements.lookupByUser.get(userId));
  }

  async officePolicy(officeId: string): Promise<OfficePolicyView | null> {
    this.servingOrigin();
    const row = this.statements.office.get(officeId) as { document: string } | undefined;
    return row === undefined ? null : (JSON.parse(row.document) as OfficePolicyView);
  }

  async offices(): Promise<OfficePolicyView[]> {
    this.servingOrigin();
    return (this.statements.offices.all() as { document: string }[]).map(
      (row) => JSON.parse(row.document) as OfficePolicyView,
    );
  }

  async officeMembers(
    officeId: string,
    page: { after: string | null; limit: number },
  ): Promise<Page<MemberView>> {
    this.servingOrigin();
    const after = page.after === null ? '' : Buffer.from(page.after, 'base64url').toString('utf8');
    const keys = (
      this.statements.members.all(officeId, after, page.limit + 1) as { member_key: string }[]
    ).map((row) => row.member_key);
    return membersPage(keys, page.limit, async (userIds) =>
      userIds.map((userId) => {
        const row = this.statements.user.get(userId) as { document: string } | undefined;
        return row === undefined ? null : memberView(JSON.parse(row.document) as UserDocument);
      }),
    );
  }

  async ping(): Promise<void> {
    try {
      this.originRow();
    } catch (error) {
      throw new ReadModelUnavailableError('The read-model file cannot be read.', { cause: error });
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private lookup(row: unknown): LoginLookup | null {
    if (row === undefined) return null;
    const { user, office } = row as { user: string; office: string | null };
    return {
      user: toLoginView(JSON.parse(user) as UserDocument),
      office: office === null ? null : (JSON.parse(office) as OfficePolicyView),
    };
  }

  private originRow(): OriginRow | undefined {
    return this.statements.origin.get() as OriginRow | undefined;
  }

  private servingOrigin(): OriginRow {
    const row = this.originRow();
    if (row?.serving !== 1) throw notServing();
    return row;
  }

  private transaction<T>(work: () => T): T {
    return inImmediateTransaction(this.db, work);
  }
}
