/**
 * CART classification trees grown on binned features (see {@linkcode ./feature_binning.ts}),
 * with scikit-learn's rules for a random-forest tree:
 *
 * - weighted Gini impurity (weights = bootstrap multiplicity × class weight), summed over the
 *   outputs for a multi-output tree as scikit-learn's multi-output criterion does;
 * - a node is a leaf when it is pure, at `maxDepth`, or holds fewer than `minSamplesSplit`
 *   distinct samples (scikit-learn counts the rows with non-zero weight, so bootstrap
 *   duplicates count once); `min_samples_leaf` is 1;
 * - at each node, features are drawn at random without replacement; `maxFeatures` of them are
 *   examined, and if all of those are constant in the node more are drawn until one is not;
 * - the best split maximises the weighted impurity decrease (first best wins), and is taken even
 *   when the decrease is zero, as scikit-learn does with `min_impurity_decrease=0`;
 * - leaves hold the weighted fraction of class 1 for each output.
 *
 * Split search is by histogram: per feature, weights are summed per bin code and every boundary
 * between non-empty bins is a candidate; a split on bin `b` is stored with the real threshold
 * `edge[b]`, so trees predict on raw float features (`x <= threshold` goes left).
 *
 * Trees are flat typed arrays (no per-node objects).
 *
 * @module
 */

import type { BinnedMatrix } from "./feature_binning.ts";
import { ForestRandom } from "./seeded_random.ts";

/** A fitted tree as flat arrays indexed by node (node 0 is the root). */
export interface TreeArrays {
  /** Number of nodes. */
  nodeCount: number;
  /** Number of outputs (labels) per leaf value. */
  nOutputs: number;
  /** Split feature of each node, -1 for leaves. */
  feature: Int32Array;
  /** Split threshold: rows with `x[feature] <= threshold` go left. */
  threshold: Float32Array;
  /** Left child of each node, -1 for leaves. */
  left: Int32Array;
  /** Right child of each node, -1 for leaves. */
  right: Int32Array;
  /** `nodeCount × nOutputs` weighted fraction of class 1 (every node, leaves are used). */
  value: Float32Array;
}

/** Training data for {@linkcode growTree}. */
export interface TreeTrainingData {
  /** Column-major bin codes of the training rows. */
  binned: BinnedMatrix;
  /** All features' bin edges, concatenated (from {@linkcode FeatureBinner}). */
  edges: Float32Array;
  /** Feature `j`'s edges are `edges[offsets[j] .. offsets[j + 1]]`. */
  offsets: Int32Array;
  /** Row-major 0/1 targets, `rows × nOutputs`. */
  targets: Uint8Array;
  /** Number of outputs (1 for an ordinary binary tree). */
  nOutputs: number;
  /** Weight of every row; rows with weight 0 are left out (e.g. not drawn by the bootstrap). */
  sampleWeight: Float64Array;
}

/** Options for {@linkcode growTree}. */
export interface GrowTreeOptions {
  /** Maximum depth (root = depth 0); default unlimited. */
  maxDepth?: number;
  /** Minimum number of (distinct, non-zero-weight) samples a node needs to be split; default 2. */
  minSamplesSplit?: number;
  /** Number of features examined per node; default all. */
  maxFeatures?: number;
  /** Seed of the feature draws; default 0. */
  seed?: number;
}

const EPSILON = 2.220446049250313e-16;

/**
 * Grows one tree.
 *
 * @example
 * ```ts
 * import { FeatureBinner } from "./feature_binning.ts";
 * import { fromRows } from "../../core/matrix.ts";
 * const X = fromRows([[0], [1], [2], [3]]);
 * const binner = new FeatureBinner().fit(X);
 * const tree = growTree({
 *   binned: binner.transform(X),
 *   edges: binner.edges,
 *   offsets: binner.offsets,
 *   targets: new Uint8Array([0, 0, 1, 1]),
 *   nOutputs: 1,
 *   sampleWeight: new Float64Array([1, 1, 1, 1]),
 * });
 * tree.threshold[0]; // 1.5
 * ```
 */
