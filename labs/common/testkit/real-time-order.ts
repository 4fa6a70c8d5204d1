/**
 * The real-time order of a history, as the linearizability search walks it: a doubly linked
 * list of call and return entries (Wing & Gong's list), from which the search lifts the
 * operations it linearizes and into which it puts them back when it backtracks.
 *
 * @module
 */
import type { HistoryOperation } from './history';

/** One call or return of the list. The list starts at a head entry that belongs to no operation. */
export interface OrderEntry {
  /** A call (the operation may take effect from here on) or a return (it must have taken effect by here). */
  readonly isCall: boolean;
  /** The operation's index in {@link RealTimeOrder.operations}. */
  readonly operation: number;
  /** For a call, its return; for a return, undefined. */
  match: OrderEntry | undefined;
  prev: OrderEntry | undefined;
  next: OrderEntry | undefined;
}

/** A partition's operations in invocation order, and the list of their calls and returns. */
export interface RealTimeOrder<TInput, TOutput> {
  /** The operations, indexed in invocation order (the search and its reports use these indexes). */
  readonly operations: readonly HistoryOperation<TInput, TOutput>[];
  /** The head of the list (not an operation's entry); `head.next` is the earliest event. */
  readonly head: OrderEntry;
  /** `exact` when the recorder's event numbers order the events, `by-time` when only times do. */
  readonly resolution: 'exact' | 'by-time';
}

interface TimedEvent {
  readonly isCall: boolean;
  /** The operation's position in the input array. */
  readonly position: number;
  /** Where it sorts: the event number (exact) or the virtual ms (by time). */
  readonly at: number;
  readonly ms: number;
}

/** True when every operation carries the recorder's event numbers, so that they can order the history. */
function hasEventNumbers<TInput, TOutput>(operations: readonly HistoryOperation<TInput, TOutput>[]): boolean {
  return operations.every((operation) => operation.invokeSequence !== undefined && (operation.returnSequence !== undefined || operation.outcome === 'unknown'));
}

function returnSequenceOf<TInput, TOutput>(operation: HistoryOperation<TInput, TOutput>): number {
  return operation.outcome === 'unknown' ? Number.POSITIVE_INFINITY : (operation.returnSequence as number);
}

function checkInterval<TInput, TOutput>(operation: HistoryOperation<TInput, TOutput>, exact: boolean): void {
  if (!(operation.returnMs >= operation.invokeMs)) {
    throw new RangeError(`Operation ${operation.id} returns (${operation.returnMs} ms) before it is invoked (${operation.invokeMs} ms); fix the history recorder.`);
  }
  if (exact && !(returnSequenceOf(operation) > (operation.invokeSequence as number))) {
    throw new RangeError(`Operation ${operation.id} has return event number ${operation.returnSequence}, not after its invocation's ${operation.invokeSequence}; fix the history recorder.`);
  }
}

/**
 * Builds the list of calls and returns in real-time order.
 *
 * With event numbers on every operation (a `HistoryRecorder` history) the order is
 * exact: an operation that returned before another was invoked comes first even within the
 * same millisecond. Without them (a hand-built history) events are ordered by time, and at
 * equal times calls come before returns: operations that only touch are treated as concurrent,
 * which can accept a history that the exact order would refuse, never the reverse.
 *
 * @param operations - one partition of a history.
 * @returns the operations re-indexed in invocation order, and the list.
 * @throws RangeError when an operation returns before it is invoked, or when event numbers
 *   contradict times (a recorder bug).
 */
export function buildRealTimeOrder<TInput, TOutput>(operations: readonly HistoryOperation<TInput, TOutput>[]): RealTimeOrder<TInput, TOutput> {
  const exact = operations.length > 0 && hasEventNumbers(operations);
  const events: TimedEvent[] = [];
  operations.forEach((operation, position) => {
    checkInterval(operation, exact);
    events.push({ isCall: true, position, at: exact ? (operation.invokeSequence as number) : operation.invokeMs, ms: operation.invokeMs });
    events.push({ isCall: false, position, at: exact ? returnSequenceOf(operation) : operation.returnMs, ms: operation.returnMs });
  });
  // Ties: only by time (calls first: touching operations are concurrent), or between unknown returns (all at infinity).
  events.sort((left, right) => left.at - right.at || Number(right.isCall) - Number(left.isCall) || left.position - right.position);
  if (exact) checkTimesAgree(events, operations);

  const indexOfPosition = new Array<number>(operations.length);
  const ordered: HistoryOperation<TInput, TOutput>[] = [];
  for (const event of events) {
    if (!event.isCall) continue;
    indexOfPosition[event.position] = ordered.length;
    ordered.push(operations[event.position]);
  }
  const head: OrderEntry = { isCall: false, operation: -1, match: undefined, prev: undefined, next: undefined };
  const callOf = new Array<OrderEntry>(operations.length);
  let last = head;
  for (const event of events) {
    const operation = indexOfPosition[event.position];
    const entry: OrderEntry = { isCall: event.isCall, operation, match: undefined, prev: last, next: undefined };
    if (event.isCall) callOf[operation] = entry;
    else callOf[operation].match = entry;
    last.next = entry;
    last = entry;
  }
  return { operations: ordered, head, resolution: exact ? 'exact' : 'by-time' };
}

/** Event numbers and times must tell the same story: numbers never go back in time. */
function checkTimesAgree<TInput, TOutput>(events: readonly TimedEvent[], operations: readonly HistoryOperation<TInput, TOutput>[]): void {
  for (let index = 1; index < events.length; index++) {
    if (events[index].ms < events[index - 1].ms) {
      const earlier = operations[events[index - 1].position];
      const later = operations[events[index].position];
      throw new RangeError(
        `The event numbers of operations ${earlier.id} and ${later.id} contradict their times (${events[index - 1].ms} ms is numbered before ${events[index].ms} ms); ` +
          'one history must come from one recorder on one clock.',
      );
    }
  }
}

/** Takes a linearized operation's call and return out of the list. */
export function liftOperation(call: OrderEntry): void {
  const ret = call.match as OrderEntry;
  (call.prev as OrderEntry).next = call.next;
  (call.next as OrderEntry).prev = call.prev;
  (ret.prev as OrderEntry).next = ret.next;
  if (ret.next !== undefined) ret.next.prev = ret.prev;
}

/** Puts an operation lifted by {@link liftOperation} back, undoing lifts in reverse order. */
export function unliftOperation(call: OrderEntry): void {
  const ret = call.match as OrderEntry;
  (ret.prev as OrderEntry).next = ret;
  if (ret.next !== undefined) ret.next.prev = ret;
  (call.prev as OrderEntry).next = call;
  (call.next as OrderEntry).prev = call;
}

/**
 * The operations that could be linearized next: every call before the first return, and
 * the operation of that return (it must be linearized before anything after it).
 */
export function candidatesAfter(head: OrderEntry): number[] {
  const candidates: number[] = [];
  for (let entry = head.next; entry !== undefined; entry = entry.next) {
    if (!entry.isCall) {
      if (!candidates.includes(entry.operation)) candidates.push(entry.operation);
      break;
    }
    candidates.push(entry.operation);
  }
  return candidates;
}
