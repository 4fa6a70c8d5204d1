/**
 * A {@link Storage} over a {@link MemoryEngine}: the storage the stage 4 tests and benchmark
 * run the transaction server on (TinyKV's MemStorage plays the same part).
 *
 * Writes apply atomically through one `WriteBatch`; a reader is an engine read view, so it
 * sees a consistent snapshot taken when it was created and nothing written later.
 *
 * @module
 */
import { MemoryEngine } from '../engine/memory-engine';
import { WriteBatch } from '../engine/write-batch';
import type { Engine } from '../engine/engine';
import type { Modify, RequestContext, Storage, StorageReader } from './storage';

/** In-memory storage; `start` and `stop` are cheap and `stop` closes the engine. */
export class MemoryKvStorage implements Storage {
  /** The engine holding the data (tests read it directly to check byte layouts). */
  readonly engine: Engine;

  /** @param engine - the engine to use; a fresh {@link MemoryEngine} by default. */
  constructor(engine: Engine = new MemoryEngine()) {
    this.engine = engine;
  }

  /** Nothing to open: the engine is ready when constructed. */
  async start(): Promise<void> {}

  /** Closes the engine; later calls fail. */
  async stop(): Promise<void> {
    this.engine.close();
  }

  /**
   * Applies `batch` atomically.
   *
   * @throws EngineError for an unknown column family, a bad key or a closed engine.
   */
  async write(_ctx: RequestContext, batch: readonly Modify[]): Promise<void> {
    const writeBatch = new WriteBatch();
    for (const modify of batch) {
      if (modify.kind === 'put') writeBatch.put(modify.cf, modify.key, modify.value);
      else writeBatch.delete(modify.cf, modify.key);
    }
    this.engine.write(writeBatch);
  }

  /** A reader over a snapshot taken now; close it when done. */
  async reader(_ctx: RequestContext): Promise<StorageReader> {
    const view = this.engine.view();
    return {
      getCF: (cf, key) => view.get(cf, key),
      iterCF: (cf) => view.iterator(cf),
      close: () => view.close(),
    };
  }
}
