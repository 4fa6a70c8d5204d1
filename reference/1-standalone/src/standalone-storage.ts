/**
 * Stage 1 (reference): a {@link Storage} over one local engine, and its reader.
 *
 * @module
 */
import type { ColumnFamily, Engine, EngineIterator, ReadView } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import type { Modify, RequestContext, Storage, StorageReader } from '../../common/storage/storage';
import { openEngine } from './open-engine';
import type { StandaloneStorageConfig } from './open-engine';

/**
 * A consistent, read-only reader over one {@link ReadView} of the engine.
 *
 * Every read goes through the same view, so a reader never sees writes made after it was
 * created. Close every iterator before closing the reader.
 */
export class StandaloneReader implements StorageReader {
  private closed = false;

  /**
   * @param view - the point-in-time view to read from; the reader owns it and closes it.
   */
  constructor(private readonly view: ReadView) {}

  /**
   * The value of `key` in `cf`.
   *
   * @returns the value (an empty `Buffer` is a value), or `undefined` when the key is absent.
   * @throws Error when the reader was closed.
   */
  getCF(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    this.assertOpen('getCF');
    return this.view.get(cf, key);
  }

  /**
   * A new iterator over `cf`, not yet positioned: call `seek` or `seekToFirst` first.
   *
   * @throws Error when the reader was closed.
   */
  iterCF(cf: ColumnFamily): EngineIterator {
    this.assertOpen('iterCF');
    return this.view.iterator(cf);
  }

  /** Releases the view. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.view.close();
  }

  private assertOpen(method: string): void {
    if (this.closed) {
      throw new Error(`StandaloneReader.${method} was called after close(); take a new reader from storage.reader().`);
    }
  }
}

/**
 * A {@link Storage} that keeps everything in one local engine (no replication).
 *
 * Lifecycle: `start()` opens the engine the config names, `stop()` closes it. Between a
 * `stop()` and the next `start()` every call fails.
 *
 * @example
 * ```ts
 * const storage = new StandaloneStorage({ engine: 'memory' });
 * await storage.start();
 * await storage.write({}, [{ kind: 'put', cf: 'default', key: Buffer.from('k'), value: Buffer.from('v') }]);
 * ```
 */
export class StandaloneStorage implements Storage {
  private engine: Engine | undefined = undefined;

  /**
   * @param config - which engine to open on `start()` (see {@link StandaloneStorageConfig}).
   */
  constructor(readonly config: StandaloneStorageConfig) {}

  /**
   * Opens the engine.
   *
   * @throws Error when the storage is already started, or the engine cannot be opened.
   */
  async start(): Promise<void> {
    if (this.engine !== undefined) {
      throw new Error('StandaloneStorage.start was called twice; call stop() before starting it again.');
    }
    this.engine = openEngine(this.config);
  }

  /** Closes the engine. Stopping a stopped storage does nothing. */
  async stop(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    engine?.close();
  }

  /**
   * Applies every modification of `batch` atomically, in order.
   *
   * @param _ctx - ignored by a standalone storage.
   * @param batch - the puts and deletes to apply.
   * @throws Error when not started; EngineError for bad input (nothing is written then).
   */
  async write(_ctx: RequestContext, batch: readonly Modify[]): Promise<void> {
    const engine = this.startedEngine('write');
    const writeBatch = new WriteBatch();
    for (const modify of batch) {
      if (modify.kind === 'put') {
        writeBatch.put(modify.cf, modify.key, modify.value);
      } else {
        writeBatch.delete(modify.cf, modify.key);
      }
    }
    engine.write(writeBatch);
  }

  /**
   * A reader over a point-in-time view of the engine. Close it when done.
   *
   * @param _ctx - ignored by a standalone storage.
   * @throws Error when not started.
   */
  async reader(_ctx: RequestContext): Promise<StorageReader> {
    return new StandaloneReader(this.startedEngine('reader').view());
  }

  private startedEngine(method: string): Engine {
    if (this.engine === undefined) {
      throw new Error(`StandaloneStorage.${method} was called while the storage is stopped; call start() first.`);
    }
    return this.engine;
  }
}
