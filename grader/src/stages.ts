/**
 * The stage registry: the one declarative list of stages that the grader, `tinykv test`,
 * the Makefile targets, `watch`, `export-student` and the docs all read. Adding a stage
 * means adding an entry here (and its tests, rubric and handout), never touching the grader.
 *
 * Paths are relative to the repository root and use `/`.
 *
 * @module
 */

/** One gradable stage. */
export interface StageDefinition {
  /** Lower-case id used on the command line: `1`, `2aa`, `4c`. */
  readonly id: string;
  /** Tag used in test titles, upper-case: `[1]`, `[2AA]`. */
  readonly tag: string;
  /** One-line title for tables and docs. */
  readonly title: string;
  /** The handout a student reads for this stage. */
  readonly handout: string;
  /** Public test files. */
  readonly tests: readonly string[];
  /** Folder of hidden test files (`*.test.ts`), present in the instructor edition only. */
  readonly hiddenDir: string;
  /** Files a student edits for this stage: the editable manifest a submission may replace. */
  readonly editable: readonly string[];
  /** Stages whose student code this stage runs on (stages are cumulative, as in TinyKV). */
  readonly buildsOn: readonly string[];
  /** Wall-clock limit for the stage's test process; past it the process is killed. */
  readonly timeLimitSeconds: number;
  /** Heap limit for the stage's test process. */
  readonly memoryLimitMb: number;
}

/** Where a stage's public rubric lives: `{ "stage": id, "tests": { fullTestName: points } }`. */
export function publicRubricPath(stage: StageDefinition): string {
  return `grader/rubric/${stage.id}.json`;
}

/** Where a stage's hidden rubric lives (same shape), next to the hidden tests. */
export function hiddenRubricPath(stage: StageDefinition): string {
  return `${stage.hiddenDir}/rubric.json`;
}

