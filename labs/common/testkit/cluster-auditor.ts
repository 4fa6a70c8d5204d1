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
import { applyStateKey, raftStateKey } from '../raftstore/meta-keys';
import { decodeApplyState } from '../raftstore/raft-apply-state';
import { decodeRaftLocalState, initialRaftLocalState, type RaftLocalState } from '../raftstore/raft-local-state';
import type { StoreEngines } from '../raftstore/store-engines';
import type { StoreMessage } from '../raftstore/store-message';
import { describeStoreMessage } from '../raftstore/store-message';

/** The most violations kept (the first ones are the interesting ones). */
const MAX_VIOLATIONS = 20;

/**
 * Watches every store of a cluster through its durable engines (what would survive a crash
 * right now) and records a violation when:
 * - a message leaves a store with a term, a granted vote or an acknowledged log index that
 *   the store has not yet persisted (promises of a term the store has durably left are fine) ("sent before persisted": a crash at that instant would
 *   make the store forget a promise others already counted);
 * - an apply-state write moves the applied index backwards or not forwards (an entry applied
 *   twice), or past the persisted commit index (applied before it was known committed and durable);
 * - two stores are leader of one region in the same term.
 */
export class ClusterAuditor {
  private readonly found: string[] = [];
  private readonly leadersByTerm = new Map<string, number>();

  /** @param durableEngines - the durable engines of every store, by store id. */
  constructor(private readonly durableEngines: ReadonlyMap<number, StoreEngines>) {}

  /** The violations seen so far, each a sentence. */
  get violations(): readonly string[] {
    return this.found;
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
    const what = (): string => `store ${from} sent "${describeStoreMessage(storeMessage)}"`;
    if (message.term > persisted.hardState.term) {
      this.report(`${what()} with term ${message.term} while its raft engine holds term ${persisted.hardState.term}: persist the hard state before sending.`);
    }
    // A promise made in a term the store has since left (and persisted leaving) is harmless:
    // the store can never act in that term again. Batching several messages into one Ready
    // produces such messages legitimately.
    const sameTerm = message.term === persisted.hardState.term;
    if (message.msgType === MessageType.MsgRequestVoteResponse && !message.reject && sameTerm) {
      const hard = persisted.hardState;
      if (hard.vote !== message.to) {
        this.report(`${what()} granting a vote that is not persisted (raft engine: term ${hard.term}, vote ${hard.vote}): persist the vote before sending it.`);
      }
    }
    if (message.msgType === MessageType.MsgAppendResponse && !message.reject && sameTerm && message.index > persisted.lastIndex) {
      this.report(`${what()} acknowledging index ${message.index} while its raft engine ends at ${persisted.lastIndex}: persist entries before acknowledging them.`);
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
      const applied = decodeApplyState(op.value).appliedIndex;
      const before = engines.kv.get(CF_DEFAULT, op.key);
      const previous = before === undefined ? 0 : decodeApplyState(before).appliedIndex;
      if (applied <= previous) {
        this.report(`store ${storeId} wrote applied index ${applied} for region ${regionId} after ${previous}: an entry is being applied again.`);
      }
      const commit = readRaftState(engines.raft, regionId).hardState.commit;
      if (applied > commit) {
        this.report(`store ${storeId} applied index ${applied} of region ${regionId} while its raft engine records commit ${commit}: persist the Ready (hard state) before applying.`);
      }
    }
  }

  /** Records a role change and checks that a term has at most one leader. */
  checkRole(storeId: number, regionId: number, role: string, term: number): void {
    if (role !== 'Leader') return;
    const key = `${regionId}/${term}`;
    const other = this.leadersByTerm.get(key);
    if (other !== undefined && other !== storeId) {
      this.report(`stores ${other} and ${storeId} were both leader of region ${regionId} in term ${term}: a term has at most one leader.`);
    }
    this.leadersByTerm.set(key, storeId);
  }

  private report(violation: string): void {
    if (this.found.length < MAX_VIOLATIONS) this.found.push(violation);
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
