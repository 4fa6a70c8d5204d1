/**
 * Argument and state checks shared by the write batch and both engine backends, so that
 * every backend rejects the same mistakes with the same error codes and messages.
 *
 * @module
 */
import { COLUMN_FAMILIES, EngineError, isColumnFamily } from './engine';
import type { BatchOp } from './engine';
import type { ColumnFamily } from './engine';

/** Throws `EngineError('unknown-column-family')` unless `cf` is one of {@link COLUMN_FAMILIES}. */
export function assertColumnFamily(cf: unknown, operation: string): asserts cf is ColumnFamily {
  if (!isColumnFamily(cf)) {
    throw new EngineError(
      'unknown-column-family',
      `${operation} was given the column family ${JSON.stringify(cf)}, which does not exist; ` +
        `use one of ${COLUMN_FAMILIES.map((name) => JSON.stringify(name)).join(', ')}.`,
    );
  }
}

/** Throws `EngineError('invalid-key')` unless `key` is a Buffer. */
export function assertKey(key: unknown, operation: string, what = 'key'): asserts key is Buffer {
  if (!Buffer.isBuffer(key)) {
    throw new EngineError(
      'invalid-key',
      `${operation} was given a ${what} of type ${describeType(key)}; keys must be Buffers ` +
        `(convert a string with Buffer.from(text)).`,
    );
  }
}

/** Throws `EngineError('invalid-value')` unless `value` is a Buffer. */
export function assertValue(value: unknown, operation: string): asserts value is Buffer {
  if (!Buffer.isBuffer(value)) {
    throw new EngineError(
      'invalid-value',
      `${operation} was given a value of type ${describeType(value)}; values must be Buffers ` +
        `(convert a string with Buffer.from(text), use Buffer.alloc(0) for an empty value).`,
    );
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'Uint8Array (not a Buffer)';
  return typeof value;
}

/**
 * Throws `EngineError('key-too-large')` if any key (or range bound) of `ops` is longer than
 * `maxKeyBytes`. Engines call this before writing anything, which is what makes a batch with
 * one bad op write nothing.
 *
 * @param ops - the batch's ops.
 * @param maxKeyBytes - the backend's key limit.
 * @param backend - the backend's name, for the message.
 */
export function assertKeysWithinLimit(ops: readonly BatchOp[], maxKeyBytes: number, backend: string): void {
  for (let index = 0; index < ops.length; index++) {
    const op = ops[index];
    if (op.kind === 'deleteRange') {
      assertKeyLength(op.start, maxKeyBytes, backend, index);
      assertKeyLength(op.end, maxKeyBytes, backend, index);
    } else {
      assertKeyLength(op.key, maxKeyBytes, backend, index);
    }
  }
}

function assertKeyLength(key: Buffer, maxKeyBytes: number, backend: string, index: number): void {
  if (key.length > maxKeyBytes) {
    throw new EngineError(
      'key-too-large',
      `Op #${index} of the write batch has a key of ${key.length} bytes, but the ${backend} engine accepts ` +
        `keys of at most ${maxKeyBytes} bytes; nothing of the batch was written. Shorten the key.`,
    );
  }
}

/** The error for any call on a closed engine, view or iterator. */
export function closedError(operation: string, what: 'engine' | 'view' | 'iterator'): EngineError {
  const advice =
    what === 'engine'
      ? 'keep the engine open until every caller is done with it'
      : what === 'view'
        ? 'take a new view with engine.view(), and close a view only when you no longer read from it'
        : 'create a new iterator, and close it (and its view) only after the last read';
  return new EngineError('closed', `${operation} was called on a closed ${what}; ${advice}.`);
}

/** Throws `EngineError('iterator-invalid')`: the iterator is not positioned at an entry. */
export function invalidIteratorError(operation: string): EngineError {
  return new EngineError(
    'iterator-invalid',
    `${operation} was called on an iterator that is not positioned at an entry; call seek() or seekToFirst() ` +
      `first and check valid() before reading key() or value() or calling next().`,
  );
}
