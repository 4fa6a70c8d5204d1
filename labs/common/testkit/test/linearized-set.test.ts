// Goal: the linearized set's key is exact (equal keys exactly for equal sets), whatever order
// operations are added and removed in, as long as removals undo additions in reverse order
// (the search's discipline); misuse is refused.
// Method: fast-check programs of pushes and pops against a plain Set; every key seen is
// mapped to the set it stood for, and a key standing for two different sets fails.
import fc from 'fast-check';
import { LinearizedSet } from '../linearized-set';
import { forEachSeed } from '../seeds';

const programArbitrary = fc.array(fc.oneof(fc.record({ push: fc.nat(40) }), fc.constant({ pop: true as const })), { maxLength: 120 });

describe('LinearizedSet', () => {
  test('has a key equal for equal sets and different for different sets, under stack-ordered adds and removes', () =>
    forEachSeed(2, (seed) => {
      fc.assert(
        fc.property(programArbitrary, (program) => {
          const set = new LinearizedSet();
          const model = new Set<number>();
          const stack: { operation: number; undo: number }[] = [];
          const setOfKey = new Map<string, string>();
          const record = () => {
            const members = [...model].sort((left, right) => left - right).join(',');
            const key = set.key();
            expect(setOfKey.get(key) ?? members).toBe(members);
            setOfKey.set(key, members);
            expect(set.size).toBe(model.size);
          };
          record();
          for (const step of program) {
            if ('push' in step) {
              if (model.has(step.push)) continue;
              stack.push({ operation: step.push, undo: set.add(step.push) });
              model.add(step.push);
            } else {
              const top = stack.pop();
              if (top === undefined) continue;
              set.remove(top.operation, top.undo);
              model.delete(top.operation);
            }
            record();
          }
        }),
        { seed, numRuns: 300 },
      );
    }));

  test('keeps the key short when the set is a prefix with a few holes', () => {
    const set = new LinearizedSet();
    for (let operation = 0; operation < 10_000; operation++) if (operation !== 17) set.add(operation);
    expect(set.key()).toBe('9999/17');
  });

  test('refuses to add a member twice or to undo out of order', () => {
    const set = new LinearizedSet();
    const first = set.add(2);
    set.add(5);
    expect(() => set.add(2)).toThrow(/operation 2 is already linearized/);
    expect(() => set.remove(2, first)).toThrow(/operation 2 is not the latest addition/);
  });
});
