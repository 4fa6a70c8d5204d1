/**
 * Raft commands: what a client asks a region, and what it gets back (TinyKV's `raft_cmdpb`).
 *
 * @module
 */
import type { ColumnFamily, ReadView } from '../engine/engine';
import type { RaftstoreError } from './raftstore-error';
import type { PeerMeta, Region, RegionEpoch } from './region';

/** One operation of a command. `snap` asks for a consistent read view of the region. */
export type Request =
  | { readonly cmdType: 'get'; readonly cf: ColumnFamily; readonly key: Buffer }
  | { readonly cmdType: 'put'; readonly cf: ColumnFamily; readonly key: Buffer; readonly value: Buffer }
  | { readonly cmdType: 'delete'; readonly cf: ColumnFamily; readonly key: Buffer }
  | { readonly cmdType: 'snap' };

/** Where a command is addressed and under which assumptions. */
export interface RaftRequestHeader {
  /** The region the command is for. */
  readonly regionId: number;
  /** The peer the client sent it to (the leader it believes in). */
  readonly peer: PeerMeta;
  /** The region epoch the client believes in. */
  readonly regionEpoch: RegionEpoch;
  /** When non-zero, the command is refused unless the peer is still in this term. */
  readonly term: number;
}

/** A command: a header and the operations to apply together, in order, at one log index. */
export interface RaftCmdRequest {
  readonly header: RaftRequestHeader;
  readonly requests: readonly Request[];
}

/**
 * The result of one operation, in the order of the requests. A `snap` answer carries a read
 * view of the kv engine taken right after the command was applied: the caller must close it.
 */
export type Response =
  | { readonly cmdType: 'get'; readonly value: Buffer | undefined }
  | { readonly cmdType: 'put' }
  | { readonly cmdType: 'delete' }
  | { readonly cmdType: 'snap'; readonly region: Region; readonly view: ReadView };

/** The answer to a command: an error, or one response per request. */
export interface RaftCmdResponse {
  readonly header: {
    /** Set when the command was refused or failed; then `responses` is empty. */
    readonly error?: RaftstoreError;
    /** The answering peer's term. */
    readonly currentTerm: number;
  };
  readonly responses: readonly Response[];
}

/** Called exactly once with the answer to a proposed command. */
export type Callback = (response: RaftCmdResponse) => void;

/** A response carrying only an error. */
export function errorResponse(error: RaftstoreError, currentTerm = 0): RaftCmdResponse {
  return { header: { error, currentTerm }, responses: [] };
}

function replaceBuffers(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify calls Buffer.toJSON before the replacer, so look at the holder's original value.
  const original = (this as Record<string, unknown>)[key];
  return Buffer.isBuffer(original) ? { $bytes: original.toString('base64') } : value;
}

function reviveBuffers(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && '$bytes' in value) {
    return Buffer.from((value as { $bytes: string }).$bytes, 'base64');
  }
  return value;
}

/**
 * Serialises a command into the data of a log entry (JSON, buffers as base64).
 *
 * @returns the entry data.
 */
export function encodeRaftCmdRequest(request: RaftCmdRequest): Buffer {
  return Buffer.from(JSON.stringify(request, replaceBuffers));
}

/**
 * Reads back a command written by {@link encodeRaftCmdRequest}.
 *
 * @throws Error when the data is not a command (an entry that is not ours is a bug).
 */
export function decodeRaftCmdRequest(data: Buffer): RaftCmdRequest {
  const request = JSON.parse(data.toString('utf8'), reviveBuffers) as RaftCmdRequest;
  if (request === null || typeof request !== 'object' || !Array.isArray(request.requests) || request.header === undefined) {
    throw new Error('A log entry does not hold a raft command (no header or request list): only encodeRaftCmdRequest may produce entry data.');
  }
  return request;
}
