// Goal: a cluster test that fails because a store answered a proposal with another entry's
// result says so — its kind first, then the store, peer, region, the proposal's index and term
// against the applied entry's and who proposed that entry, the stores' state, and last the replay
// and --trace commands — once; and the same test passes on the reference (the check never fires
// on a correct raftstore).
// Method: a reference workspace runs a scripted fixture test (grader/test/fixtures/
// proposal-matching.test.ts: proposals left on an isolated leader are overwritten by a new
// leader's writes), then the same workspace with the bug-catalog mutant
// `stale-term-proposal-answered-as-success` (proposals matched by index only) runs it again.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyMutant, loadMutants } from '../src/mutants';
import { kitPath } from '../src/repo-paths';
import { stageById } from '../src/stage-selection';
import { buildWorkspace } from '../src/workspace';

jest.setTimeout(5 * 60_000);

const FIXTURE = 'labs/2b-raftstore/test/proposal-matching.test.ts';

async function runFixture(workspace: string): Promise<{ exitCode: number; output: string }> {
  const result = await execa(process.execPath, [kitPath('node_modules/jest/bin/jest.js'), '--ci', FIXTURE], {
    cwd: workspace,
    reject: false,
    env: { FORCE_COLOR: '0', TINYKV_SEED: '', TINYKV_SEEDS: '' },
  });
  return { exitCode: result.exitCode ?? -1, output: `${result.stdout}\n${result.stderr}` };
}

let workspace: string;

beforeAll(() => {
  workspace = buildWorkspace({ impl: 'reference', referenceStages: [] }, fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-cluster-failures-')));
  fs.copyFileSync(kitPath('grader/test/fixtures/proposal-matching.test.ts'), path.join(workspace, FIXTURE));
});

test('the reference answers overwritten proposals with stale-command: the answer check stays silent', async () => {
  const { exitCode, output } = await runFixture(workspace);
  expect({ exitCode, output: exitCode === 0 ? '' : output }).toEqual({ exitCode: 0, output: '' });
  expect(output).toMatch(/Tests:\s+1 passed/);
});

test('a proposal answered with a newer entry\'s result fails as a correctness failure naming store, peer, region, index and term', async () => {
  const mutant = loadMutants(stageById('2b')).find((candidate) => candidate.id === 'stale-term-proposal-answered-as-success');
  if (mutant === undefined) throw new Error('The 2B bug catalog has no mutant stale-term-proposal-answered-as-success: this test needs it.');
  applyMutant(workspace, mutant);
  const { exitCode, output } = await runFixture(workspace);
  expect(exitCode).toBe(1);
  const answered = /\[correctness failure\] store (\d) \(peer (\d), region 1\) answered the get of "x" \(proposed at index (\d+), term (\d+)\) with the result of the entry applied at index (\d+), term (\d+) \(a put of "y" proposed by client 2\): .*Match proposals by index AND term\./.exec(output);
  expect(answered).not.toBeNull();
  const [, store, peer, proposedIndex, proposedTerm, appliedIndex, appliedTerm] = (answered as RegExpExecArray).map(Number);
  expect({ peer, appliedIndex }).toEqual({ peer: store + 1, appliedIndex: proposedIndex });
  expect(appliedTerm).toBeGreaterThan(proposedTerm);
  // Then the stores, then the two commands, last; each said once.
  const order = ['[correctness failure]', 'The stores at virtual time', 'Replay it: npx tinykv replay 2b "[2B] proposals overwritten', 'See its timeline: npx tinykv replay 2b', '--seed 1 --trace /tmp/tinykv-2b-seed-1.jsonl'];
  const positions = order.map((text) => output.indexOf(text));
  expect(positions.every((position, index) => position >= 0 && (index === 0 || position > positions[index - 1]))).toBe(true);
  expect(output.split('Match proposals by index AND term').length - 1).toBe(1);
  expect(output).toMatch(/file:\/\/\/tmp\/tinykv-2b-seed-1\.jsonl\.html#t=\d+-\d+/);
});
