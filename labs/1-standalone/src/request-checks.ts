/**
 * Provided code (do not edit): input checks for the raw API.
 *
 * Requests come from clients, and clients send garbage: a missing field, a string where a
 * `Buffer` belongs, a column family that does not exist. A server must answer those with
 * an error response instead of throwing (a throw would take the server down with it). Each
 * function here returns `undefined` for a well-formed request, or the sentence to put in
 * the response's `error` field. Call it first in each handler.
 *
 * @example
 * ```ts
 * const problem = checkRawGetRequest(request);
 * if (problem !== undefined) return { error: problem, notFound: false };
 * ```
 *
 * @module
 */
import { COLUMN_FAMILIES, isColumnFamily } from '../../common/engine/engine';

const VALID_FAMILIES = COLUMN_FAMILIES.map((name) => `'${name}'`).join(', ');

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value instanceof Uint8Array) return 'a Uint8Array that is not a Buffer';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function checkObject(operation: string, request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return `${operation} was sent ${describeType(request)} instead of a request object; send an object with the fields the request type lists.`;
  }
  return undefined;
}

function checkBuffer(operation: string, request: object, field: string, meaning: string): string | undefined {
  const value = (request as Record<string, unknown>)[field];
  if (!Buffer.isBuffer(value)) {
    return `${operation} needs '${field}' (${meaning}) as a Buffer but got ${describeType(value)}; convert text with Buffer.from(text).`;
  }
  return undefined;
}

function checkFamily(operation: string, request: object): string | undefined {
  const cf = (request as Record<string, unknown>).cf;
  if (!isColumnFamily(cf)) {
    const got = typeof cf === 'string' ? `the unknown column family '${cf}'` : describeType(cf);
    return `${operation} needs 'cf' to be one of ${VALID_FAMILIES} but got ${got}.`;
  }
  return undefined;
}

/**
 * Checks a RawGet request.
 *
 * @param request - what the client sent.
 * @returns `undefined` when it is well formed, else the error sentence for the response.
 */
export function checkRawGetRequest(request: unknown): string | undefined {
  const operation = 'RawGet';
  return (
    checkObject(operation, request) ??
    checkBuffer(operation, request as object, 'key', 'the key to read') ??
    checkFamily(operation, request as object)
  );
}

/**
 * Checks a RawPut request.
 *
 * @param request - what the client sent.
 * @returns `undefined` when it is well formed, else the error sentence for the response.
 */
export function checkRawPutRequest(request: unknown): string | undefined {
  const operation = 'RawPut';
  return (
    checkObject(operation, request) ??
    checkBuffer(operation, request as object, 'key', 'the key to write') ??
    checkBuffer(operation, request as object, 'value', 'the value to store; use Buffer.alloc(0) for an empty value') ??
    checkFamily(operation, request as object)
  );
}

/**
 * Checks a RawDelete request.
 *
 * @param request - what the client sent.
 * @returns `undefined` when it is well formed, else the error sentence for the response.
 */
export function checkRawDeleteRequest(request: unknown): string | undefined {
  const operation = 'RawDelete';
  return (
    checkObject(operation, request) ??
    checkBuffer(operation, request as object, 'key', 'the key to remove') ??
    checkFamily(operation, request as object)
  );
}

/**
 * Checks a RawScan request.
 *
 * @param request - what the client sent.
 * @returns `undefined` when it is well formed, else the error sentence for the response.
 */
export function checkRawScanRequest(request: unknown): string | undefined {
  const operation = 'RawScan';
  const notAnObject = checkObject(operation, request);
  if (notAnObject !== undefined) return notAnObject;
  const problem =
    checkBuffer(operation, request as object, 'startKey', 'the first key to return; Buffer.alloc(0) scans from the first key') ??
    checkFamily(operation, request as object);
  if (problem !== undefined) return problem;
  const limit = (request as Record<string, unknown>).limit;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    const got = typeof limit === 'number' ? String(limit) : describeType(limit);
    return `${operation} needs 'limit' to be an integer >= 0 (the most pairs to return) but got ${got}.`;
  }
  return undefined;
}
