/**
 * The runtime: the {@link Runtime} contract, the {@link SimulatedRuntime} that runs it in
 * virtual time, scopes, seeded randomness and the errors a stuck simulation reports.
 *
 * @module
 */
export type { Runtime, TimerHandle } from './runtime';
export { checkDelayMs } from './runtime';
export { SimulatedRuntime } from './simulated-runtime';
export type { SimulatedRuntimeOptions, RunUntilOptions } from './simulated-runtime';
export { RuntimeScope } from './runtime-scope';
export type { RuntimeScopeOptions } from './runtime-scope';
export { delay } from './delay';
export { BinaryHeap } from './binary-heap';
export { createRng } from './rng';
export type { Rng } from './rng';
export { SimulationStuckError, SimulationEventError, formatPendingReport } from './simulation-errors';
export type { PendingGroup, PendingReport } from './simulation-errors';
