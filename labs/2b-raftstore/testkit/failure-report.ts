/**
 * What a cluster failure says after its detail: the state of every store (read from its
 * engines) and, last, the commands that replay the failing seed and draw its timeline.
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import { applyStateKey, raftStateKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState } from '../../common/raftstore/raft-apply-state';
import { decodeRaftLocalState } from '../../common/raftstore/raft-local-state';
import { findPeerOnStore, type Region } from '../../common/raftstore/region';
import { ID_NOTATION } from '../../common/testkit/cluster-auditor';
import type { ScenarioFailureContext } from '../../common/testkit/scenario-failure';
import { currentTestSeed, stageOfTestName } from '../../common/testkit/seeds';
import { loadRegions } from '../src/bootstrap';
import type { Cluster } from './cluster';

/** A stretch of virtual time, in ms: where the timeline page should open. */
export interface FocusRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** How much virtual time before the failure the timeline opens on, when nothing narrower is known (and a little after, so the moment is not on the edge). */
const DEFAULT_FOCUS_MS = 400;
const FOCUS_AFTER_MS = 100;

/** The most earlier violations a failure about something else lists. */
const MAX_EARLIER_VIOLATIONS = 5;

/**
 * The context of a cluster failure: the violations the auditor had recorded that the failure
 * does not already say (often the cause), the stores' state, then the replay and `--trace`
 * commands.
 *
 * @param cluster - the failed cluster.
 * @param detail - what the failure says (violations it quotes are not repeated).
 * @param focus - where the timeline page should open (default: the last 400 virtual ms and 100 after).
 */
export function clusterFailureContext(cluster: Cluster, detail: string, focus?: FocusRange): ScenarioFailureContext {
  const nowMs = cluster.runtime.now();
  const earlier = cluster.auditor.violations.filter((violation) => !detail.includes(violation));
  const shown = earlier.slice(0, MAX_EARLIER_VIOLATIONS).map((violation) => `  ${violation}`);
  const more = cluster.auditor.violationCount - (cluster.auditor.violations.length - earlier.length) - shown.length;
  const violations = shown.length === 0 ? [] : [[`The safety auditor had also recorded:`, ...shown, ...(more > 0 ? [`  ... and ${more} more`] : [])].join('\n')];
  return {
    sections: [...violations, describeStores(cluster)],
    footer: replayFooter(currentTestSeed() ?? cluster.seed, focus ?? { fromMs: Math.max(0, nowMs - DEFAULT_FOCUS_MS), toMs: nowMs + FOCUS_AFTER_MS }),
  };
}

/**
 * One line per store and region, from what the store's engines hold (what would survive a
 * crash), with its live role when it is up:
 * `store 1 (peer 2, region 1): up, Leader in term 4; raft engine: term 4, vote 2, commit 37, last index 37; applied index 37`.
 */
export function describeStores(cluster: Cluster): string {
  const lines = [`The stores at virtual time ${cluster.runtime.now()} ms (raft and kv engines as written so far):`];
  for (const storeId of cluster.storeIds()) {
    const engines = cluster.durableEngines(storeId);
    let regions: Region[];
    try {
      regions = loadRegions(engines.kv);
    } catch {
      regions = [cluster.region];
    }
    for (const region of regions) lines.push(`  ${describeStore(cluster, storeId, region)}`);
  }
  lines.push(ID_NOTATION);
  return lines.join('\n');
}

function describeStore(cluster: Cluster, storeId: number, region: Region): string {
  const engines = cluster.durableEngines(storeId);
  const peerId = findPeerOnStore(region, storeId)?.id;
  const name = `store ${storeId} (${peerId !== undefined ? `peer ${peerId}, ` : ''}region ${region.id})`;
  const parts: string[] = [liveRole(cluster, storeId, region.id)];
  try {
    const raftBytes = engines.raft.get(CF_DEFAULT, raftStateKey(region.id));
    if (raftBytes !== undefined) {
      const raft = decodeRaftLocalState(raftBytes);
      parts.push(`raft engine: term ${raft.hardState.term}, vote ${raft.hardState.vote}, commit ${raft.hardState.commit}, last index ${raft.lastIndex}`);
    }
    const applyBytes = engines.kv.get(CF_DEFAULT, applyStateKey(region.id));
    if (applyBytes !== undefined) parts.push(`applied index ${decodeApplyState(applyBytes).appliedIndex}`);
  } catch (error) {
    parts.push(`its engines hold a record that does not decode (${error instanceof Error ? error.message : String(error)})`);
  }
  return `${name}: ${parts.join('; ')}`;
}

function liveRole(cluster: Cluster, storeId: number, regionId: number): string {
  if (!cluster.node(storeId).isUp) return 'down';
  try {
    const raft = cluster.node(storeId).process.store.peerOf(regionId)?.peer.rawNode.raft;
    return raft === undefined ? 'up, no peer' : `up, ${raft.state} in term ${raft.term}`;
  } catch {
    return 'up';
  }
}

/** The full name of the running jest test, or undefined outside jest (a benchmark). */
function currentTestName(): string | undefined {
  if (typeof expect !== 'function' || typeof expect.getState !== 'function') return undefined;
  return expect.getState().currentTestName ?? undefined;
}

/**
 * The last lines of a failure: the command that replays this seed of this test, and the
 * one that also writes its trace and timeline page, with the page's address opening at `focus`.
 *
 * @param seed - the run's seed.
 * @param focus - the stretch of virtual time the page should open on.
 * @returns two or three lines.
 */
export function replayFooter(seed: number, focus: FocusRange): string[] {
  const testName = currentTestName();
  const stage = (testName !== undefined ? stageOfTestName(testName) : undefined) ?? '2b';
  const quoted = (testName ?? '<the full test name>').replace(/(["\\$`])/g, '\\$1');
  const replay = `npx tinykv replay ${stage} "${quoted}" --seed ${seed}`;
  const traceFile = `/tmp/tinykv-${stage}-seed-${seed}.jsonl`;
  const fromMs = Math.max(0, Math.floor(focus.fromMs));
  const toMs = Math.max(fromMs + 1, Math.ceil(focus.toMs));
  return [
    `Replay it: ${replay}`,
    `See its timeline: ${replay} --trace ${traceFile}`,
    `  then open file://${traceFile}.html#t=${fromMs}-${toMs} in a browser (it opens on the moment it went wrong).`,
  ];
}
