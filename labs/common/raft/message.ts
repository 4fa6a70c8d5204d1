/**
 * Raft messages (TinyKV's `eraftpb.Message`): one shape for every message type, with the
 * fields each type uses listed on {@link MessageType}.
 *
 * @module
 */
import { describeEntry, type Entry } from './entry';
import type { Snapshot } from './snapshot';

/**
 * Every message type. "Local" messages never cross the network: the node's owner hands them
 * to `step` to make it act (MsgHup, MsgBeat, MsgPropose).
 *
 * Fields used, besides `msgType`, `to`, `from` (and `term` for every non-local message):
 * - MsgHup (local): none — start an election now.
 * - MsgBeat (local): none — a leader sends heartbeats to every follower now.
 * - MsgPropose (local): `entries` — append these commands (term and index are filled in by the leader).
 * - MsgAppend: `logTerm`, `index` (the entry just before `entries`), `entries`, `commit`.
 * - MsgAppendResponse: `reject`, `index` (on success the last index now matching; on reject a hint).
 * - MsgRequestVote: `logTerm`, `index` (the candidate's last entry).
 * - MsgRequestVoteResponse: `reject`.
 * - MsgSnapshot (2C): `snapshot`.
 * - MsgHeartbeat: `commit` (already capped by the leader to the follower's match).
 * - MsgHeartbeatResponse: none besides term.
 * - MsgTransferLeader (3A, local): `from` is the transferee.
 * - MsgTimeoutNow (3A): none — start an election at once, ignoring the timer.
 */
export const MessageType = {
  MsgHup: 'MsgHup',
  MsgBeat: 'MsgBeat',
  MsgPropose: 'MsgPropose',
  MsgAppend: 'MsgAppend',
  MsgAppendResponse: 'MsgAppendResponse',
  MsgRequestVote: 'MsgRequestVote',
  MsgRequestVoteResponse: 'MsgRequestVoteResponse',
  MsgSnapshot: 'MsgSnapshot',
  MsgHeartbeat: 'MsgHeartbeat',
  MsgHeartbeatResponse: 'MsgHeartbeatResponse',
  MsgTransferLeader: 'MsgTransferLeader',
  MsgTimeoutNow: 'MsgTimeoutNow',
} as const;

/** One of the {@link MessageType} values. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The message types that are never sent over the network (the owner steps them in). */
export const LOCAL_MESSAGE_TYPES: readonly MessageType[] = [
  MessageType.MsgHup,
  MessageType.MsgBeat,
  MessageType.MsgPropose,
  MessageType.MsgTransferLeader,
];

/** A Raft message. Fields a type does not use are 0 / false / empty / undefined. */
export interface Message {
  msgType: MessageType;
  /** The receiving peer's id (ids start at 1). */
  to: number;
  /** The sending peer's id. */
  from: number;
  /** The sender's term; 0 only for local messages. */
  term: number;
  /** The term of the entry at `index` (MsgAppend: the entry before `entries`; MsgRequestVote: the last entry). */
  logTerm: number;
  /** See {@link MessageType} for what each type means by it. */
  index: number;
  /** The entries carried (MsgAppend, MsgPropose); always an array, possibly empty. */
  entries: Entry[];
  /** The sender's commit index (MsgAppend, MsgHeartbeat). */
  commit: number;
  /** The snapshot carried by MsgSnapshot (2C); undefined otherwise. */
  snapshot?: Snapshot;
  /** True when a response refuses (a vote not granted, an append that did not match). */
  reject: boolean;
}

/**
 * Builds a message: every field not given is 0 / false / empty.
 *
 * @param fields - at least the type.
 * @returns a new message object.
 * @example
 * ```ts
 * raft.step(createMessage({ msgType: MessageType.MsgHup, from: 1, to: 1 }));
 * ```
 */
export function createMessage(fields: Partial<Message> & Pick<Message, 'msgType'>): Message {
  const message: Message = {
    msgType: fields.msgType,
    to: fields.to ?? 0,
    from: fields.from ?? 0,
    term: fields.term ?? 0,
    logTerm: fields.logTerm ?? 0,
    index: fields.index ?? 0,
    entries: fields.entries ?? [],
    commit: fields.commit ?? 0,
    reject: fields.reject ?? false,
  };
  if (fields.snapshot !== undefined) message.snapshot = fields.snapshot;
  return message;
}

/** Describes a message in one line for traces and failure messages, e.g. `1->2 MsgAppend term:2 log:1/3 commit:3 entries:[4/2]`. */
export function describeMessage(message: Message): string {
  const parts = [`${message.from}->${message.to} ${message.msgType} term:${message.term}`];
  if (message.logTerm !== 0 || message.index !== 0) parts.push(`log:${message.logTerm}/${message.index}`);
  if (message.commit !== 0) parts.push(`commit:${message.commit}`);
  if (message.reject) parts.push('rejected');
  if (message.entries.length > 0) parts.push(`entries:[${message.entries.map(describeEntry).join(' ')}]`);
  if (message.snapshot !== undefined) parts.push(`snapshot:${message.snapshot.metadata.index}/${message.snapshot.metadata.term}`);
  return parts.join(' ');
}
