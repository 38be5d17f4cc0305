import { LRUCache } from 'lru-cache';
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
import { coalesceThisTurn, LuaScript, type RedisClient } from './connect-redis.ts';
import { currentGeneration, dropGeneration, generationKey, readModelBase } from './generations.ts';
import {
  applyBatchScript,
  loginLookupScript,
  membersPageScript,
  officesScript,
  promoteScript,
  readDocumentsScript,
  rebuildingReply,
  rejectScript,
  startBuildScript,
} from './read-model-scripts.ts';

const loginLookup = new LuaScript(loginLookupScript);
const applyBatch = new LuaScript(applyBatchScript);
const readDocuments = new LuaScript(readDocumentsScript);
const membersOfOffice = new LuaScript(membersPageScript);
const startBuild = new LuaScript(startBuildScript);
const allOffices = new LuaScript(officesScript);
const promote = new LuaScript(promoteScript);
const reject = new LuaScript(rejectScript);

/** readDocuments answers these seven first, then the documents asked for. */
type GenerationHeader = [
  generation: string,
  checkpoint: string,
  origin: string,
  target: string,
  serving: string,
  rejected: string,
  projection: string,
];
const headerLength = 7;

const originOf = ([
  generation,
  checkpoint,
  origin,
  target,
  serving,
  rejected,
  projection,
]: GenerationHeader): ReadModelOrigin | null =>
  origin === ''
    ? null
    : {
        setId: generation,
        storeId: origin,
        target: Number(target),
        checkpoint: Number(checkpoint),
        serving: serving !== '',
        rejected: rejected !== '',
        projection: projection === '' ? 1 : Number(projection),
      };

const notServing = () =>
  new ReadModelsRebuildingError('The read models are being built from the event store.');

export type RedisReadModelsOptions = {
  /** Key prefix shared by every instance of one deployment, e.g. `sf:`. */
  prefix: string;
  /** Write and read one generation instead of the current one (used by a rebuild). */
  generation?: number;
};

const documentKey = (event: RecordedEvent): string | null => {
  const ref = documentOf(event);
  return ref === null ? null : `${ref.kind}:${ref.id}`;
};

/**
 * The newest documents a build this process started from nothing wrote: while every batch of it is
 * applied in turn, nobody else wrote into its generation (a batch of anyone else would have moved the
 * checkpoint, and the next batch of ours would fail), so these are what Redis holds. Forgotten at the
 * first batch that is not applied.
 */
type OwnWrites = LRUCache<string, UserDocument | OfficeDocument>;
const ownWritesOfNewBuild = (): OwnWrites => new LRUCache({ max: 2_000 });

/** An event whose document is the same whatever was there before: its document need not be read. */
const makesDocumentAnew = (event: RecordedEvent): boolean =>
  event.type === 'OfficeRegistered' ||
  (event.type === 'UserRegistered' && typeof (event.data as { username?: unknown }).username === 'string');

/** The documents a batch touches, and those of them it needs as they are now (not made anew, not known). */
const documentsToRead = (events: RecordedEvent[], known: OwnWrites | null) => {
  const keys = new Set<string>();
  const toRead: string[] = [];
  for (const event of events) {
    const key = documentKey(event);
    if (key === null || keys.has(key)) continue;
    keys.add(key);
    if (!makesDocumentAnew(event) && known?.has(key) !== true) toRead.push(key);
  }
  return { keys: [...keys], toRead };
};

const refusalOf = (error: unknown): never => {
  if (error instanceof Error && error.message.startsWith(rebuildingReply)) throw notServing();
  throw new ReadModelUnavailableError('The read models (Redis) cannot be reached.', { cause: error });
};

/** Read models in Redis: one round trip per login lookup, checkpoint moved in the same script as the data. */
export class RedisReadModels implements ReadModels, ProjectionTarget {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  /** `<prefix>{rm}:`, and the generation key under it (KEYS[1] of every script, for Cluster routing). */
  private readonly base: string;
  private readonly generationKey: string;
  private readonly generation: string;
  private readonly waiters = new CheckpointWaiters(() => this.servingCheckpoint());
  private ownWrites: OwnWrites | null = null;
  /** Settles once the batch last handed in was sent (or refused): the next one is projected after it. */
  private batchSent: Promise<void> = Promise.resolve();

