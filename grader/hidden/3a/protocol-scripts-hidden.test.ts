/**
 * Stage 3A — hidden protocol scripts.
 *
 * Goal: the corners of membership change and leader transfer the public scripts leave out: a
 * higher-term vote during a transfer, removing the transferee, a new leader inheriting a
 * pending conf change, a removal that commits a waiting entry in a four-node group, a leader
 * removing itself, and MsgTimeoutNow at a non-member. Method: the same driver and format as
 * the public scripts (`labs/3-multiraft/test/3a-protocol-scripts.test.ts`), on the scripts in
 * `scripts/` next to this file.
 */
import * as path from 'node:path';
import { defineScriptTests } from '../../../labs/2a-raft/testkit/protocol-script';
import { RaftScriptDriver } from '../../../labs/2a-raft/testkit/raft-script-driver';

defineScriptTests(path.join(__dirname, 'scripts'), {
  stageTag: '3A',
  createHandler: () => new RaftScriptDriver().handle,
  handout: 'labs/3-multiraft/README.md#reading-a-protocol-script-3a',
});
