/**
 * Checks that every answer a store gives belongs to its own command (proposal matching).
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import type { Entry } from '../../common/raft/entry';
import { decodeEntry } from '../../common/raftstore/entry-codec';
import { applyStateKey, raftLogKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState } from '../../common/raftstore/raft-apply-state';
import { decodeRaftCmdRequest, type RaftCmdRequest, type RaftCmdResponse } from '../../common/raftstore/raft-cmd';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { ClusterAuditor } from '../../common/testkit/cluster-auditor';

/** Where a command landed when the store proposed it: the leader's last index and term right after `proposeRaftCommand`. */
export interface ProposalPosition {
  readonly storeId: number;
  readonly peerId: number;
  readonly regionId: number;
  readonly index: number;
  readonly term: number;
}

interface CommandOrigin {
  /** The client that sent it, when a test client did. */
  readonly clientId?: number;
  /** `a get of "k1"`. */
  readonly description: string;
}

/**
 * Gives every command the kit sends a request id (carried in the log entry, see
 * `RaftRequestHeader.requestId`), notes where each proposal landed, and checks each success
 * answer against what the answering store really applied:
 * - the entry at the proposal's index (committed, so final) must be the proposal itself: same
 *   term and same request id. Otherwise a newer leader replaced the proposal, and the store
 *   answered a command that was never applied (proposals matched by index only, not term);
 * - the answer must have one response per request, of the request's type. Otherwise it is
 *   the result of another command.
 *
 * Both hold for every correct raftstore, however it batches its applies and answers: the
 * first compares only committed log entries, the second only the answer's shape.
 */
export class AnswerAuditor {
  private nextRequestId = 1;
  private readonly origins = new Map<number, CommandOrigin>();
  private readonly positions = new Map<number, ProposalPosition>();
  private readonly requestOfOperation = new Map<number, number>();

  /**
   * @param durableEngines - the durable engines of a store (what it has written so far).
   * @param auditor - where violations are recorded, with the safety auditor's own.
   */
  constructor(
    private readonly durableEngines: (storeId: number) => StoreEngines,
    private readonly auditor: ClusterAuditor,
  ) {}

  /**
   * The command with a fresh request id in its header (a command that has one keeps it).
   *
   * @param request - the command.
   * @param clientId - the test client that sends it, if any.
   */
  stamp(request: RaftCmdRequest, clientId?: number): RaftCmdRequest {
    const existing = request.header.requestId;
    const requestId = existing ?? this.nextRequestId++;
    if (!this.origins.has(requestId)) this.origins.set(requestId, { ...(clientId !== undefined ? { clientId } : {}), description: describeCommand(request) });
    return existing !== undefined ? request : { ...request, header: { ...request.header, requestId } };
  }

  /** Notes where a command landed in the proposing leader's log. */
  noteProposed(requestId: number, position: ProposalPosition): void {
    this.positions.set(requestId, position);
  }

  /** Ties a history operation to the request that carried it (for reports). */
  bindOperation(operationId: number, requestId: number): void {
    this.requestOfOperation.set(operationId, requestId);
  }

  /**
   * Where the request of a history operation was proposed, in words, or undefined when it was
   * never proposed (refused, or sent to a store that was down).
   */
  describeOperation(operationId: number): string | undefined {
    const requestId = this.requestOfOperation.get(operationId);
    const position = requestId === undefined ? undefined : this.positions.get(requestId);
    if (position === undefined) return undefined;
    return `proposed by store ${position.storeId} (peer ${position.peerId}, region ${position.regionId}) at index ${position.index}, term ${position.term}`;
  }

  /**
   * Checks a success answer (error answers carry no result and are not checked).
   *
   * @param storeId - the store that answered.
   * @param request - the command, as sent (with its request id).
   * @param response - the answer.
   * @returns the violation, already recorded with the auditor, or undefined when the answer is its command's.
   */
  checkAnswer(storeId: number, request: RaftCmdRequest, response: RaftCmdResponse): string | undefined {
    if (response.header.error !== undefined) return undefined;
    const requestId = request.header.requestId;
    const position = requestId === undefined ? undefined : this.positions.get(requestId);
    const regionId = request.header.regionId;
    // Every answer is checked: the sentences are built only for a violation.
    const what = () => `${this.describeRequest(requestId, request)}${position ? ` (proposed at index ${position.index}, term ${position.term})` : ''}`;
    const who = () => this.auditor.describePeer(storeId, regionId);
    const text = this.replacedProposal(who, what, requestId, position) ?? this.foreignResult(who, what, storeId, request, response);
    if (text !== undefined) this.auditor.recordViolation({ storeId, regionId, text });
    return text;
  }

