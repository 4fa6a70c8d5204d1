/**
 * Stage 3A — protocol scripts.
 *
 * Goal: check membership change and leader transfer as protocol traces a student can read:
 * each script in `3a-scripts/` drives a small group of RawNodes command by command and states
 * what every step must print (messages sent and delivered, roles, commits, applied conf
 * changes, the leader's pending transfer). Method: `defineScriptTests` makes one test per
 * script; the driver (`labs/2a-raft/testkit/raft-script-driver.ts`) handles each node's Ready as
 * the raftstore does; a failure shows the first line that differs. The format and the trace
 * are explained in the handout, `labs/3-multiraft/README.md#reading-a-protocol-script-3a`.
 */
import * as path from 'node:path';
import { defineScriptTests } from '../../2a-raft/testkit/protocol-script';
import { RaftScriptDriver } from '../../2a-raft/testkit/raft-script-driver';

defineScriptTests(path.join(__dirname, '3a-scripts'), {
  stageTag: '3A',
  createHandler: () => new RaftScriptDriver().handle,
  handout: 'labs/3-multiraft/README.md#reading-a-protocol-script-3a',
});
