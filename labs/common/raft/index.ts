/**
 * The Raft wire and persistence types shared by every stage (TinyKV's `eraftpb` package).
 *
 * @module
 */
export * from './conf-change';
export * from './entry';
export * from './hard-state';
export * from './message';
export * from './snapshot';
