/**
 * Raft commands: what a client asks a region, and what it gets back (TinyKV's `raft_cmdpb`).
 *
 * @module
 */
import type { ColumnFamily, ReadView } from '../engine/engine';
import { ConfChangeType } from '../raft/conf-change';
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
  /**
   * An id the test kit gives every command it sends, unique in a run. It travels in the log
   * entry (see {@link encodeRaftCmdRequest}), so the kit can tell which command an applied
   * entry holds and check that each answer belongs to its own command. Stores never read it.
   */
  readonly requestId?: number;
}

/**
 * An administrative command: it changes the region or its log rather than user data, and a
 * command carries at most one (then with no `requests`).
 * - `compactLog` (2C): discard log entries up to `compactIndex` (whose term is `compactTerm`).
 * - `changePeer` (3B): add or remove one peer; proposed with `proposeConfChange`.
 * - `transferLeader` (3B): hand leadership to `peer`; not replicated, answered at once.
 * - `split` (3B): split the region at `splitKey`; the right half becomes region
 *   `newRegionId` with one new peer per existing peer (`newPeerIds`, in the order of the
 *   region's peers).
 */
export type AdminRequest =
  | { readonly cmdType: 'compactLog'; readonly compactIndex: number; readonly compactTerm: number }
  | { readonly cmdType: 'changePeer'; readonly changeType: ConfChangeType; readonly peer: PeerMeta }
  | { readonly cmdType: 'transferLeader'; readonly peer: PeerMeta }
  | { readonly cmdType: 'split'; readonly splitKey: Buffer; readonly newRegionId: number; readonly newPeerIds: readonly number[] };

/** The answer to an admin command: what the region became (changePeer: the region; split: both halves, left first). */
export type AdminResponse =
  | { readonly cmdType: 'compactLog' }
  | { readonly cmdType: 'changePeer'; readonly region: Region }
  | { readonly cmdType: 'transferLeader' }
  | { readonly cmdType: 'split'; readonly regions: readonly Region[] };

/** A command: a header and either operations to apply together, in order, at one log index, or one admin command. */
export interface RaftCmdRequest {
  readonly header: RaftRequestHeader;
  readonly requests: readonly Request[];
  /** An administrative command (2C, 3B); `requests` is then empty. */
  readonly adminRequest?: AdminRequest;
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
  /** The answer to an admin command. */
  readonly adminResponse?: AdminResponse;
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
  /** The admin command, buffers as base64. */
  readonly a?: EncodedAdmin;
  /** The request id, when the command has one. */
  readonly q?: number;
}

type EncodedAdmin =
  | ['compactLog', number, number]
  | ['changePeer', ConfChangeType, number, number]
  | ['transferLeader', number, number]
  | ['split', string, number, number[]];

function encodeAdmin(admin: AdminRequest): EncodedAdmin {
  switch (admin.cmdType) {
    case 'compactLog':
      return ['compactLog', admin.compactIndex, admin.compactTerm];
    case 'changePeer':
      return ['changePeer', admin.changeType, admin.peer.id, admin.peer.storeId];
    case 'transferLeader':
      return ['transferLeader', admin.peer.id, admin.peer.storeId];
    case 'split':
      return ['split', admin.splitKey.toString('base64'), admin.newRegionId, [...admin.newPeerIds]];
  }
}

function decodeAdmin(encoded: EncodedAdmin): AdminRequest {
  switch (encoded[0]) {
    case 'compactLog':
      return { cmdType: 'compactLog', compactIndex: encoded[1], compactTerm: encoded[2] };
    case 'changePeer':
      if (encoded[1] !== ConfChangeType.AddNode && encoded[1] !== ConfChangeType.RemoveNode) throw new Error(`A changePeer command has an unknown change type ${String(encoded[1])}.`);
      return { cmdType: 'changePeer', changeType: encoded[1], peer: { id: encoded[2], storeId: encoded[3] } };
    case 'transferLeader':
      return { cmdType: 'transferLeader', peer: { id: encoded[1], storeId: encoded[2] } };
    case 'split':
      return { cmdType: 'split', splitKey: Buffer.from(encoded[1], 'base64'), newRegionId: encoded[2], newPeerIds: encoded[3] };
    default:
      throw new Error(`A log entry holds an unknown admin command ${JSON.stringify(encoded)}.`);
  }
}

/**
 * Serialises a command into the data of a log entry. Layout: UTF-8 JSON
 * `{"h":[regionId,peerId,storeId,confVer,version,term],"r":[[cmdType,cf,keyBase64,valueBase64],...],"a":[adminType,...],"q":requestId}`
 * (`a` only for an admin command, `q` only when the header has a request id).
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
    ...(request.adminRequest !== undefined ? { a: encodeAdmin(request.adminRequest) } : {}),
    ...(header.requestId !== undefined ? { q: header.requestId } : {}),
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
  const header = { regionId, peer: { id: peerId, storeId }, regionEpoch: { confVer, version }, term, ...(typeof encoded.q === 'number' ? { requestId: encoded.q } : {}) };
  return encoded.a !== undefined ? { header, requests, adminRequest: decodeAdmin(encoded.a) } : { header, requests };
}
