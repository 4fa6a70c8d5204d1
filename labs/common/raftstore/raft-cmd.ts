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

/** The wire form of a command: compact JSON, buffers as base64 strings, no reviver needed. */
interface EncodedCommand {
  /** regionId, peer id, peer store id, epoch confVer, epoch version, term. */
  readonly h: [number, number, number, number, number, number];
  /** One tuple per request: type, column family, key, value (base64). */
  readonly r: [Request['cmdType'], string?, string?, string?][];
}

/**
 * Serialises a command into the data of a log entry. Layout: UTF-8 JSON
 * `{"h":[regionId,peerId,storeId,confVer,version,term],"r":[[cmdType,cf,keyBase64,valueBase64],...]}`.
 *
 * @returns the entry data.
 */
export function encodeRaftCmdRequest(request: RaftCmdRequest): Buffer {
  const header = request.header;
  const encoded: EncodedCommand = {
    h: [header.regionId, header.peer.id, header.peer.storeId, header.regionEpoch.confVer, header.regionEpoch.version, header.term],
    r: request.requests.map((operation) => {
      switch (operation.cmdType) {
        case 'snap':
          return ['snap'];
        case 'put':
          return ['put', operation.cf, operation.key.toString('base64'), operation.value.toString('base64')];
        default:
          return [operation.cmdType, operation.cf, operation.key.toString('base64')];
      }
    }),
  };
  return Buffer.from(JSON.stringify(encoded));
}

/**
 * Reads back a command written by {@link encodeRaftCmdRequest}.
 *
 * @throws Error when the data is not a command (an entry that is not ours is a bug).
 */
export function decodeRaftCmdRequest(data: Buffer): RaftCmdRequest {
  const encoded = JSON.parse(data.toString('utf8')) as EncodedCommand;
  if (encoded === null || typeof encoded !== 'object' || !Array.isArray(encoded.h) || !Array.isArray(encoded.r)) {
    throw new Error('A log entry does not hold a raft command (no header or request list): only encodeRaftCmdRequest may produce entry data.');
  }
  const [regionId, peerId, storeId, confVer, version, term] = encoded.h;
  const requests = encoded.r.map(([cmdType, cf, key, value]): Request => {
    if (cmdType === 'snap') return { cmdType };
    const column = cf as ColumnFamily;
    const keyBytes = Buffer.from(key ?? '', 'base64');
    if (cmdType === 'put') return { cmdType, cf: column, key: keyBytes, value: Buffer.from(value ?? '', 'base64') };
    return { cmdType, cf: column, key: keyBytes };
  });
  return { header: { regionId, peer: { id: peerId, storeId }, regionEpoch: { confVer, version }, term }, requests };
}
