// Goal: the checker's verdict is the definition's, on small random histories of every kind:
// concurrent gets, puts, appends, deletes and ranged scans with limits, unknown outcomes (the
// checker leaves some out before its search), many events within one millisecond, answers made
// wrong at random. When it says `illegal`, the
// longest order it reports is a valid beginning of a linearization.
// Method: histories from a store that really ran the operations (each at a moment inside its
// interval), with some reads answered wrongly; the checker against a brute-force search of
// every order, with the recorder's event numbers (exact order) and without them (by time).
import { createRng } from '../../runtime/rng';
import { partitionKvHistory } from '../kv-history-partition';
import { withoutUnobservableWrites } from '../kv-unobservable-writes';
import { checkKvLinearizability, kvModel } from '../linearizability-kv-model';
import { forEachSeed } from '../seeds';
import { bruteForceLinearizable, isValidPrefix, randomKvHistory, withoutEventNumbers, type RandomHistoryOptions } from './linearizability-oracle';

const SHAPES: readonly RandomHistoryOptions[] = [
  { operations: 6, keys: ['a'], scanShare: 0, unknownShare: 0.15, corruptShare: 0.3, appends: true },
  { operations: 7, keys: ['a', 'b'], scanShare: 0.2, unknownShare: 0.15, corruptShare: 0.25, appends: true },
  { operations: 7, keys: ['a', 'b', 'c'], scanShare: 0.3, unknownShare: 0.25, corruptShare: 0.2, appends: true },
  // Without appends, unknown puts that no answer shows are left out before the search.
  { operations: 8, keys: ['a', 'b'], scanShare: 0.2, unknownShare: 0.35, corruptShare: 0.25, appends: false },
];

const HISTORIES_PER_SEED = 150;

describe('linearizability checker against the definition', () => {
  test('gives the brute-force verdict on random small histories, exact and by time, and reports a valid longest order', () =>
    forEachSeed(4, (seed) => {
      const rng = createRng(seed);
      const tally = { ok: 0, illegal: 0 };
      for (let index = 0; index < HISTORIES_PER_SEED; index++) {
        const shape = SHAPES[index % SHAPES.length];
        const exactHistory = randomKvHistory(rng.split(`history-${index}`), shape);
        for (const history of [exactHistory, withoutEventNumbers(exactHistory)]) {
          const expected = bruteForceLinearizable(history, kvModel) ? 'ok' : 'illegal';
          const verdict = checkKvLinearizability(history);
          const where = `history ${index} of seed ${seed} (${history[0].invokeSequence === undefined ? 'by time' : 'exact'}): ${JSON.stringify(history)}`;
          expect({ verdict: verdict.result, where }).toEqual({ verdict: expected, where });
          tally[expected]++;
          if (verdict.result === 'illegal') {
            // The report is about the failing part: the order must be valid among that part's operations.
            expect(verdict.unorderedOperations.length).toBeGreaterThan(0);
            const part = partitionKvHistory(withoutUnobservableWrites(history.filter((operation) => !(operation.outcome === 'unknown' && kvModel.isReadOnly?.(operation.input))))).find((candidate) =>
              candidate.includes(verdict.unorderedOperations[0]),
            );
            expect({ validPrefix: part !== undefined && isValidPrefix(part, verdict.longestLinearizedPrefix, kvModel), where }).toEqual({ validPrefix: true, where });
          }
        }
      }
      // Both verdicts must be common, or the comparison proves little.
      expect(tally.ok).toBeGreaterThan(HISTORIES_PER_SEED / 4);
      expect(tally.illegal).toBeGreaterThan(HISTORIES_PER_SEED / 4);
    }));
});
