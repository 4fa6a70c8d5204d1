/**
 * The on-disk engine: one LMDB database, column families as a one-byte key prefix.
 *
 * Every key is stored as `[cf byte] ++ key`. The prefix keeps column families apart in one
 * ordered keyspace (so a range within a column family is a range of the database) and makes
 * the empty user key a valid LMDB key (LMDB rejects empty keys). Only lmdb-js's synchronous
 * API is used: its asynchronous writes are batched per event-loop turn, which would make
 * writes land at times the deterministic simulator does not control.
 *
 * @module
 */
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { COLUMN_FAMILIES } from './engine';
import type { ColumnFamily, Engine, ReadView } from './engine';
import { assertColumnFamily, assertKey, assertKeysWithinLimit, closedError } from './engine-checks';
import { LmdbReadView } from './lmdb-read-view';
import type { WriteBatch } from './write-batch';

/** The LMDB database holding the engine's data; keys and values are raw bytes. */
export type LmdbStore = Database<Buffer, Buffer>;

/** LMDB's default key limit, used when lmdb-js does not report its own. */
const LMDB_DEFAULT_MAX_KEY_BYTES = 1978;

/** The prefix byte of each column family (its index in {@link COLUMN_FAMILIES}). */
const CF_PREFIX: Readonly<Record<ColumnFamily, number>> = Object.fromEntries(
  COLUMN_FAMILIES.map((cf, index) => [cf, index]),
) as Record<ColumnFamily, number>;

/** `[prefix of cf] ++ key`: the LMDB key of `key` in `cf`. */
export function lmdbKey(cf: ColumnFamily, key: Buffer): Buffer {
  const stored = Buffer.allocUnsafe(key.length + 1);
  stored[0] = CF_PREFIX[cf];
  key.copy(stored, 1);
  return stored;
}

/** The first LMDB key after every key of `cf`: the next column family's empty key. */
export function lmdbEndOfColumnFamily(cf: ColumnFamily): Buffer {
  return Buffer.from([CF_PREFIX[cf] + 1]);
}

/** Options of {@link LmdbEngine.open}. */
export interface LmdbEngineOptions {
  /**
   * Skip the fsync when a write commits (default false). Faster, and data still survives a
   * process exit, but not a power cut. Tests use it.
   */
  readonly noSync?: boolean;
}

/**
 * An {@link Engine} stored on disk with LMDB: durable across close and reopen.
 *
 * `write` is one synchronous LMDB write transaction. `view` holds one LMDB read transaction,
 * which is a true snapshot of every column family at once; close views promptly, since an
 * open read transaction keeps LMDB from reusing the pages it sees.
 *
 * @example
 * ```ts
 * const engine = LmdbEngine.open('/tmp/store-1', { noSync: true });
 * engine.write(new WriteBatch().put(CF_DEFAULT, Buffer.from('k'), Buffer.from('v')));
 * engine.close();
 * LmdbEngine.open('/tmp/store-1').get(CF_DEFAULT, Buffer.from('k')); // <Buffer 76>
 * ```
 */
export class LmdbEngine implements Engine {
  readonly backend = 'lmdb';
  readonly maxKeyBytes: number;
  private readonly openViews = new Set<LmdbReadView>();
  private isClosed = false;

  private constructor(
    private readonly root: RootDatabase,
    private readonly store: LmdbStore,
  ) {
    const reported = (store as unknown as { maxKeySize?: unknown }).maxKeySize;
    const lmdbMaxKeyBytes = typeof reported === 'number' && reported > 1 ? reported : LMDB_DEFAULT_MAX_KEY_BYTES;
    // One byte of every LMDB key is the column family prefix.
    this.maxKeyBytes = lmdbMaxKeyBytes - 1;
  }

  /**
   * Opens (creating if needed) the engine stored in directory `path`.
   *
   * @param path - a directory; created if missing. Reopening the same path finds the data.
   * @param options - see {@link LmdbEngineOptions}.
   * @returns the open engine; close it when done.
   * @throws Error from LMDB when the directory cannot be created or opened.
   */
  static open(path: string, options: LmdbEngineOptions = {}): LmdbEngine {
    const root = open(path, {
      noSync: options.noSync ?? false,
      compression: false,
      keyEncoding: 'binary',
      encoding: 'binary',
      maxDbs: 4,
    });
    const store = root.openDB<Buffer, Buffer>('tinykv-engine', { keyEncoding: 'binary', encoding: 'binary', compression: false });
    return new LmdbEngine(root, store);
  }

  /** True once {@link close} has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * The latest value at `key` in `cf` (a fresh copy), or `undefined` when absent.
   *
   * @throws EngineError `closed`, `unknown-column-family` or `invalid-key`.
   */
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    this.assertOpen('LmdbEngine.get');
    assertColumnFamily(cf, 'LmdbEngine.get');
    assertKey(key, 'LmdbEngine.get');
    // A key over the limit cannot have been written, and LMDB would throw on it.
    if (key.length > this.maxKeyBytes) return undefined;
    return this.store.get(lmdbKey(cf, key));
  }

  /**
   * Applies every op of `batch` in one LMDB write transaction: all or nothing. Key limits are
   * checked before the transaction starts; an error inside it aborts the transaction.
   *
   * @throws EngineError `closed`, or `key-too-large` (nothing written).
   */
  write(batch: WriteBatch): void {
    this.assertOpen('LmdbEngine.write');
    const ops = batch.ops;
    assertKeysWithinLimit(ops, this.maxKeyBytes, this.backend);
    if (ops.length === 0) return;
    const store = this.store;
    store.transactionSync(() => {
      for (const op of ops) {
        if (op.kind === 'put') {
          store.putSync(lmdbKey(op.cf, op.key), op.value);
        } else if (op.kind === 'delete') {
          store.removeSync(lmdbKey(op.cf, op.key));
        } else {
          const end = op.end.length === 0 ? lmdbEndOfColumnFamily(op.cf) : lmdbKey(op.cf, op.end);
          // Collect first: removing entries while a cursor walks them is not safe.
          const doomed = Array.from(store.getKeys({ start: lmdbKey(op.cf, op.start), end }));
          for (const key of doomed) store.removeSync(key);
        }
      }
    });
  }

  /**
   * A point-in-time snapshot of every column family: one LMDB read transaction.
   *
   * @throws EngineError `closed`.
   */
  view(): ReadView {
    this.assertOpen('LmdbEngine.view');
    const view = new LmdbReadView(this.store, this.store.useReadTransaction(), this.maxKeyBytes, (closing) =>
      this.openViews.delete(closing),
    );
    this.openViews.add(view);
    return view;
  }

  /** Closes every open view, then the database. Idempotent. Data stays on disk. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const view of [...this.openViews]) view.close();
    // lmdb-js returns a promise from close; with no async writes pending it closes at once.
    void this.store.close();
    void this.root.close();
  }

  private assertOpen(operation: string): void {
    if (this.isClosed) throw closedError(operation, 'engine');
  }
}