  constructor(redis: RedisClient, options: RedisReadModelsOptions) {
    this.redis = redis;
    this.prefix = options.prefix;
    this.base = readModelBase(options.prefix);
    this.generationKey = generationKey(options.prefix);
    this.generation = options.generation === undefined ? '' : String(options.generation);
  }

  apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome> {
    return this.applyBatch([event], previousPosition);
  }

  /**
   * Two round trips per batch: read the documents it touches, write every change and the checkpoint.
   * Documents an event makes anew are not read; a build started here skips the read altogether when it
   * knows every other document touched (see OwnWrites). A batch handed in while the one before is in
   * flight is projected once that one was sent, on its documents, and sent behind it on the same
   * connection: Redis runs them in turn, and refuses the second when the first did not move the checkpoint.
   */
  async applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome> {
    const before = this.batchSent;
    let sent = () => {};
    this.batchSent = new Promise((resolve) => {
      sent = resolve;
    });
    let outcome: ApplyOutcome | null = null;
    try {
      await before;
      outcome = await this.projectAndSend(events, previousPosition, sent);
      return outcome;
    } finally {
      sent();
      // Someone else wrote (or may have): what this build wrote is no longer known to be what Redis holds.
      if (outcome !== 'applied') this.ownWrites = null;
    }
  }

  private async projectAndSend(
    events: RecordedEvent[],
    previousPosition: number,
    sent: () => void,
  ): Promise<ApplyOutcome> {
    const last = events.at(-1);
    if (last === undefined) return 'skipped';
    const own = this.ownWrites;
    const { keys, toRead } = documentsToRead(events, own);
    const current = new Map<string, UserDocument | OfficeDocument | null>(
      keys.map((key) => [key, own?.get(key) ?? null]),
    );
    let generation = this.generation;
    if (own === null || toRead.length > 0) {
      const reply = (await this.run(readDocuments, toRead)) as string[];
      const [readGeneration, checkpoint] = reply;
      const documents = reply.slice(headerLength);
      if (last.position <= Number(checkpoint)) return 'skipped';
      if (Number(checkpoint) !== previousPosition) return 'behind';
      generation = readGeneration ?? '';
      for (const [index, key] of toRead.entries()) {
        const json = documents[index] ?? '';
        current.set(key, json === '' ? null : JSON.parse(json));
      }
    }
    const changed = new Map<string, UserDocument | OfficeDocument>();
    const members: string[] = [];
    const erasures: string[] = [];
    for (const event of events) {
      const key = documentKey(event);
      const change = projectEvent(event, key === null ? null : (current.get(key) ?? null));
      if (change.kind === 'none') continue;
      if (change.kind === 'user-erased') {
        current.set(`user:${change.userId}`, null);
        changed.delete(`user:${change.userId}`);
        erasures.push(change.userId, change.username, change.officeId, change.memberKey);
        continue;
      }
      const document = change.kind === 'user' ? change.user : change.office;
      const changedKey =
        change.kind === 'user' ? `user:${change.user.userId}` : `office:${change.office.officeId}`;
      current.set(changedKey, document);
      changed.set(changedKey, document);
      if (change.kind === 'user' && change.newMember !== undefined) {
        const { officeId, memberKey, username } = change.newMember;
        members.push(officeId, memberKey, username, change.user.userId);
      }
    }
    const documentArgs = [...changed].flatMap(([key, document]) => [key, JSON.stringify(document)]);
    const applying = this.run(applyBatch, [
      generation,
      previousPosition,
      last.position,
      changed.size,
      ...documentArgs,
      members.length / 4,
      ...members,
      erasures.length / 4,
      ...erasures,
    ]);
    // Noted as written before the answer, for a batch projected meanwhile; forgotten if it was refused.
    if (own !== null) {
      for (const [key, document] of changed) own.set(key, document);
      for (let i = 0; i < erasures.length; i += 4) own.delete(`user:${erasures[i]}`);
    }
    sent();
    const outcome = (await applying) as ApplyOutcome;
    if (outcome === 'applied') this.waiters.reached(last.position);
    return outcome;
  }

  async checkpoint(): Promise<number> {
    const [, checkpoint] = await this.header();
    return Number(checkpoint);
  }

  async origin(): Promise<ReadModelOrigin | null> {
    return originOf(await this.header());
  }

