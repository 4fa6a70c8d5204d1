/**
 * Scheduler messages shared by the raftstore (3B) and the scheduler (3C): region and store
 * heartbeats and the operator steps the scheduler answers with. Types only: the scheduler
 * itself lives in `labs/3-multiraft/src`.
 *
 * @module
 */
export * from './heartbeat';
export * from './scheduler-client';
