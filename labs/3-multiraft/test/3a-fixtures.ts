/**
 * Helpers the 3A tests share: conf-change entries and messages, a transfer request, and a
 * node wrapper that applies committed conf changes the moment they commit (as the raftstore
 * does after each Ready). Provided; students read it to understand the tests.
 *
 * @module
 */
import { ConfChangeType, decodeConfChange, encodeConfChange, type ConfChange } from '../../common/raft/conf-change';
import { createEntry, EntryType, type Entry } from '../../common/raft/entry';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import type { RaftNetworkPeer } from '../../common/testkit/raft-network';
import type { Raft } from '../../2a-raft/src/raft';

/** Where 3A failure messages send the reader. */
export const HANDOUT_3A = 'labs/3-multiraft/README.md#part-3a';

/** A conf change with an empty context. */
export function confChange(changeType: ConfChangeType, nodeId: number): ConfChange {
  return { changeType, nodeId, context: Buffer.alloc(0) };
}

/** An `EntryConfChange` entry as a proposal carries it (term and index are the leader's to fill). */
export function confChangeEntry(change: ConfChange): Entry {
  return createEntry({ term: 0, index: 0, entryType: EntryType.EntryConfChange, data: encodeConfChange(change) });
}

/** MsgPropose to `id` carrying one conf change. */
export function proposeConfChange(id: number, change: ConfChange): Message {
  return createMessage({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [confChangeEntry(change)] });
}

/** MsgTransferLeader handed to node `to`, asking for leadership to move to `transferee` (its `from`). */
export function transferLeader(to: number, transferee: number): Message {
  return createMessage({ msgType: MessageType.MsgTransferLeader, from: transferee, to });
}

/** MsgTimeoutNow from `from` (in `term`) to `to`. */
export function timeoutNow(from: number, to: number, term: number): Message {
  return createMessage({ msgType: MessageType.MsgTimeoutNow, from, to, term });
}

/** A node's members, sorted. */
export function membersOf(raft: Raft): number[] {
  return [...raft.prs.keys()].sort((a, b) => a - b);
}

/**
 * Plays the owner of a bare Raft node: applies every committed, unapplied entry in order — a
 * conf change through `addNode` / `removeNode` — moving `applied` past each one.
 *
 * @returns the conf changes applied, in order.
 */
export function applyCommitted(raft: Raft): ConfChange[] {
  const log = raft.raftLog;
  const applied: ConfChange[] = [];
  // Applying a removal may commit more (the quorum shrinks): go on until nothing is left.
  for (let batch = log.nextEnts(); batch.length > 0; batch = log.nextEnts()) {
    for (const entry of batch) {
      if (entry.entryType === EntryType.EntryConfChange) {
        const change = decodeConfChange(entry.data);
        if (change.changeType === ConfChangeType.AddNode) raft.addNode(change.nodeId);
        else raft.removeNode(change.nodeId);
        applied.push(change);
      }
      log.applied = entry.index;
    }
  }
  return applied;
}

/**
 * A Raft node on the test network that applies what it commits right after every step and
 * tick, so its membership always reflects its committed log.
 */
export class ApplyingPeer implements RaftNetworkPeer {
  constructor(readonly raft: Raft) {}

  get msgs(): Message[] {
    return this.raft.msgs;
  }

  set msgs(messages: Message[]) {
    this.raft.msgs = messages;
  }

  step(message: Message): void {
    try {
      this.raft.step(message);
    } finally {
      applyCommitted(this.raft);
    }
  }

  tick(): void {
    this.raft.tick();
    applyCommitted(this.raft);
  }
}

/**
 * `expect(actual).toEqual(expected)` whose failure names what was checked and where to read
 * about it: the values are compared under `description` as a key, so the diff shows it.
 */
export function expectAbout<T>(description: string, actual: T, expected: T): void {
  expect({ [`${description} (read ${HANDOUT_3A})`]: actual }).toEqual({ [`${description} (read ${HANDOUT_3A})`]: expected });
}

/** The name of the error `action` throws, or `"nothing thrown"`. */
export function thrownBy(action: () => void): string {
  try {
    action();
    return 'nothing thrown';
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}
