/**
 * Seeded random numbers for lab and harness code.
 *
 * Lab code never uses the global random source: it is handed an {@link Rng} (by a test, the simulator
 * or a `Config`), so the same seed always gives the same run. An `Rng` can be split into
 * independent child generators by label, so that adding a new consumer (one more client, one
 * more store) does not shift the numbers every other consumer draws.
 *
 * @module
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A deterministic source of random numbers. */
export interface Rng {
  /** The seed this generator was created with (for a split generator, the seed derived from its parent and label). */
  readonly seed: number;
  /** A uniformly drawn integer in `[minInclusive, maxInclusive]`. */
  int(minInclusive: number, maxInclusive: number): number;
  /** A uniformly drawn float in `[0, 1)`. */
  float(): number;
  /** True with probability `probability` (0 never draws a number, so adding a 0 knob shifts nothing). */
  chance(probability: number): boolean;
  /** An element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A new array with `items` in a uniformly random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /**
   * An independent generator derived from this generator's seed and `label` only: splitting
   * the same label twice gives the same stream, and drawing from the parent does not change it.
   */
  split(label: string): Rng;
}

/** FNV-1a over the label's UTF-16 code units: a stable 32-bit hash for deriving child seeds. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

class SeededRng implements Rng {
  private readonly generator: RandomGenerator;

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed)) {
      throw new RangeError(`Cannot create an Rng: the seed must be an integer, got ${seed}.`);
    }
    this.generator = xoroshiro128plus(seed | 0);
  }

  int(minInclusive: number, maxInclusive: number): number {
    if (!(Number.isInteger(minInclusive) && Number.isInteger(maxInclusive)) || minInclusive > maxInclusive) {
      throw new RangeError(`Rng.int needs integer bounds with min <= max, got [${minInclusive}, ${maxInclusive}].`);
    }
    return uniformInt(this.generator, minInclusive, maxInclusive);
  }

  float(): number {
    // 2^31 equally likely values are plenty for probabilities in tests.
    return uniformInt(this.generator, 0, 0x7fffffff) / 0x80000000;
  }

  chance(probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick needs a non-empty array.');
    return items[this.int(0, items.length - 1)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  split(label: string): Rng {
    return new SeededRng((Math.imul(this.seed | 0, 0x9e3779b1) ^ hashLabel(label)) | 0);
  }
}

/** Creates the root generator of a run from its seed. */
export function createRng(seed: number): Rng {
  return new SeededRng(seed);
}
