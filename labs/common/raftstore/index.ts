/**
 * Store-side types shared by the raftstore stages (2B, 2C, 3B) and the cluster test kit:
 * regions, raft commands and their errors, store messages, and the records the raftstore
 * keeps in its two engines with their byte layouts.
 *
 * @module
 */
export * from './byte-layout';
export * from './entry-codec';
export * from './meta-keys';
export * from './raft-apply-state';
export * from './raft-cmd';
export * from './raft-local-state';
export * from './raftstore-error';
export * from './region';
export * from './region-reader';
export * from './store-engines';
export * from './store-message';
