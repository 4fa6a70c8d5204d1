/**
 * The in-memory engine: one sorted-btree per column family, cheap snapshots by copy-on-write.
 *
 * Keys and values are stored as latin1 strings (one character per byte). A latin1 string
 * compares with `<` exactly as its bytes compare with memcmp, and measured here string keys
 * made the tree about 2x faster than Buffer keys with `Buffer.compare` (100k inserts, gets and
 * a scan: ~260 ms against ~560 ms). Strings are also immutable, so nothing a caller holds can
 * alias the stored data, and turning one back into a Buffer always makes a fresh copy.
 *
 * @module
 */
import BTree from 'sorted-btree';
import { COLUMN_FAMILIES } from './engine';
import type { ColumnFamily, Engine, ReadView } from './engine';
import { assertColumnFamily, assertKey, assertKeysWithinLimit, closedError } from './engine-checks';
import { MemoryReadView } from './memory-read-view';
import type { WriteBatch } from './write-batch';

/** A tree of one column family: latin1 key → latin1 value. */
export type MemoryTree = BTree<string, string>;

/** Bytewise order on latin1 strings (each char code is one byte, 0..255). */
function compareLatin1(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The default key limit of the memory engine: 64 KiB, large enough for any key the labs make. */
export const MEMORY_MAX_KEY_BYTES = 64 * 1024;

/** Options of {@link MemoryEngine}. */
export interface MemoryEngineOptions {
  /** Largest accepted key in bytes (default {@link MEMORY_MAX_KEY_BYTES}). */
  readonly maxKeyBytes?: number;
}

/**
 * An {@link Engine} held in memory: fast, deterministic, gone when the process ends.
 *
 * `view()` is O(1): it clones each column family's tree, and sorted-btree's `clone()` only
 * marks the root as shared; the engine copies a shared node the first time a later write
 * touches it, so the view's nodes never change.
 *
 * @example
 * ```ts
 * const engine = new MemoryEngine();
 * engine.write(new WriteBatch().put(CF_DEFAULT, Buffer.from('k'), Buffer.from('v')));
 * engine.get(CF_DEFAULT, Buffer.from('k')); // <Buffer 76>
 * ```
 */
export class MemoryEngine implements Engine {
  readonly backend = 'memory';
  readonly maxKeyBytes: number;
  private readonly trees: Record<ColumnFamily, MemoryTree>;
  private readonly openViews = new Set<MemoryReadView>();
  private isClosed = false;

  /**
   * @param options - optional key limit.
   * @throws RangeError when `maxKeyBytes` is not a positive integer.
   */
  constructor(options: MemoryEngineOptions = {}) {
    const maxKeyBytes = options.maxKeyBytes ?? MEMORY_MAX_KEY_BYTES;
    if (!Number.isSafeInteger(maxKeyBytes) || maxKeyBytes < 1) {
      throw new RangeError(`MemoryEngine was given maxKeyBytes ${maxKeyBytes}; pass a positive integer.`);
    }
    this.maxKeyBytes = maxKeyBytes;
    this.trees = Object.fromEntries(
      COLUMN_FAMILIES.map((cf) => [cf, new BTree<string, string>(undefined, compareLatin1)]),
    ) as Record<ColumnFamily, MemoryTree>;
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
    this.assertOpen('MemoryEngine.get');
    assertColumnFamily(cf, 'MemoryEngine.get');
    assertKey(key, 'MemoryEngine.get');
    const value = this.trees[cf].get(key.toString('latin1'));
    return value === undefined ? undefined : Buffer.from(value, 'latin1');
  }

  /**
   * Applies every op of `batch`, in order, all or nothing: every check runs before the first
   * change, and applying a checked op to a tree cannot fail.
   *
   * @throws EngineError `closed`, or `key-too-large` (nothing written).
   */
  write(batch: WriteBatch): void {
    this.assertOpen('MemoryEngine.write');
    const ops = batch.ops;
    assertKeysWithinLimit(ops, this.maxKeyBytes, this.backend);
    for (const op of ops) {
      const tree = this.trees[op.cf];
      if (op.kind === 'put') {
        tree.set(op.key.toString('latin1'), op.value.toString('latin1'));
      } else if (op.kind === 'delete') {
        tree.delete(op.key.toString('latin1'));
      } else {
        deleteRange(tree, op.start.toString('latin1'), op.end.toString('latin1'));
      }
    }
  }

  /**
   * A point-in-time snapshot of every column family, in O(1).
   *
   * @throws EngineError `closed`.
   */
  view(): ReadView {
    this.assertOpen('MemoryEngine.view');
    const snapshot = Object.fromEntries(COLUMN_FAMILIES.map((cf) => [cf, this.trees[cf].clone()])) as Record<
      ColumnFamily,
      MemoryTree
    >;
    const view = new MemoryReadView(snapshot, (closing) => this.openViews.delete(closing));
    this.openViews.add(view);
    return view;
  }

  /** Closes the engine and every view still open on it. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const view of [...this.openViews]) view.close();
    for (const cf of COLUMN_FAMILIES) this.trees[cf].clear();
  }

  private assertOpen(operation: string): void {
    if (this.isClosed) throw closedError(operation, 'engine');
  }
}

/** Removes keys in `[start, end)`; an empty `end` means no upper bound. */
function deleteRange(tree: MemoryTree, start: string, end: string): void {
  if (end.length === 0) {
    const last = tree.maxKey();
    if (last !== undefined && last >= start) tree.deleteRange(start, last, true);
    return;
  }
  if (start < end) tree.deleteRange(start, end, false);
}
