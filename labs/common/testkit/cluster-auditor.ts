/**
 * The cluster's safety auditor: checks, while a scenario runs, the invariants whose
 * violation a crash would turn into lost data.
 *
 * @module
 */
import type { ColumnFamily, Engine, ReadView } from '../engine/engine';
import { CF_DEFAULT } from '../engine/engine';
import type { WriteBatch } from '../engine/write-batch';
import { MessageType } from '../raft/message';
import { applyStateKey, raftStateKey, regionStateKey } from '../raftstore/meta-keys';
import { decodeRegion, findPeerOnStore } from '../raftstore/region';
import { decodeApplyState } from '../raftstore/raft-apply-state';
import { decodeRaftLocalState, initialRaftLocalState, type RaftLocalState } from '../raftstore/raft-local-state';
import type { StoreEngines } from '../raftstore/store-engines';
import type { StoreMessage } from '../raftstore/store-message';
import { describeStoreMessage } from '../raftstore/store-message';

/** The most violations kept (the first ones are the interesting ones); later ones are only counted. */
const MAX_VIOLATIONS = 20;

/** The most violations a failure prints; the rest are counted. */
const MAX_VIOLATIONS_PRINTED = 5;

/**
 * How to read the ids in the auditor's sentences. A store is a machine (stores 1..N); a peer
 * is the replica of a region on one store, and its id is its Raft node id, which is not the
 * store's id. In a message, `r1 3->2` means region 1, from peer 3 to peer 2.
 */
export const ID_NOTATION =
  'Ids: a store is a machine (stores 1..N); a peer is the replica of a region on one store, and its id (its Raft node id) differs from the store id. ' +
  'In a message, "r1 3->2" means region 1, from peer 3 to peer 2.';

/** One violation, with where it happened. */
export interface AuditorViolation {
  /** The store that broke the rule. */
  readonly storeId: number;
  /** The region, when the rule is about one. */
  readonly regionId?: number;
  /** The sentence. */
  readonly text: string;
}

/** Options of {@link ClusterAuditor}. */
export interface ClusterAuditorOptions {
  /** Called with every violation as it is found (the cluster records it in the trace). */
  readonly onViolation?: (violation: AuditorViolation) => void;
}

/**
 * Watches every store of a cluster through its durable engines (what would survive a crash
 * right now) and records a violation when:
 * - a message leaves a store with a term, a granted vote or an acknowledged log index that
 *   the store has not yet persisted (promises of a term the store has durably left are fine) ("sent before persisted": a crash at that instant would
 *   make the store forget a promise others already counted);
 * - an apply-state write moves the applied index backwards or not forwards (an entry applied
 *   twice), or past the persisted commit index (applied before it was known committed and durable);
 * - two stores are leader of one region in the same term.
 *
 * Other checks of the kit record their violations here too ({@link ClusterAuditor.recordViolation}),
 * so that a failure lists them together. Each sentence names the store, its peer and the region
 * (see {@link ID_NOTATION}); each violation is also passed to `onViolation` as it is found.
 */
export class ClusterAuditor {
  private readonly found: string[] = [];
  private foundCount = 0;
  private readonly leadersByTerm = new Map<string, number>();
  private readonly appliedRanges = new Map<string, { readonly from: number; readonly to: number }>();

  /**
   * @param durableEngines - the durable engines of every store, by store id.
   * @param options - a listener for violations.
   */
  constructor(
    private readonly durableEngines: ReadonlyMap<number, StoreEngines>,
    private readonly options: ClusterAuditorOptions = {},
  ) {}

  /** The first violations seen so far (at most 20), each a sentence. */
  get violations(): readonly string[] {
    return this.found;
  }

  /** How many violations were seen in all, including those not kept. */
  get violationCount(): number {
    return this.foundCount;
  }

  /**
   * The violations for a failure message: the first five, then a count of the rest, then how
   * to read the ids. Empty when there is none.
   */
  formatViolations(): string {
    if (this.foundCount === 0) return '';
    const shown = this.found.slice(0, MAX_VIOLATIONS_PRINTED).map((violation) => `  ${violation}`);
    const rest = this.foundCount - shown.length;
    if (rest > 0) shown.push(`  ... and ${rest} more`);
    return [`The safety auditor found ${this.foundCount} violation(s):`, ...shown, ID_NOTATION].join('\n');
  }

  /**
   * The entries the last apply-state write of a store covered for a region: applied index
   * moved from `from - 1` to `to`. Undefined before its first such write in this run.
   */
  lastAppliedRange(storeId: number, regionId: number): { readonly from: number; readonly to: number } | undefined {
    return this.appliedRanges.get(`${storeId}/${regionId}`);
  }

  /**
   * Records a violation found by another check of the kit (an answer that belongs to another
   * command, for instance), so that it is reported with the auditor's own.
   */
  recordViolation(violation: AuditorViolation): void {
    this.report(violation.text, violation.storeId, violation.regionId);
  }

