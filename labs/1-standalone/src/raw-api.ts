/**
 * Stage 1 (YOUR CODE): the raw key/value handlers, the server object clients talk to.
 *
 * Read labs/1-standalone/README.md first. Replace each `throw new NotImplementedError(...)`
 * with your code; keep every exported name and signature as it is.
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import type {
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

const HANDOUT = 'labs/1-standalone/README.md#rawapi';

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
    // TODO(1): 1. checkRawGetRequest(request) from './request-checks'; a problem becomes
    //          { error: problem, notFound: false }.
    //       2. take a reader from this.storage, getCF, and ALWAYS close the reader (try/finally).
    //       3. undefined means { notFound: true } (not an error!); else { value, notFound: false }.
    //       4. a storage failure becomes { error: describeFailure('RawGet', failure), notFound: false }
    //          ('./failure-message'): never let a handler throw.
    void request;
    throw new NotImplementedError('1', 'RawApi.rawGet', HANDOUT);
  }

  /**
   * Writes one key.
   *
   * @returns `{}` on success, `{ error }` for bad input or a storage failure.
   */
  async rawPut(request: RawPutRequest): Promise<RawPutResponse> {
    // TODO(1): check the request (checkRawPutRequest), then write ONE put Modify through
    // this.storage.write. An empty value is a value, not a delete. Failures become { error }.
    void request;
    throw new NotImplementedError('1', 'RawApi.rawPut', HANDOUT);
  }

  /**
   * Removes one key; removing an absent key succeeds.
   *
   * @returns `{}` on success, `{ error }` for bad input or a storage failure.
   */
  async rawDelete(request: RawDeleteRequest): Promise<RawDeleteResponse> {
    // TODO(1): check the request (checkRawDeleteRequest), then write ONE delete Modify.
    // Deleting a key that is not there is fine: answer {}. Failures become { error }.
    void request;
    throw new NotImplementedError('1', 'RawApi.rawDelete', HANDOUT);
  }

  /**
   * Reads up to `limit` pairs in key order from the first key `>= startKey`.
   *
   * @returns `{ kvs }` on success, `{ error, kvs: [] }` for bad input or a storage failure.
   */
  async rawScan(request: RawScanRequest): Promise<RawScanResponse> {
    // TODO(1): check the request (checkRawScanRequest); take a reader and an iterator over
    // request.cf; seek(startKey); collect pairs while valid() AND fewer than `limit`
    // (limit 0 returns nothing); then close the iterator FIRST and the reader second, also
    // when something threw (nested try/finally). Failures become { error, kvs: [] }.
    void request;
    throw new NotImplementedError('1', 'RawApi.rawScan', HANDOUT);
  }
}
