/**
 * Draws the picture of a balancing run for handout part 3C: regions per store over virtual time,
 * from one seeded run of the 3C end-to-end scenario (deterministic: the same seed draws the same
 * picture). Run it through `scripts/balance-picture.sh`, which runs it on the reference (or, in
 * the student edition, on your own code).
 *
 * Usage: node bin/run-ts.js scripts/balance-picture.ts [--seed N] [--out-dir DIR] [--trace FILE]
 * - `--seed N`: the run's seed (default 1);
 * - `--out-dir DIR`: where `balance-run.svg` and `balance-run.txt` go (default: the current folder);
 * - `--trace FILE`: draw the `balance` lines of an existing trace instead of running (for example
 *   one written by `npx tinykv replay 3c "<test>" --seed N --trace FILE`).
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { balanceChartSvg, balanceChartText } from '../labs/3-multiraft/testkit/balance-chart';
import { runBalanceScenario, type BalanceSample } from '../labs/3-multiraft/testkit/balance-scenario';
import { spreadVerdict } from '../labs/3-multiraft/testkit/store-loads';

/** The `balance` lines of a JSON-lines trace, as samples. */
function samplesFromTrace(file: string): BalanceSample[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"kind":"balance"'))
    .map((line) => JSON.parse(line) as BalanceSample);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, 'out-dir': { type: 'string', default: '.' }, trace: { type: 'string' } } });
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}".`);
  const samples: BalanceSample[] = [];
  let title: string;
  if (values.trace !== undefined) {
    samples.push(...samplesFromTrace(values.trace));
    title = `A balancing run, from ${path.basename(values.trace)}`;
  } else {
    const report = await runBalanceScenario({ name: 'five stores, the first region on three', onSample: (sample) => samples.push(sample) }, seed);
    title = `Five stores, the first region on stores 1-3: seed ${seed}, ${report.moves.length} moves, ${report.regionCount} regions`;
  }
  const outDir = values['out-dir'] ?? '.';
  fs.writeFileSync(path.join(outDir, 'balance-run.svg'), balanceChartSvg(samples, { title }));
  const last = samples.reduce((latest, sample) => (sample.atMs >= latest.atMs ? sample : latest));
  const verdict = spreadVerdict(last.stores);
  const text = `${balanceChartText(samples)}\nAt the end: store ${verdict.fullest.storeId} ${verdict.fullest.sizeBytes} bytes, store ${verdict.emptiest.storeId} ${verdict.emptiest.sizeBytes} bytes: a spread of ${verdict.spreadBytes} bytes; twice the largest region is ${verdict.limitBytes} bytes.`;
  fs.writeFileSync(path.join(outDir, 'balance-run.txt'), `${text}\n`);
  process.stdout.write(`${title}\n${text}\nWrote ${path.join(outDir, 'balance-run.svg')} and balance-run.txt.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
