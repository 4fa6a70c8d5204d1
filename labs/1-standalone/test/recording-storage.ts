/**
 * A {@link Storage} wrapper that records the lifecycle of every reader and iterator it hands
 * out, so tests can check that a handler closes what it opens, in the right order.
 *
 * @module
 */
import type { ColumnFamily, EngineIterator } from '../../common/engine/engine';
import type { Modify, RequestContext, Storage, StorageReader } from '../../common/storage/storage';

/** One lifecycle event: `reader-open`, `reader-close`, `iterator-open`, `iterator-close`, with a serial number. */
export type LifecycleEvent = `${'reader' | 'iterator'}-${'open' | 'close'} ${number}`;

/** Wraps a storage and logs every reader/iterator opened and closed through it. */
export class RecordingStorage implements Storage {
  /** Every event, in order. */
  readonly events: LifecycleEvent[] = [];
  private serial = 0;

  /** @param inner - the storage that does the work. */
  constructor(private readonly inner: Storage) {}

  /** Readers opened and not yet closed. */
  openReaders(): number {
    return this.count('reader-open') - this.count('reader-close');
  }

  /** Iterators opened and not yet closed. */
  openIterators(): number {
    return this.count('iterator-open') - this.count('iterator-close');
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  write(ctx: RequestContext, batch: readonly Modify[]): Promise<void> {
    return this.inner.write(ctx, batch);
  }

  async reader(ctx: RequestContext): Promise<StorageReader> {
    const inner = await this.inner.reader(ctx);
    const readerId = ++this.serial;
    const events = this.events;
    let readerClosed = false;
    this.events.push(`reader-open ${readerId}`);
    const wrapIterator = (iterator: EngineIterator, iteratorId: number): EngineIterator => {
      let iteratorClosed = false;
      return {
        seek: (key) => iterator.seek(key),
        seekToFirst: () => iterator.seekToFirst(),
        valid: () => iterator.valid(),
        key: () => iterator.key(),
        value: () => iterator.value(),
        next: () => iterator.next(),
        close: () => {
          if (!iteratorClosed) events.push(`iterator-close ${iteratorId}`);
          iteratorClosed = true;
          iterator.close();
        },
      };
    };
    return {
      getCF: (cf: ColumnFamily, key: Buffer) => inner.getCF(cf, key),
      iterCF: (cf: ColumnFamily) => {
        const iterator = inner.iterCF(cf);
        const iteratorId = ++this.serial;
        events.push(`iterator-open ${iteratorId}`);
        return wrapIterator(iterator, iteratorId);
      },
      close: () => {
        if (!readerClosed) events.push(`reader-close ${readerId}`);
        readerClosed = true;
        inner.close();
      },
    };
  }

  private count(prefix: string): number {
    return this.events.filter((event) => event.startsWith(`${prefix} `)).length;
  }
}
