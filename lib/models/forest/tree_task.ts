/**
 * One random-forest tree as an independent task: bootstrap draw, class weights and growth. A
 * forest's fit runs batches of them as worker-pool tasks ({@linkcode buildForestTrees}), so a
 * tree is the same whichever thread builds it: all its randomness comes from
 * `(seed, label, tree index)`.
 *
 * Weights follow scikit-learn's `RandomForestClassifier`:
 * - `bootstrap`: `rows` draws with replacement; a row's weight starts as its multiplicity;
 * - `"balanced_subsample"`: class weights `n / (n_classes * count(class))` computed on the
 *   bootstrap sample (counting multiplicities, `n_classes` = classes present in it);
 * - `"balanced"`: the same computed once on all training rows;
 * - multi-output: the product of every output's class weight, as scikit-learn's
 *   `compute_sample_weight` does.
 *
 * @module
 */

import { growTree, type TreeArrays } from "./decision_tree.ts";
import type { TaskRef } from "../../core/estimator.ts";
import type { BinnedMatrix } from "./feature_binning.ts";
import { ForestRandom, mixSeed } from "./seeded_random.ts";

/** How classes are weighted (see the module doc). */
export type ClassWeight = "balanced_subsample" | "balanced" | null;

/** Settings shared by every tree of a fit. */
export interface ForestTreeConfig {
  maxDepth: number;
  minSamplesSplit: number;
  /** Features examined per node (already resolved from "sqrt" etc.). */
  maxFeatures: number;
  bootstrap: boolean;
  classWeight: ClassWeight;
  /** One multi-output tree over all labels instead of one forest per label. */
  multiOutput: boolean;
  seed: number;
}

/** Training data and settings, shared read-only by all tasks (may live in shared memory). */
export interface ForestTrainingContext {
  binned: BinnedMatrix;
  edges: Float32Array;
  offsets: Int32Array;
  /** Row-major 0/1 labels, `rows × nLabels`. */
  targets: Uint8Array;
  nLabels: number;
  config: ForestTreeConfig;
}

/**
 * Label value meaning "all labels" (the multi-output forest).
 *
 * @example
 * ```ts
 * declare const ctx: ForestTrainingContext;
 * const [tree] = await buildForestTrees({ ctx, label: ALL_LABELS, start: 0, end: 1 }); // every output
 * ```
 */
export const ALL_LABELS = -1;

const columnCache = new WeakMap<ForestTrainingContext, Map<number, Uint8Array>>();

function labelColumn(ctx: ForestTrainingContext, label: number): Uint8Array {
  let cache = columnCache.get(ctx);
  if (!cache) columnCache.set(ctx, cache = new Map());
  let col = cache.get(label);
  if (!col) {
    const rows = ctx.binned.rows;
    const L = ctx.nLabels;
    col = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) col[i] = ctx.targets[i * L + label] !== 0 ? 1 : 0;
    cache.set(label, col);
  }
  return col;
}

/** Per-class weights [w0, w1] from class totals, as `n / (n_classes_present * count)`. */
function balanced(n0: number, n1: number): [number, number] {
  const present = (n0 > 0 ? 1 : 0) + (n1 > 0 ? 1 : 0);
  const n = n0 + n1;
  return [n0 > 0 ? n / (present * n0) : 0, n1 > 0 ? n / (present * n1) : 0];
}

/**
 * Builds tree `tree` of the forest of `label` (or of the multi-output forest when `label` is
 * {@linkcode ALL_LABELS}).
 */
function buildForestTree(
  ctx: ForestTrainingContext,
  task: { label: number; tree: number },
): TreeArrays {
  const { config } = ctx;
  const rows = ctx.binned.rows;
  const multi = task.label === ALL_LABELS;
  const K = multi ? ctx.nLabels : 1;
  const targets = multi ? ctx.targets : labelColumn(ctx, task.label);
  const rng = new ForestRandom(mixSeed([config.seed, multi ? 0x7fffffff : task.label, task.tree]));

  const counts = new Float64Array(rows);
  if (config.bootstrap) {
    for (let i = 0; i < rows; i++) counts[rng.below(rows)]++;
  } else {
    counts.fill(1);
  }
  const weight = new Float64Array(counts);
  if (config.classWeight !== null) {
    // Class totals per output, over the bootstrap sample or over all rows.
    const sub = config.classWeight === "balanced_subsample";
    const pos = new Float64Array(K);
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const c = sub ? counts[i] : 1;
      if (c === 0) continue;
      total += c;
      const o = i * K;
      for (let k = 0; k < K; k++) if (targets[o + k] !== 0) pos[k] += c;
    }
    const w0 = new Float64Array(K);
    const w1 = new Float64Array(K);
    for (let k = 0; k < K; k++) [w0[k], w1[k]] = balanced(total - pos[k], pos[k]);
    for (let i = 0; i < rows; i++) {
      if (weight[i] === 0) continue;
      const o = i * K;
      let w = weight[i];
      for (let k = 0; k < K; k++) w *= targets[o + k] !== 0 ? w1[k] : w0[k];
      weight[i] = w;
    }
  }
  return growTree(
    {
      binned: ctx.binned,
      edges: ctx.edges,
      offsets: ctx.offsets,
      targets,
      nOutputs: K,
      sampleWeight: weight,
    },
    {
      maxDepth: config.maxDepth,
      minSamplesSplit: config.minSamplesSplit,
      maxFeatures: config.maxFeatures,
      seed: rng.nextUint32(),
    },
  );
}

/**
 * The worker-pool task of a forest's fit: trees `start … end − 1` of `label`'s forest.
 *
 * @example
 * ```ts
 * declare const ctx: ForestTrainingContext;
 * const trees = await buildForestTrees({ ctx, label: 3, start: 0, end: 10 }); // 10 trees
 * ```
 */
// deno-lint-ignore require-await
export async function buildForestTrees(
  args: { ctx: ForestTrainingContext; label: number; start: number; end: number },
): Promise<TreeArrays[]> {
  const trees: TreeArrays[] = [];
  for (let t = args.start; t < args.end; t++) {
    trees.push(buildForestTree(args.ctx, { label: args.label, tree: t }));
  }
  return trees;
}

/** {@linkcode buildForestTrees} as a worker-pool task. */
export const FOREST_TREES_TASK: TaskRef = { module: import.meta.url, name: "buildForestTrees" };