export function growTree(data: TreeTrainingData, options: GrowTreeOptions = {}): TreeArrays {
  const { binned, edges, offsets, targets, sampleWeight } = data;
  const K = data.nOutputs;
  const rows = binned.rows;
  const nF = binned.cols;
  const codes = binned.codes;
  if (targets.length !== rows * K) {
    throw new RangeError(
      `growTree: targets hold ${targets.length} values but ${rows} rows × ${K} outputs need ` +
        `${rows * K}`,
    );
  }
  if (sampleWeight.length !== rows) {
    throw new RangeError(
      `growTree: sampleWeight has ${sampleWeight.length} entries for ${rows} rows; give one per row`,
    );
  }
  const maxDepth = options.maxDepth ?? Infinity;
  const minSplit = Math.max(2, options.minSamplesSplit ?? 2);
  const maxFeatures = Math.max(1, Math.min(nF, options.maxFeatures ?? nF));
  const rng = new ForestRandom(options.seed ?? 0);

  // In-sample rows, their weights and (single output) positive-class weights, kept in node order.
  let n = 0;
  for (let r = 0; r < rows; r++) if (sampleWeight[r] > 0) n++;
  const samples = new Int32Array(n);
  const sw = new Float64Array(n);
  const sp = new Float64Array(K === 1 ? n : 0);
  for (let r = 0, i = 0; r < rows; r++) {
    const w = sampleWeight[r];
    if (w > 0) {
      samples[i] = r;
      sw[i] = w;
      if (K === 1 && targets[r] !== 0) sp[i] = w;
      i++;
    }
  }

  let maxBins = 2;
  for (let j = 0; j < nF; j++) maxBins = Math.max(maxBins, offsets[j + 1] - offsets[j] + 1);
  const feats = new Int32Array(nF);
  for (let j = 0; j < nF; j++) feats[j] = j;

  const out = new TreeBuffer(K, Math.max(16, Math.min(1 << 16, 2 * n)));
  const search: SplitSearch = K === 1
    ? new SingleSearch(codes, offsets, maxBins, rows, samples, sw, sp)
    : new MultiSearch(codes, offsets, maxBins, rows, samples, sw, targets, K);
  const nodeP = new Float64Array(K);

  // Depth-first stack, left child popped first (node ids in preorder, as scikit-learn).
  const stack: number[] = [0, n, 0, -1, 0];
  while (stack.length > 0) {
    const isLeft = stack.pop()!;
    const parent = stack.pop()!;
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    const count = end - start;

    let W = 0;
    nodeP.fill(0);
    if (K === 1) {
      let P = 0;
      for (let i = start; i < end; i++) {
        W += sw[i];
        P += sp[i];
      }
      nodeP[0] = P;
    } else {
      for (let i = start; i < end; i++) {
        const w = sw[i];
        W += w;
        const yo = samples[i] * K;
        for (let k = 0; k < K; k++) if (targets[yo + k] !== 0) nodeP[k] += w;
      }
    }
    let impurity = 0;
    for (let k = 0; k < K; k++) {
      const p = W > 0 ? nodeP[k] / W : 0;
      impurity += 1 - p * p - (1 - p) * (1 - p);
    }
    impurity /= K;

    const node = out.add(parent, isLeft === 1);
    for (let k = 0; k < K; k++) out.value[node * K + k] = W > 0 ? nodeP[k] / W : 0;

    if (depth >= maxDepth || count < minSplit || impurity <= EPSILON) continue;

    // Feature draws: examine maxFeatures features, more while all examined were constant.
    search.reset(start, end, W, nodeP);
    let remaining = nF;
    let visited = 0;
    let nonConstant = 0;
    while (remaining > 0 && (visited < maxFeatures || nonConstant === 0)) {
      const j = rng.below(remaining);
      remaining--;
      const f = feats[j];
      feats[j] = feats[remaining];
      feats[remaining] = f;
      visited++;
      if (search.evaluate(f)) nonConstant++;
    }
    if (search.bestFeature < 0) continue;

    // Partition samples by the chosen bin.
    const f = search.bestFeature;
    const b = search.bestBin;
    const base = f * rows;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (codes[base + samples[i]] <= b) {
        i++;
      } else {
        const s = samples[i];
        samples[i] = samples[j];
        samples[j] = s;
        const w = sw[i];
        sw[i] = sw[j];
        sw[j] = w;
        if (K === 1) {
          const p = sp[i];
          sp[i] = sp[j];
          sp[j] = p;
        }
        j--;
      }
    }
    out.feature[node] = f;
    out.threshold[node] = edges[offsets[f] + b];
    // Push right first so the left subtree is built first.
    stack.push(i, end, depth + 1, node, 0);
    stack.push(start, i, depth + 1, node, 1);
  }
  return out.finish();
}