  /** The proposal's index holds another entry, yet the store answered it as a success. */
  private replacedProposal(who: () => string, what: () => string, requestId: number | undefined, position: ProposalPosition | undefined): string | undefined {
    if (position === undefined) return undefined;
    const engines = this.durableEngines(position.storeId);
    if (position.index > readAppliedIndex(engines, position.regionId)) return undefined;
    const entry = readEntry(engines, position.regionId, position.index);
    // A compacted entry (2C) can no longer be compared.
    if (entry === undefined) return undefined;
    const sameTerm = entry.term === position.term;
    if (sameTerm) {
      const entryRequestId = requestIdOf(entry);
      if (entryRequestId === undefined || entryRequestId === requestId) return undefined;
    }
    const range = this.auditor.lastAppliedRange(position.storeId, position.regionId);
    const applyingIt = range !== undefined && range.from <= position.index && position.index <= range.to;
    const other = `the entry applied at index ${entry.index}, term ${entry.term} (${this.describeEntry(entry)})`;
    const answered = applyingIt ? `answered ${what()} with the result of ${other}` : `answered ${what()} as a success, but its index holds ${other}`;
    const why = sameTerm
      ? 'the answer belongs to another command.'
      : 'a newer leader replaced the proposal, so it was never applied and must be answered with stale-command. Match proposals by index AND term.';
    return `${who()} ${answered}: ${why}`;
  }

  /** The answer does not have the shape of its request: it is another command's result. */
  private foreignResult(who: () => string, what: () => string, storeId: number, request: RaftCmdRequest, response: RaftCmdResponse): string | undefined {
    if (request.adminRequest !== undefined) return undefined;
    const sameShape = request.requests.length === response.responses.length && request.requests.every((operation, index) => operation.cmdType === response.responses[index].cmdType);
    if (sameShape) return undefined;
    const asked = request.requests.map((operation) => operation.cmdType);
    const got = response.responses.map((answer) => answer.cmdType);
    const range = this.auditor.lastAppliedRange(storeId, request.header.regionId);
    let hint = '';
    if (range !== undefined) {
      const last = readEntry(this.durableEngines(storeId), request.header.regionId, range.to);
      const entries = range.from === range.to ? `the entry at index ${range.to}` : `the entries at indexes ${range.from}..${range.to}`;
      hint = ` The store had just applied ${entries}${last !== undefined ? ` (index ${last.index}, term ${last.term}: ${this.describeEntry(last)})` : ''}.`;
    }
    const shape = got.length === 0 ? 'no response' : `${got.length} response(s) [${got.join(', ')}]`;
    return `${who()} answered ${what()} with ${shape} for its ${asked.length} request(s) [${asked.join(', ')}]: the answer belongs to another command (one response per request, in order).${hint}`;
  }

  private describeRequest(requestId: number | undefined, request: RaftCmdRequest): string {
    const origin = requestId === undefined ? undefined : this.origins.get(requestId);
    const sender = origin?.clientId !== undefined ? ` from client ${origin.clientId}` : '';
    return `${origin?.description ?? describeCommand(request)}${sender}`.replace(/^an? /, 'the ');
  }

  private describeEntry(entry: Entry): string {
    if (entry.data.length === 0) return "a new leader's empty entry, no command";
    const requestId = requestIdOf(entry);
    const origin = requestId === undefined ? undefined : this.origins.get(requestId);
    if (origin !== undefined) return `${origin.description}${origin.clientId !== undefined ? ` proposed by client ${origin.clientId}` : ''}`;
    try {
      return describeCommand(decodeRaftCmdRequest(entry.data));
    } catch {
      return 'data that is not a command';
    }
  }
}

/** `a get of "k1"`, `a put of "k1"`, `a scan`, `a compactLog command`; several requests: `a command of 2 requests (get, put)`. */
export function describeCommand(request: RaftCmdRequest): string {
  if (request.adminRequest !== undefined) return `a ${request.adminRequest.cmdType} command`;
  if (request.requests.length !== 1) return `a command of ${request.requests.length} requests (${request.requests.map((operation) => operation.cmdType).join(', ')})`;
  const operation = request.requests[0];
  return operation.cmdType === 'snap' ? 'a scan' : `a ${operation.cmdType} of ${JSON.stringify(operation.key.toString('latin1'))}`;
}

// The two readers below see records the student's code wrote: a malformed one is that code's
// bug, reported where the store itself reads it back, so here it only turns the check off.

function readAppliedIndex(engines: StoreEngines, regionId: number): number {
  const bytes = engines.kv.get(CF_DEFAULT, applyStateKey(regionId));
  try {
    return bytes === undefined ? 0 : decodeApplyState(bytes).appliedIndex;
  } catch {
    return 0;
  }
}

function readEntry(engines: StoreEngines, regionId: number, index: number): Entry | undefined {
  const bytes = engines.raft.get(CF_DEFAULT, raftLogKey(regionId, index));
  try {
    return bytes === undefined ? undefined : decodeEntry(bytes);
  } catch {
    return undefined;
  }
}

function requestIdOf(entry: Entry): number | undefined {
  if (entry.data.length === 0) return undefined;
  try {
    return decodeRaftCmdRequest(entry.data).header.requestId;
  } catch {
    return undefined;
  }
}