  async reject(setId: string): Promise<void> {
    await this.run(reject, [setId]);
  }

  /** Builds go into the generation after the current one, so readers never see one half-built. */
  async unfinishedBuild(): Promise<ReadModelsBuild | null> {
    const build = this.buildIn((await currentGeneration(this.redis, this.prefix)) + 1);
    const origin = await build.origin();
    return origin === null || origin.serving || origin.rejected ? null : build;
  }

  async startBuild(storeId: string, target: number): Promise<ReadModelsBuild> {
    const generation = (await currentGeneration(this.redis, this.prefix)) + 1;
    await dropGeneration(this.redis, this.prefix, generation);
    const build = this.buildIn(generation);
    if ((await build.run(startBuild, [storeId, target, projectionVersion])) === 'started')
      build.ownWrites = ownWritesOfNewBuild();
    return build;
  }

  private buildIn(generation: number): RedisReadModels & ReadModelsBuild {
    const build = new RedisReadModels(this.redis, { prefix: this.prefix, generation });
    return Object.assign(build, {
      promote: async () => {
        const replaced = (await build.run(promote, [])) as string;
        if (replaced === '') return false;
        if (Number(replaced) !== generation) await dropGeneration(this.redis, this.prefix, Number(replaced));
        return true;
      },
    });
  }

  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const reached = await this.waiters.waitFor(position, timeoutMs);
    // Reached by a generation that stopped serving meanwhile (rejected, emptied): still no answer.
    await this.servingCheckpoint();
    return reached;
  }

  private async header(): Promise<GenerationHeader> {
    return ((await this.run(readDocuments, [])) as string[]).slice(0, headerLength) as GenerationHeader;
  }

  private async servingCheckpoint(): Promise<number> {
    const header = await this.header();
    if (header[4] === '') throw notServing();
    return Number(header[1]);
  }

  loginByUsername(username: string): Promise<LoginLookup | null> {
    return this.lookup('username', username);
  }

  loginByUserId(userId: string): Promise<LoginLookup | null> {
    return this.lookup('user', userId);
  }

  async officePolicy(officeId: string): Promise<OfficePolicyView | null> {
    const reply = (await this.serve(readDocuments, [`office:${officeId}`])) as string[];
    if (reply[4] === '') throw notServing();
    const json = reply[headerLength] ?? '';
    return json === '' ? null : (JSON.parse(json) as OfficePolicyView);
  }

  async offices(): Promise<OfficePolicyView[]> {
    const reply = (await this.serve(allOffices, [])) as string[];
    return reply.filter((json) => json !== '').map((json) => JSON.parse(json) as OfficePolicyView);
  }

  async officeMembers(
    officeId: string,
    page: { after: string | null; limit: number },
  ): Promise<Page<MemberView>> {
    const start = page.after === null ? '-' : `(${Buffer.from(page.after, 'base64url').toString('utf8')}`;
    const reply = (await this.serve(membersOfOffice, [officeId, start, page.limit + 1])) as string[];
    const count = reply.length / 2;
    const keys = reply.slice(0, count);
    const users = reply.slice(count);
    return membersPage(keys, page.limit, async () =>
      users
        .slice(0, page.limit)
        .map((json) => (json === '' ? null : memberView(JSON.parse(json) as UserDocument))),
    );
  }

  async ping(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (error) {
      throw new ReadModelUnavailableError('Redis is not reachable.', { cause: error });
    }
  }

  private async lookup(by: 'username' | 'user', key: string): Promise<LoginLookup | null> {
    const reply = (await this.serve(loginLookup, [by, key])) as string[];
    const [user, office] = reply;
    if (user === undefined) return null;
    return {
      user: toLoginView(JSON.parse(user) as UserDocument),
      office: office === undefined || office === '' ? null : (JSON.parse(office) as OfficePolicyView),
    };
  }

  /** A read that answers a request: sent together with the others of this turn. */
  private serve(script: LuaScript, args: (string | number)[]): Promise<unknown> {
    coalesceThisTurn(this.redis);
    return this.run(script, args);
  }

  /** A reply, or the refusal it stands for: a `.catch` rather than an async try, one promise turn less. */
  private run(script: LuaScript, args: (string | number)[]): Promise<unknown> {
    return script
      .run(this.redis, [this.generationKey], [this.base, this.generation, ...args])
      .catch(refusalOf);
  }
}
