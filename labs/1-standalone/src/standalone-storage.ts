/**
 * Stage 1 (YOUR CODE): a {@link Storage} over one local engine, and its reader.
 *
 * Read labs/1-standalone/README.md first. Replace each `throw new NotImplementedError(...)`
 * with your code; keep every exported name and signature as it is (the tests and the
 * grader rely on them).
 *
 * @module
 */
import type { ColumnFamily, EngineIterator, ReadView } from '../../common/engine/engine';
import { NotImplementedError } from '../../common/not-implemented';
import type { Modify, RequestContext, Storage, StorageReader } from '../../common/storage/storage';
import type { StandaloneStorageConfig } from './open-engine';

const HANDOUT = 'labs/1-standalone/README.md';

/**
 * A consistent, read-only reader over one {@link ReadView} of the engine.
 *
 * Every read goes through the same view, so a reader never sees writes made after it was
 * created. Close every iterator before closing the reader.
 */
export class StandaloneReader implements StorageReader {
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
    // TODO(1): read `key` of `cf` from this.view. A missing key is `undefined`, NOT an error
    // (and not an empty Buffer: the empty Buffer is a value someone stored).
    // Refuse (throw an Error with a clear message) once close() has been called.
    void [cf, key, this.view];
    throw new NotImplementedError('1', 'StandaloneReader.getCF', `${HANDOUT}#standalonereader`);
  }

  /**
   * A new iterator over `cf`, not yet positioned: call `seek` or `seekToFirst` first.
   *
   * @throws Error when the reader was closed.
   */
  iterCF(cf: ColumnFamily): EngineIterator {
    // TODO(1): return an iterator over `cf` of this.view. Whoever asks for it must close it,
    // before closing this reader. Refuse once close() has been called.
    void cf;
    throw new NotImplementedError('1', 'StandaloneReader.iterCF', `${HANDOUT}#standalonereader`);
  }

  /** Releases the view. Idempotent. */
  close(): void {
    // TODO(1): close the view exactly once; a second close() must do nothing.
    throw new NotImplementedError('1', 'StandaloneReader.close', `${HANDOUT}#standalonereader`);
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
  // TODO(1): add a field for the open engine between start() and stop(), for example
  // `private engine: Engine | undefined = undefined;` (import type Engine from
  // '../../common/engine/engine').

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
    // TODO(1): open the engine with openEngine(this.config) from './open-engine' and keep it.
    // Starting twice without a stop() in between is a mistake: throw an Error that says so.
    throw new NotImplementedError('1', 'StandaloneStorage.start', `${HANDOUT}#standalonestorage`);
  }

  /** Closes the engine. Stopping a stopped storage does nothing. */
  async stop(): Promise<void> {
    // TODO(1): close the engine and forget it, so later calls fail until start() again.
    // With LMDB, this is what makes the data reopenable by the next start().
    throw new NotImplementedError('1', 'StandaloneStorage.stop', `${HANDOUT}#standalonestorage`);
  }

  /**
   * Applies every modification of `batch` atomically, in order.
   *
   * @param _ctx - ignored by a standalone storage.
   * @param batch - the puts and deletes to apply.
   * @throws Error when not started; EngineError for bad input (nothing is written then).
   */
  async write(_ctx: RequestContext, batch: readonly Modify[]): Promise<void> {
    // TODO(1): turn every Modify into an op of ONE WriteBatch ('../../common/engine/write-batch'),
    // in order (a put then a delete of the same key leaves it absent), and write that batch
    // once, so that the whole batch applies or none of it does. Throw when not started.
    void batch;
    throw new NotImplementedError('1', 'StandaloneStorage.write', `${HANDOUT}#standalonestorage`);
  }

  /**
   * A reader over a point-in-time view of the engine. Close it when done.
   *
   * @param _ctx - ignored by a standalone storage.
   * @throws Error when not started.
   */
  async reader(_ctx: RequestContext): Promise<StorageReader> {
    // TODO(1): take a view of the engine and wrap it in a StandaloneReader. Throw when not started.
    throw new NotImplementedError('1', 'StandaloneStorage.reader', `${HANDOUT}#standalonestorage`);
  }
}
