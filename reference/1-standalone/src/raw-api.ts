/**
 * Stage 1 (reference): the raw key/value handlers, the server object clients talk to.
 *
 * @module
 */
import type {
  KvPair,
  RawDeleteRequest,
  RawDeleteResponse,
  RawGetRequest,
  RawGetResponse,
  RawPutRequest,
  RawPutResponse,
  RawScanRequest,
  RawScanResponse,
} from '../../common/proto/raw';
import type { Storage } from '../../common/storage/storage';
import { describeFailure } from './failure-message';
import { checkRawDeleteRequest, checkRawGetRequest, checkRawPutRequest, checkRawScanRequest } from './request-checks';

/**
 * The raw API server: RawGet, RawPut, RawDelete and RawScan over a {@link Storage}.
 *
 * No handler ever rejects: bad input and storage failures come back in the response's
 * `error` field.
 *
 * @example
 * ```ts
 * const api = new RawApi(storage);
 * await api.rawPut({ key: Buffer.from('k'), value: Buffer.from('v'), cf: 'default' });
 * const { value, notFound } = await api.rawGet({ key: Buffer.from('k'), cf: 'default' });
 * ```
 */
export class RawApi {
  /**
   * @param storage - the started storage every handler reads from and writes to.
   */
  constructor(readonly storage: Storage) {}

  /**
   * Reads one key.
   *
   * @returns `{ value, notFound: false }` when present, `{ notFound: true }` when absent,
   *   `{ error, notFound: false }` for bad input or a storage failure.
   */
  async rawGet(request: RawGetRequest): Promise<RawGetResponse> {
    const problem = checkRawGetRequest(request);
    if (problem !== undefined) return { error: problem, notFound: false };
    try {
      const reader = await this.storage.reader(request.context ?? {});
      try {
        const value = reader.getCF(request.cf, request.key);
        return value === undefined ? { notFound: true } : { value, notFound: false };
      } finally {
        reader.close();
      }
    } catch (failure) {
      return { error: describeFailure('RawGet', failure), notFound: false };
    }
  }

  /**
   * Writes one key.
   *
   * @returns `{}` on success, `{ error }` for bad input or a storage failure.
   */
  async rawPut(request: RawPutRequest): Promise<RawPutResponse> {
    const problem = checkRawPutRequest(request);
    if (problem !== undefined) return { error: problem };
    try {
      await this.storage.write(request.context ?? {}, [
        { kind: 'put', cf: request.cf, key: request.key, value: request.value },
      ]);
      return {};
    } catch (failure) {
      return { error: describeFailure('RawPut', failure) };
    }
  }

  /**
   * Removes one key; removing an absent key succeeds.
   *
   * @returns `{}` on success, `{ error }` for bad input or a storage failure.
   */
  async rawDelete(request: RawDeleteRequest): Promise<RawDeleteResponse> {
    const problem = checkRawDeleteRequest(request);
    if (problem !== undefined) return { error: problem };
    try {
      await this.storage.write(request.context ?? {}, [{ kind: 'delete', cf: request.cf, key: request.key }]);
      return {};
    } catch (failure) {
      return { error: describeFailure('RawDelete', failure) };
    }
  }

  /**
   * Reads up to `limit` pairs in key order from the first key `>= startKey`.
   *
   * @returns `{ kvs }` on success, `{ error, kvs: [] }` for bad input or a storage failure.
   */
  async rawScan(request: RawScanRequest): Promise<RawScanResponse> {
    const problem = checkRawScanRequest(request);
    if (problem !== undefined) return { error: problem, kvs: [] };
    try {
      const reader = await this.storage.reader(request.context ?? {});
      try {
        const iterator = reader.iterCF(request.cf);
        try {
          const kvs: KvPair[] = [];
          iterator.seek(request.startKey);
          while (kvs.length < request.limit && iterator.valid()) {
            kvs.push({ key: iterator.key(), value: iterator.value() });
            iterator.next();
          }
          return { kvs };
        } finally {
          // The iterator reads through the reader's view: it must go first.
          iterator.close();
        }
      } finally {
        reader.close();
      }
    } catch (failure) {
      return { error: describeFailure('RawScan', failure), kvs: [] };
    }
  }
}
