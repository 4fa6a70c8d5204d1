/**
 * The read view and iterator of `MemoryEngine`: they read frozen tree clones.
 *
 * @module
 */
import type { ColumnFamily, EngineIterator, ReadView } from './engine';
import { assertColumnFamily, assertKey, closedError, invalidIteratorError } from './engine-checks';
import type { MemoryTree } from './memory-engine';

/**
 * A snapshot of a `MemoryEngine`: one tree clone per column family. Nobody writes to
 * these clones (the engine copies any node it shares with them before changing it), so
 * reads and iterators never see later writes.
 */
export class MemoryReadView implements ReadView {
  private trees: Record<ColumnFamily, MemoryTree> | undefined;

  /**
   * @param trees - the clones this view owns.
   * @param onClose - told once when the view closes, so the engine stops tracking it.
   */
  constructor(
    trees: Record<ColumnFamily, MemoryTree>,
    private readonly onClose: (view: MemoryReadView) => void,
  ) {
    this.trees = trees;
  }

  /** True once the view (or its engine) was closed. */
  get closed(): boolean {
    return this.trees === undefined;
  }

  /**
   * The value at `key` in `cf` as of the snapshot (a fresh copy), or `undefined`.
   *
   * @throws EngineError `closed`, `unknown-column-family` or `invalid-key`.
   */
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    const tree = this.tree(cf, 'ReadView.get');
    assertKey(key, 'ReadView.get');
    const value = tree.get(key.toString('latin1'));
    return value === undefined ? undefined : Buffer.from(value, 'latin1');
  }

  /**
   * A new, unpositioned iterator over `cf` as of the snapshot.
   *
   * @throws EngineError `closed` or `unknown-column-family`.
   */
  iterator(cf: ColumnFamily): EngineIterator {
    return new MemoryIterator(this.tree(cf, 'ReadView.iterator'), this);
  }

  /** Releases the snapshot; its iterators become unusable. Idempotent. */
  close(): void {
    if (this.trees === undefined) return;
    this.trees = undefined;
    this.onClose(this);
  }

  private tree(cf: ColumnFamily, operation: string): MemoryTree {
    if (this.trees === undefined) throw closedError(operation, 'view');
    assertColumnFamily(cf, operation);
    return this.trees[cf];
  }
}

/** An ordered cursor over one frozen tree clone. */
class MemoryIterator implements EngineIterator {
  private tree: MemoryTree | undefined;
  private cursor: Iterator<[string, string]> | undefined;
  /** The entry the iterator is positioned at; a reused array, overwritten by every step. */
  private current: [string, string] | undefined;
  private readonly reused: string[] = [];

  constructor(
    tree: MemoryTree,
    private readonly view: MemoryReadView,
  ) {
    this.tree = tree;
  }

  seek(key: Buffer): void {
    const tree = this.openTree('EngineIterator.seek');
    assertKey(key, 'EngineIterator.seek');
    this.cursor = tree.entries(key.toString('latin1'), this.reused);
    this.step();
  }

  seekToFirst(): void {
    const tree = this.openTree('EngineIterator.seekToFirst');
    this.cursor = tree.entries(undefined, this.reused);
    this.step();
  }

  valid(): boolean {
    this.openTree('EngineIterator.valid');
    return this.current !== undefined;
  }

  key(): Buffer {
    return Buffer.from(this.positioned('EngineIterator.key')[0], 'latin1');
  }

  value(): Buffer {
    return Buffer.from(this.positioned('EngineIterator.value')[1], 'latin1');
  }

  next(): void {
    this.positioned('EngineIterator.next');
    this.step();
  }

  close(): void {
    this.tree = undefined;
    this.cursor = undefined;
    this.current = undefined;
  }

  private step(): void {
    const result = this.cursor!.next();
    this.current = result.done ? undefined : result.value;
  }

  private openTree(operation: string): MemoryTree {
    if (this.tree === undefined || this.view.closed) throw closedError(operation, 'iterator');
    return this.tree;
  }

  private positioned(operation: string): [string, string] {
    this.openTree(operation);
    if (this.current === undefined) throw invalidIteratorError(operation);
    return this.current;
  }
}