/** Best split of one node over the examined features. */
interface SplitSearch {
  bestFeature: number;
  bestBin: number;
  reset(start: number, end: number, W: number, P: Float64Array): void;
  /** Scans feature `f`; returns false when it is constant in the node. */
  evaluate(f: number): boolean;
}

/** Split search for a single binary output. */
class SingleSearch implements SplitSearch {
  bestFeature = -1;
  bestBin = -1;
  #best = -Infinity;
  #codes: Uint8Array | Uint16Array;
  #offsets: Int32Array;
  #rows: number;
  #samples: Int32Array;
  #sw: Float64Array;
  #sp: Float64Array;
  #hw: Float64Array;
  #hp: Float64Array;
  /** Bitmap of the non-empty bins. */
  #bits: Int32Array;
  #start = 0;
  #end = 0;
  #W = 0;
  #P = 0;

  constructor(
    codes: Uint8Array | Uint16Array,
    offsets: Int32Array,
    nBins: number,
    rows: number,
    samples: Int32Array,
    sw: Float64Array,
    sp: Float64Array,
  ) {
    this.#codes = codes;
    this.#offsets = offsets;
    this.#hw = new Float64Array(nBins);
    this.#bits = new Int32Array((nBins + 31) >> 5);
    this.#samples = samples;
    this.#rows = rows;
    this.#sw = sw;
    this.#sp = sp;
    this.#hp = new Float64Array(nBins);
  }

  reset(start: number, end: number, W: number, P: Float64Array): void {
    this.bestFeature = -1;
    this.bestBin = -1;
    this.#best = -Infinity;
    this.#start = start;
    this.#end = end;
    this.#W = W;
    this.#P = P[0];
  }

  evaluate(f: number): boolean {
    const codes = this.#codes;
    const samples = this.#samples;
    const sw = this.#sw;
    const sp = this.#sp;
    const hw = this.#hw;
    const hp = this.#hp;
    const bits = this.#bits;
    const base = f * this.#rows;
    const end = this.#end;
    for (let i = this.#start; i < end; i++) {
      const c = codes[base + samples[i]];
      hw[c] += sw[i];
      hp[c] += sp[i];
      bits[c >> 5] |= 1 << (c & 31);
    }
    // Visit the non-empty bins in increasing order; a split after bin `prev` is a candidate
    // once a later non-empty bin is seen.
    const W = this.#W;
    const P = this.#P;
    let best = this.#best;
    let bestBin = -1;
    let prev = -1;
    let wl = 0;
    let pl = 0;
    let nonEmpty = 0;
    const words = (this.#offsets[f + 1] - this.#offsets[f] + 32) >> 5;
    for (let wi = 0; wi < words; wi++) {
      let m = bits[wi];
      if (m === 0) continue;
      bits[wi] = 0;
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        const c = (wi << 5) + 31 - Math.clz32(low);
        if (prev >= 0) {
          const wr = W - wl;
          const pr = P - pl;
          const crit = (pl * pl) / wl + (pr * pr) / wr;
          if (crit > best) {
            best = crit;
            bestBin = prev;
          }
        }
        nonEmpty++;
        wl += hw[c];
        pl += hp[c];
        hw[c] = 0;
        hp[c] = 0;
        prev = c;
      }
    }
    if (nonEmpty < 2) return false;
    if (bestBin >= 0) {
      this.#best = best;
      this.bestBin = bestBin;
      this.bestFeature = f;
    }
    return true;
  }
}

/** Split search for several binary outputs (Gini summed over outputs). */
class MultiSearch implements SplitSearch {
  bestFeature = -1;
  bestBin = -1;
  #best = -Infinity;
  #codes: Uint8Array | Uint16Array;
  #offsets: Int32Array;
  #rows: number;
  #samples: Int32Array;
  #sw: Float64Array;
  #targets: Uint8Array;
  #K: number;
  #hw: Float64Array;
  #bits: Int32Array;
  #hp: Float64Array;
  #lp: Float64Array;
  #P: Float64Array;
  #start = 0;
  #end = 0;
  #W = 0;

