/**
 * The storage engine's public API: the contract, the write batch and both backends.
 *
 * @module
 */
export * from './engine';
export { WriteBatch } from './write-batch';
export { MemoryEngine, MEMORY_MAX_KEY_BYTES } from './memory-engine';
export type { MemoryEngineOptions } from './memory-engine';
export { LmdbEngine } from './lmdb-engine';
export type { LmdbEngineOptions } from './lmdb-engine';
export { createEngine } from './create-engine';
export type { EngineKind } from './create-engine';