  /**
   * Checks a message at the instant its store sends it (installed as a network filter that
   * never drops anything).
   */
  checkSend(from: number, storeMessage: StoreMessage): void {
    const engines = this.durableEngines.get(from);
    if (engines === undefined) return;
    const persisted = readRaftState(engines.raft, storeMessage.regionId);
    const message = storeMessage.message;
    const what = (): string => `store ${from} (peer ${storeMessage.fromPeer.id}, region ${storeMessage.regionId}) sent "${describeStoreMessage(storeMessage)}"`;
    if (message.term > persisted.hardState.term) {
      this.report(`${what()} with term ${message.term} while its raft engine holds term ${persisted.hardState.term}: persist the hard state before sending.`, from, storeMessage.regionId);
    }
    // A promise made in a term the store has since left (and persisted leaving) is harmless:
    // the store can never act in that term again. Batching several messages into one Ready
    // produces such messages legitimately.
    const sameTerm = message.term === persisted.hardState.term;
    if (message.msgType === MessageType.MsgRequestVoteResponse && !message.reject && sameTerm) {
      const hard = persisted.hardState;
      if (hard.vote !== message.to) {
        this.report(`${what()} granting a vote that is not persisted (raft engine: term ${hard.term}, vote ${hard.vote}): persist the vote before sending it.`, from, storeMessage.regionId);
      }
    }
    if (message.msgType === MessageType.MsgAppendResponse && !message.reject && sameTerm && message.index > persisted.lastIndex) {
      this.report(`${what()} acknowledging index ${message.index} while its raft engine ends at ${persisted.lastIndex}: persist entries before acknowledging them.`, from, storeMessage.regionId);
    }
  }

  /** Checks a kv-engine write of store `storeId` before it is applied. */
  checkKvWrite(storeId: number, batch: WriteBatch): void {
    const engines = this.durableEngines.get(storeId);
    if (engines === undefined) return;
    for (const op of batch.ops) {
      if (op.kind !== 'put' || op.cf !== CF_DEFAULT || op.key.length !== 11 || op.key[0] !== 0x01 || op.key[1] !== 0x02 || op.key[10] !== 0x03) continue;
      const regionId = op.key.readUInt32BE(2) * 0x1_0000_0000 + op.key.readUInt32BE(6);
      if (!applyStateKey(regionId).equals(op.key)) continue;
      const written = decodeApplyState(op.value);
      const applied = written.appliedIndex;
      const before = engines.kv.get(CF_DEFAULT, op.key);
      const previousState = before === undefined ? undefined : decodeApplyState(before);
      const previous = previousState === undefined ? 0 : previousState.appliedIndex;
      // A snapshot install (2C) moves applied and truncated to the snapshot's index in its kv
      // write, before the raft write that records the new commit: the snapshot is committed by
      // the leader that sent it, so that one write may run ahead of the persisted commit.
      const installsSnapshot = written.truncatedState.index === applied && applied > (previousState?.truncatedState.index ?? 0) && applied > previous;
      this.appliedRanges.set(`${storeId}/${regionId}`, { from: previous + 1, to: applied });
      if (applied <= previous) {
        this.report(`${this.describePeer(storeId, regionId)} wrote applied index ${applied} after ${previous}: an entry is being applied again.`, storeId, regionId);
      }
      const commit = readRaftState(engines.raft, regionId).hardState.commit;
      if (applied > commit && !installsSnapshot) {
        this.report(`${this.describePeer(storeId, regionId)} applied index ${applied} while its raft engine records commit ${commit}: persist the Ready (hard state) before applying.`, storeId, regionId);
      }
    }
  }

  /** Records a role change and checks that a term has at most one leader. */
  checkRole(storeId: number, regionId: number, role: string, term: number): void {
    if (role !== 'Leader') return;
    const key = `${regionId}/${term}`;
    const other = this.leadersByTerm.get(key);
    if (other !== undefined && other !== storeId) {
      this.report(`${this.describePeer(other, regionId)} and ${this.describePeer(storeId, regionId)} were both leader in term ${term}: a term has at most one leader.`, storeId, regionId);
    }
    this.leadersByTerm.set(key, storeId);
  }

  /** `store 2 (peer 3, region 1)`: the peer id comes from the region state in the store's kv engine. */
  describePeer(storeId: number, regionId: number): string {
    const peerId = peerIdOnStore(this.durableEngines.get(storeId), storeId, regionId);
    return `store ${storeId} (${peerId !== undefined ? `peer ${peerId}, ` : ''}region ${regionId})`;
  }

  private report(violation: string, storeId: number, regionId?: number): void {
    this.foundCount++;
    if (this.found.length < MAX_VIOLATIONS) this.found.push(violation);
    this.options.onViolation?.({ storeId, ...(regionId !== undefined ? { regionId } : {}), text: violation });
  }
}

function peerIdOnStore(engines: StoreEngines | undefined, storeId: number, regionId: number): number | undefined {
  const bytes = engines?.kv.get(CF_DEFAULT, regionStateKey(regionId));
  if (bytes === undefined) return undefined;
  try {
    return findPeerOnStore(decodeRegion(bytes), storeId)?.id;
  } catch {
    return undefined; // A corrupt record is reported by the store itself; the sentence just omits the peer.
  }
}

function readRaftState(raft: Engine, regionId: number): RaftLocalState {
  const bytes = raft.get(CF_DEFAULT, raftStateKey(regionId));
  return bytes === undefined ? initialRaftLocalState() : decodeRaftLocalState(bytes);
}

/**
 * An engine that shows every write to an observer before passing it on: how the auditor
 * sees kv-engine writes. Everything else is delegated unchanged.
 */
export class ObservedEngine implements Engine {
  /**
   * @param inner - the durable engine.
   * @param beforeWrite - called with each batch before it is written.
   */
  constructor(
    readonly inner: Engine,
    private readonly beforeWrite: (batch: WriteBatch) => void,
  ) {}

  get backend(): string {
    return this.inner.backend;
  }

  get maxKeyBytes(): number {
    return this.inner.maxKeyBytes;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  get(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    return this.inner.get(cf, key);
  }

  write(batch: WriteBatch): void {
    this.beforeWrite(batch);
    this.inner.write(batch);
  }

  view(): ReadView {
    return this.inner.view();
  }

  close(): void {
    this.inner.close();
  }
}
