/**
 * The simulator: network, crashable engines, simulated nodes and the trace. See the
 * README next to this file for the model (virtual time, event order, seeds, replay).
 *
 * @module
 */
export { SimulatedNetwork } from './simulated-network';
export type { DropReason, FilterHandle, MessageFilter, MessageHandler, NetworkStats, SimulatedNetworkOptions } from './simulated-network';
export { RELIABLE_LINK, UNRELIABLE_LINK, resolveLinkOptions } from './link-options';
export type { LinkOptions } from './link-options';
export { CrashSignal, isCrashSignal } from './crash-signal';
export { CrashPlan } from './crash-plan';
export { CrashableEngine } from './crashable-engine';
export type { CrashableEngineOptions } from './crashable-engine';
export { SimNode } from './sim-node';
export type { CrashRecord, SimNodeContext, SimNodeOptions, SimProcess, StartOptions } from './sim-node';
export { Trace, formatTraceLine, linearizabilityTraceEvent } from './trace';
export { createPingCluster, PingProcess } from './ping-workload';
export type { PingCluster, PingClusterOptions, PingMessage } from './ping-workload';
export type { LinearizabilityTraceEvent, StandardTraceKind, TraceClock, TraceEvent, TraceOptions } from './trace';