  constructor(
    codes: Uint8Array | Uint16Array,
    offsets: Int32Array,
    nBins: number,
    rows: number,
    samples: Int32Array,
    sw: Float64Array,
    targets: Uint8Array,
    K: number,
  ) {
    this.#codes = codes;
    this.#offsets = offsets;
    this.#hw = new Float64Array(nBins);
    this.#bits = new Int32Array((nBins + 31) >> 5);
    this.#samples = samples;
    this.#rows = rows;
    this.#sw = sw;
    this.#targets = targets;
    this.#K = K;
    this.#hp = new Float64Array(nBins * K);
    this.#lp = new Float64Array(K);
    this.#P = new Float64Array(K);
  }

  reset(start: number, end: number, W: number, P: Float64Array): void {
    this.bestFeature = -1;
    this.bestBin = -1;
    this.#best = -Infinity;
    this.#start = start;
    this.#end = end;
    this.#W = W;
    this.#P.set(P);
  }

  evaluate(f: number): boolean {
    const codes = this.#codes;
    const samples = this.#samples;
    const sw = this.#sw;
    const targets = this.#targets;
    const K = this.#K;
    const hw = this.#hw;
    const hp = this.#hp;
    const lp = this.#lp;
    const P = this.#P;
    const W = this.#W;
    const bits = this.#bits;
    const base = f * this.#rows;
    const end = this.#end;
    for (let i = this.#start; i < end; i++) {
      const r = samples[i];
      const c = codes[base + r];
      const w = sw[i];
      hw[c] += w;
      const yo = r * K;
      const ho = c * K;
      for (let k = 0; k < K; k++) if (targets[yo + k] !== 0) hp[ho + k] += w;
      bits[c >> 5] |= 1 << (c & 31);
    }
    let best = this.#best;
    let bestBin = -1;
    let prev = -1;
    let wl = 0;
    let nonEmpty = 0;
    lp.fill(0);
    const words = (this.#offsets[f + 1] - this.#offsets[f] + 32) >> 5;
    for (let wi = 0; wi < words; wi++) {
      let m = bits[wi];
      if (m === 0) continue;
      bits[wi] = 0;
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        const c = (wi << 5) + 31 - Math.clz32(low);
        if (prev >= 0) {
          const wr = W - wl;
          let sl = 0;
          let sr = 0;
          for (let k = 0; k < K; k++) {
            const l = lp[k];
            const r = P[k] - l;
            sl += l * l;
            sr += r * r;
          }
          const crit = sl / wl + sr / wr;
          if (crit > best) {
            best = crit;
            bestBin = prev;
          }
        }
        nonEmpty++;
        wl += hw[c];
        hw[c] = 0;
        const ho = c * K;
        for (let k = 0; k < K; k++) {
          lp[k] += hp[ho + k];
          hp[ho + k] = 0;
        }
        prev = c;
      }
    }
    if (nonEmpty < 2) return false;
    if (bestBin >= 0) {
      this.#best = best;
      this.bestBin = bestBin;
      this.bestFeature = f;
    }
    return true;
  }
}

/** Growable node storage. */
class TreeBuffer {
  nodeCount = 0;
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float32Array;
  #K: number;

  constructor(K: number, capacity: number) {
    this.#K = K;
    this.feature = new Int32Array(capacity);
    this.threshold = new Float32Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.value = new Float32Array(capacity * K);
  }

  add(parent: number, isLeft: boolean): number {
    if (this.nodeCount === this.feature.length) this.#grow();
    const id = this.nodeCount++;
    this.feature[id] = -1;
    this.left[id] = -1;
    this.right[id] = -1;
    if (parent >= 0) {
      if (isLeft) this.left[parent] = id;
      else this.right[parent] = id;
    }
    return id;
  }

  #grow(): void {
    const cap = this.feature.length * 2;
    const g = <T extends Int32Array | Float32Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.feature = g(this.feature, cap);
    this.threshold = g(this.threshold, cap);
    this.left = g(this.left, cap);
    this.right = g(this.right, cap);
    this.value = g(this.value, cap * this.#K);
  }

  finish(): TreeArrays {
    const n = this.nodeCount;
    return {
      nodeCount: n,
      nOutputs: this.#K,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n * this.#K),
    };
  }
}
