/**
 * NumPy's legacy random generator, `np.random.RandomState(seed)` for an integer seed: the
 * MT19937 Mersenne Twister with `init_genrand` seeding, and the legacy draws built on it
 * (`random_sample`, bounded integers by mask rejection, Fisher–Yates `shuffle`/`permutation`,
 * `randint`). Every stream matches NumPy bit for bit, so splits and bootstraps made here select
 * the same rows scikit-learn selects with `random_state=seed`.
 *
 * @module
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_32 = 4294967296;

/** A mutable array-like (plain arrays and typed arrays both qualify). */
export interface MutableArrayLike<T> {
  /** Number of elements. */
  readonly length: number;
  /** Element access by index. */
  [index: number]: T;
}

/** Options for {@linkcode RandomState.randint} when drawing many values at once. */
export interface RandintOptions {
  /** How many values to draw; the result is then an `Int32Array`. */
  size: number;
}

/** The generator's internal state, shaped like `RandomState.get_state()[1:3]`. */
export interface MT19937State {
  /** The 624 32-bit words of the Mersenne Twister. */
  key: Uint32Array;
  /** Index of the next word to temper (624 means "regenerate first"). */
  pos: number;
}

/** Smallest `2^k - 1` that is `>= max` (for `max < 2^32`), as NumPy's bounded draws use. */
function mask32(max: number): number {
  let m = max >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}

/**
 * NumPy's legacy `RandomState` for an integer seed in `[0, 2^32 - 1]`.
 *
 * Draws that consume the stream exactly as NumPy 1.x does:
 * - {@linkcode RandomState.nextUint32}: one raw tempered 32-bit output;
 * - {@linkcode RandomState.randomSample}: `random_sample()`, a 53-bit double in `[0, 1)`;
 * - {@linkcode RandomState.randomInterval}: the legacy bounded draw in `[0, max]`;
 * - {@linkcode RandomState.shuffle} / {@linkcode RandomState.permutation}: legacy Fisher–Yates;
 * - {@linkcode RandomState.randint}: `randint(low, high[, size])` with the default int64 dtype.
 *
 * @example
 * ```ts
 * const rs = new RandomState(42);
 * const perm = rs.permutation(10); // same as np.random.RandomState(42).permutation(10)
 * ```
 */
export class RandomState {
  #mt = new Uint32Array(N);
  #pos = N;

  /**
   * Seeds like `np.random.RandomState(seed)` with an integer seed (`init_genrand`).
   *
   * @example
   * ```ts
   * const rs = new RandomState(0);
   * ```
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(
        `RandomState: seed must be an integer in [0, 2^32 - 1] like NumPy's, got ${seed}`,
      );
    }
    const mt = this.#mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.#pos = N;
  }

  /**
   * A copy of the internal state, comparable with `rs.get_state()[1]` and `[2]` in NumPy.
   *
   * @example
   * ```ts
   * new RandomState(42).getState().key[1]; // 3107752595
   * ```
   */
  getState(): MT19937State {
    return { key: this.#mt.slice(), pos: this.#pos };
  }

  #generate(): void {
    const mt = this.#mt;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + M - N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.#pos = 0;
  }

