/**
 * A small, fast, seedable 32-bit random generator for the random forest (a Weyl sequence passed
 * through the MurmurHash3 finaliser), and a helper that derives independent per-tree seeds, so a
 * tree's randomness depends only on `(seed, label, tree index)` and not on which worker built it.
 *
 * @module
 */

/** MurmurHash3's 32-bit finaliser: a good bit mixer. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Mixes a list of integers into one 32-bit seed.
 *
 * @example
 * ```ts
 * const s = mixSeed([42, 3, 17]); // seed of tree 17 of label 3
 * ```
 */
export function mixSeed(parts: readonly number[]): number {
  let h = 0x2545f491;
  for (const p of parts) h = fmix32((h ^ fmix32((p >>> 0) + 0x9e3779b9)) + 0x6d2b79f5);
  return h;
}

/**
 * Seedable generator of uniform 32-bit integers, integers below a bound, and doubles in [0, 1).
 *
 * @example
 * ```ts
 * const rng = new ForestRandom(42);
 * rng.below(10); // an integer in 0..9
 * ```
 */
export class ForestRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = fmix32(seed >>> 0) ^ 0x85ebca6b;
  }

  /** Next uniform integer in `[0, 2^32)`. */
  nextUint32(): number {
    this.#state = (this.#state + 0x9e3779b9) | 0;
    return fmix32(this.#state);
  }

  /** Uniform integer in `[0, n)` (`n` up to 2^32). */
  below(n: number): number {
    return Math.floor((this.nextUint32() / 4294967296) * n);
  }

  /** Uniform double in `[0, 1)`. */
  random(): number {
    return this.nextUint32() / 4294967296;
  }
}
