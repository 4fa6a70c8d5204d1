// Goal: seeded tests run the seeds the environment asks for, report every failing seed, and
// print a replay command that reruns exactly the first one.
import { NotImplementedError } from '../../not-implemented';
import { forEachSeed, replayCommand, SeedFailure, stageOfTestName, testSeeds } from '../seeds';

const saved = { seed: process.env.TINYKV_SEED, seeds: process.env.TINYKV_SEEDS };
afterEach(() => {
  for (const [name, value] of [['TINYKV_SEED', saved.seed], ['TINYKV_SEEDS', saved.seeds]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

test('runs seeds 1..defaultCount when the environment says nothing', () => {
  delete process.env.TINYKV_SEED;
  delete process.env.TINYKV_SEEDS;
  expect(testSeeds(3)).toEqual([1, 2, 3]);
});

test('TINYKV_SEEDS=N runs seeds 1..N and TINYKV_SEED=S runs exactly S', () => {
  process.env.TINYKV_SEEDS = '5';
  expect(testSeeds(2)).toEqual([1, 2, 3, 4, 5]);
  process.env.TINYKV_SEED = '42';
  expect(testSeeds(2)).toEqual([42]);
});

test('a malformed seed setting is a clear error', () => {
  process.env.TINYKV_SEEDS = 'lots';
  expect(() => testSeeds(2)).toThrow('TINYKV_SEEDS must be a non-negative integer, got "lots".');
});

test('every failing seed is reported, with the replay command of the first', async () => {
  delete process.env.TINYKV_SEED;
  process.env.TINYKV_SEEDS = '6';
  const ran: number[] = [];
  const failure = await forEachSeed(1, (seed) => {
    ran.push(seed);
    if (seed % 3 === 0) throw new Error(`bad seed ${seed}`);
  }).catch((error: unknown) => error);
  expect(ran).toEqual([1, 2, 3, 4, 5, 6]);
  expect(failure).toBeInstanceOf(SeedFailure);
  const seeded = failure as SeedFailure;
  expect(seeded.seeds).toEqual([3, 6]);
  expect(seeded.message).toContain('Failed under seeds 3, 6 (2 of 6 run).');
  expect(seeded.message).toContain('--seed 3');
  expect(seeded.message).toContain('bad seed 3');
});

test('a seeded failure carries its message once: the stack holds only the frames after it', async () => {
  delete process.env.TINYKV_SEED;
  process.env.TINYKV_SEEDS = '2';
  const failure = (await forEachSeed(1, () => {
    throw new Error('first line of a diff\n- Expected\n+ Received');
  }).catch((error: unknown) => error)) as SeedFailure;
  expect(failure.message).toContain('Failed under seeds 1, 2 (2 of 2 run).');
  expect(failure.stack?.split('+ Received')).toHaveLength(2);
  expect(failure.stack?.split('\n').slice(failure.message.split('\n').length)).toEqual(expect.arrayContaining([expect.stringMatching(/^\s+at /)]));
});

test('a stub that throws NotImplementedError under every seed fails with that error alone, not a seed failure', async () => {
  delete process.env.TINYKV_SEED;
  process.env.TINYKV_SEEDS = '3';
  const stub = new NotImplementedError('2AA', 'Raft.tick', 'labs/2a-raft/README.md#ticks-and-steps');
  await expect(forEachSeed(1, () => { throw stub; })).rejects.toBe(stub);
  // Under some seeds only, it is a seed failure like any other (the seed shows the path that reached it).
  const partial = await forEachSeed(1, (seed) => { if (seed === 2) throw stub; }).catch((error: unknown) => error);
  expect(partial).toBeInstanceOf(SeedFailure);
});

test('passing seeds are silent', async () => {
  process.env.TINYKV_SEEDS = '3';
  await expect(forEachSeed(1, () => undefined)).resolves.toBeUndefined();
});

test('the replay command names the stage and quotes the test name for a shell', () => {
  expect(stageOfTestName('raft [2AB] commits "quoted" $things')).toBe('2ab');
  expect(replayCommand('raft [2AB] commits "quoted" $things', 7)).toBe('npx tinykv test 2ab --seed 7 --test "raft [2AB] commits \\"quoted\\" \\$things"');
});