/** Every stage, in curriculum order. */
export const STAGES: readonly StageDefinition[] = [
  {
    id: '1',
    tag: '1',
    title: 'Standalone storage and the raw API',
    handout: 'labs/1-standalone/README.md',
    tests: ['labs/1-standalone/test/raw-api.test.ts', 'labs/1-standalone/test/standalone-storage.test.ts'],
    hiddenDir: 'grader/hidden/1',
    editable: ['labs/1-standalone/src/standalone-storage.ts', 'labs/1-standalone/src/raw-api.ts'],
    buildsOn: [],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
  // Stage 2A (2aa, 2ab, 2ac) entries go here.
  {
    id: '2aa',
    tag: '2AA',
    title: 'Raft: leader election',
    handout: 'labs/2a-raft/README.md',
    tests: ['labs/2a-raft/test/election.test.ts'],
    hiddenDir: 'grader/hidden/2aa',
    editable: ['labs/2a-raft/src/log.ts', 'labs/2a-raft/src/raft.ts', 'labs/2a-raft/src/rawnode.ts'],
    buildsOn: [],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
  {
    id: '2ab',
    tag: '2AB',
    title: 'Raft: log replication',
    handout: 'labs/2a-raft/README.md',
    tests: ['labs/2a-raft/test/replication.test.ts'],
    hiddenDir: 'grader/hidden/2ab',
    editable: ['labs/2a-raft/src/log.ts', 'labs/2a-raft/src/raft.ts', 'labs/2a-raft/src/rawnode.ts'],
    buildsOn: ['2aa'],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
  {
    id: '2ac',
    tag: '2AC',
    title: 'Raft: RawNode and the Ready / advance contract',
    handout: 'labs/2a-raft/README.md',
    tests: ['labs/2a-raft/test/rawnode.test.ts'],
    hiddenDir: 'grader/hidden/2ac',
    editable: ['labs/2a-raft/src/log.ts', 'labs/2a-raft/src/raft.ts', 'labs/2a-raft/src/rawnode.ts'],
    buildsOn: ['2aa', '2ab'],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
  {
    id: '2b',
    tag: '2B',
    title: 'Raftstore: a key/value store replicated by Raft',
    handout: 'labs/2b-raftstore/README.md',
    tests: [
      'labs/2b-raftstore/test/peer-storage.test.ts',
      'labs/2b-raftstore/test/scenarios.test.ts',
      'labs/2b-raftstore/test/cluster-faults.test.ts',
      'labs/2b-raftstore/test/crash-points.test.ts',
      'labs/2b-raftstore/test/raft-storage.test.ts',
      'labs/2b-raftstore/test/determinism.test.ts',
    ],
    hiddenDir: 'grader/hidden/2b',
    editable: ['labs/2b-raftstore/src/peer-storage.ts', 'labs/2b-raftstore/src/peer-msg-handler.ts'],
    buildsOn: ['2ac'],
    timeLimitSeconds: 240,
    memoryLimitMb: 1536,
  },
  {
    id: '2c',
    tag: '2C',
    title: 'Log compaction and snapshots',
    handout: 'labs/2c-snapshot/README.md',
    tests: [
      'labs/2c-snapshot/test/raft-snapshot.test.ts',
      'labs/2c-snapshot/test/peer-storage-snapshot.test.ts',
      'labs/2c-snapshot/test/snapshot-cluster.test.ts',
      'labs/2c-snapshot/test/scenarios.test.ts',
    ],
    hiddenDir: 'grader/hidden/2c',
    editable: [
      'labs/2a-raft/src/log.ts',
      'labs/2a-raft/src/raft.ts',
      'labs/2a-raft/src/rawnode.ts',
      'labs/2b-raftstore/src/peer-storage.ts',
      'labs/2b-raftstore/src/peer-msg-handler.ts',
    ],
    buildsOn: ['2b'],
    timeLimitSeconds: 300,
    memoryLimitMb: 1536,
  },
  {
    id: '3a',
    tag: '3A',
    title: 'Raft: membership change and leader transfer',
    handout: 'labs/3-multiraft/README.md',
    tests: [
      'labs/3-multiraft/test/3a-membership.test.ts',
      'labs/3-multiraft/test/3a-protocol-scripts.test.ts',
      'labs/3-multiraft/test/3a-membership-safety.test.ts',
    ],
    hiddenDir: 'grader/hidden/3a',
    editable: ['labs/2a-raft/src/log.ts', 'labs/2a-raft/src/raft.ts', 'labs/2a-raft/src/rawnode.ts'],
    buildsOn: ['2ac'],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
  {
    id: '3b',
    tag: '3B',
    title: 'Multi-raft: conf change, leader transfer and split',
    handout: 'labs/3-multiraft/README.md',
    tests: ['labs/3-multiraft/test/3b-conf-change.test.ts', 'labs/3-multiraft/test/3b-split.test.ts', 'labs/3-multiraft/test/3b-scenarios.test.ts'],
    hiddenDir: 'grader/hidden/3b',
    editable: [
      'labs/2a-raft/src/log.ts',
      'labs/2a-raft/src/raft.ts',
      'labs/2a-raft/src/rawnode.ts',
      'labs/2b-raftstore/src/peer-storage.ts',
      'labs/2b-raftstore/src/peer-msg-handler.ts',
    ],
    buildsOn: ['2c', '3a'],
    timeLimitSeconds: 300,
    memoryLimitMb: 1536,
  },
  {
    id: '3c',
    tag: '3C',
    title: 'Scheduler: region heartbeats and balance-region',
    handout: 'labs/3-multiraft/README.md',
    tests: [
      'labs/3-multiraft/test/3c-region-heartbeats.test.ts',
      'labs/3-multiraft/test/3c-split-merge.test.ts',
      'labs/3-multiraft/test/3c-interleaved-heartbeats.test.ts',
      'labs/3-multiraft/test/3c-balance-region.test.ts',
      'labs/3-multiraft/test/3c-operators.test.ts',
      'labs/3-multiraft/test/3c-balance-cluster.test.ts',
    ],
    hiddenDir: 'grader/hidden/3c',
    // The end-to-end test runs the scheduler over the student's own 3B raftstore and Raft.
    editable: [
      'labs/2a-raft/src/log.ts',
      'labs/2a-raft/src/raft.ts',
      'labs/2a-raft/src/rawnode.ts',
      'labs/2b-raftstore/src/peer-storage.ts',
      'labs/2b-raftstore/src/peer-msg-handler.ts',
      'labs/3-multiraft/src/process-region-heartbeat.ts',
      'labs/3-multiraft/src/balance-region-scheduler.ts',
    ],
    buildsOn: ['3b'],
    timeLimitSeconds: 240,
    memoryLimitMb: 1536,
  },
  // Stage 4 (4a, 4b, 4c) entries go here.
  {
    id: '4a',
    tag: '4A',
    title: 'MVCC transaction layer',
    handout: 'labs/4-txn/README.md',
    tests: ['labs/4-txn/test/4a-mvcc-txn.test.ts'],
    hiddenDir: 'grader/hidden/4a',
    editable: ['labs/4-txn/src/mvcc-txn.ts'],
    buildsOn: [],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
  {
    id: '4b',
    tag: '4B',
    title: 'KvGet, KvPrewrite and KvCommit',
    handout: 'labs/4-txn/README.md',
    tests: ['labs/4-txn/test/4b-get-prewrite-commit.test.ts'],
    hiddenDir: 'grader/hidden/4b',
    editable: ['labs/4-txn/src/mvcc-txn.ts', 'labs/4-txn/src/txn-server.ts'],
    buildsOn: [],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
  {
    id: '4c',
    tag: '4C',
    title: 'KvScan, KvCheckTxnStatus, KvBatchRollback and KvResolveLock',
    handout: 'labs/4-txn/README.md',
    tests: ['labs/4-txn/test/4c-scan-status-rollback.test.ts', 'labs/4-txn/test/4c-snapshot-isolation.test.ts'],
    hiddenDir: 'grader/hidden/4c',
    editable: ['labs/4-txn/src/mvcc-txn.ts', 'labs/4-txn/src/txn-server.ts', 'labs/4-txn/src/scanner.ts'],
    buildsOn: [],
    timeLimitSeconds: 120,
    memoryLimitMb: 1024,
  },
];