  /**
   * The next raw 32-bit output (an integer in `[0, 2^32)`).
   *
   * @example
   * ```ts
   * new RandomState(5489).nextUint32(); // 3499211612, the reference MT19937 first output
   * ```
   */
  nextUint32(): number {
    if (this.#pos >= N) this.#generate();
    let y = this.#mt[this.#pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * A double in `[0, 1)` from two outputs, as legacy `random_sample()`:
   * `((a >>> 5) * 2^26 + (b >>> 6)) / 2^53`.
   *
   * @example
   * ```ts
   * const u = new RandomState(42).randomSample(); // 0.3745401188473625
   * ```
   */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * A uniform integer in `[0, max]` (inclusive) by NumPy's legacy mask rejection: draw, keep
   * the bits under the smallest `2^k - 1 >= max`, retry while above `max`. Bounds above
   * `2^32 - 1` use 64-bit draws (high word first), up to `2^53 - 1`.
   *
   * @example
   * ```ts
   * const j = new RandomState(1).randomInterval(9); // in 0..9
   * ```
   */
  randomInterval(max: number): number {
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError(
        `randomInterval: max must be an integer in [0, 2^53 - 1], got ${max}`,
      );
    }
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      const mask = mask32(max);
      let v: number;
      do v = (this.nextUint32() & mask) >>> 0; while (v > max);
      return v;
    }
    // 64-bit path: mask = 2^k - 1 with k > 32, so the low word is kept whole.
    let maskHi = 1;
    while (maskHi * TWO_32 + (TWO_32 - 1) < max) maskHi = maskHi * 2 + 1;
    let v: number;
    do {
      const hi = this.nextUint32() & maskHi;
      const lo = this.nextUint32();
      v = hi * TWO_32 + lo;
    } while (v > max);
    return v;
  }

  /**
   * Shuffles in place exactly like legacy `RandomState.shuffle` on a 1-D array: for `i` from
   * `n - 1` down to `1`, swap `a[i]` with `a[randomInterval(i)]`.
   *
   * @example
   * ```ts
   * const a = Int32Array.from([0, 1, 2, 3]);
   * new RandomState(42).shuffle(a);
   * ```
   */
  shuffle<T>(array: MutableArrayLike<T>): void {
    for (let i = array.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
  }

  /**
   * A shuffled `0..n-1`, like legacy `RandomState.permutation(n)`.
   *
   * @example
   * ```ts
   * const perm = new RandomState(42).permutation(7787); // row order of sklearn's split
   * ```
   */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RangeError(`permutation: n must be a non-negative integer below 2^31, got ${n}`);
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }

  /**
   * Legacy `randint(low, high)` (high exclusive, default int64 dtype; masked rejection on
   * `high - low - 1`). Without options returns one number (any range up to `2^53`); with
   * `{ size }` returns an `Int32Array` and needs the bounds inside int32. The stream is the same
   * either way, so `rs.randint(0, n, { size: n })` is sklearn's bootstrap for a tree seeded with
   * `RandomState(treeSeed)`.
   *
   * @example
   * ```ts
   * const rs = new RandomState(42);
   * const treeSeed = rs.randint(0, 2147483647); // what RandomForestClassifier gives each tree
   * const rows = new RandomState(treeSeed).randint(0, 100, { size: 100 });
   * ```
   */
  randint(low: number, high: number): number;
  /**
   * `size` draws of legacy `randint(low, high, size)` as an `Int32Array`.
   *
   * @example
   * ```ts
   * const boot = new RandomState(7).randint(0, 7787, { size: 7787 });
   * ```
   */
  randint(low: number, high: number, options: RandintOptions): Int32Array;
  randint(low: number, high: number, options?: RandintOptions): number | Int32Array {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError(`randint: low and high must be safe integers, got ${low}, ${high}`);
    }
    if (low >= high) {
      throw new RangeError(
        `randint: low must be below high (high is exclusive), got ${low}, ${high}`,
      );
    }
    const range = high - low - 1;
    if (!Number.isSafeInteger(range)) {
      throw new RangeError(`randint: high - low must be at most 2^53, got ${high} - ${low}`);
    }
    if (options === undefined) return low + this.randomInterval(range);
    const { size } = options;
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`randint: size must be a non-negative integer, got ${size}`);
    }
    if (low < -2147483648 || high > 2147483648) {
      throw new RangeError(
        `randint: with { size } the values must fit int32 (low >= -2^31, high <= 2^31), ` +
          `got [${low}, ${high}); draw them one by one with randint(low, high) instead`,
      );
    }
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) out[i] = low + this.randomInterval(range);
    return out;
  }
}
