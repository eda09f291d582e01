/**
 * The explain stage (`deno task explain`): measures why the best model predicts what it
 * predicts and writes the results into `metrics.json` under `explanations`, plus the parts
 * `predict --explain` needs under `processed_data/explain/`:
 *
 * 1. **permutation importance** per feature block (type and rating separately) and per genre,
 *    out-of-fold on the training rows (k fresh fits of the best model's estimator, several
 *    permutations per block), and the study's three inferred claims tested on it;
 * 2. **term evidence**: the interpretable term model ({@linkcode TermModel}) fitted on the
 *    training rows, its top terms per genre, its test F1 macro;
 * 3. **calibration**: reliability bins and ECE of best, study_lr and study_rf, out-of-fold and
 *    test;
 * 4. **label ambiguity**: the training labels the best model's out-of-fold probabilities most
 *    confidently contradict.
 *
 * @module
 */

import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { sha256Hex } from "../core/sha256.ts";
import { libSourceHash, STAGE_CODE } from "../io/source_hash.ts";
import { makeBestModel } from "./best_model.ts";
import { type Reliability, reliability } from "../analysis/calibration.ts";
import { blockMeans, EXPLAIN_SUBDIR, saveExplainerParts } from "./explain_title.ts";
import { GenreModel } from "./genre_model.ts";
import { genreCountStrata, stratifiedKFold } from "../model_selection/k_fold.ts";
import { labelContradictions } from "../analysis/label_noise.ts";
import type { LabelMatrix } from "../core/matrix.ts";
import { binarize, f1Score } from "../metrics/multi_label_metrics.ts";
import { type MetricsFile, readMetricsFile } from "./metrics_file.ts";
import { ensureTrained, NOTEBOOK_PROCESSED_DIR } from "./notebook_stages.ts";
import { readTitles, selectTitles } from "../data/netflix_csv.ts";
import {
  type ColumnGroup,
  permutationImportance,
} from "../model_selection/permutation_importance.ts";
import { DEFAULT_PROCESSED_DIR, featuresDir, loadProcessed } from "../features/processed_data.ts";
import { TermModel, type TermWeight } from "../analysis/term_evidence.ts";
import { readPredictions, readSavedFolds, savedFoldsDir, thresholdsOf } from "./train_stage.ts";
import { foldModelDir } from "../model_selection/parallel_cross_val.ts";
import { loadEstimator } from "../models/model_store.ts";

/** One of the study's inferred claims, tested. */
export interface ClaimResult {
  claim: string;
  /** The permuted group the claim is about. */
  group: string;
  /** The genres it is about. */
  genres: string[];
  /** Mean F1 drop over those genres when the group is permuted, and the mean repeat std. */
  drop: number;
  std: number;
  /** Mean drop of the same group over the other genres, for comparison. */
  otherDrop: number;
  /** Genres (of those) for which the group is the most important one. */
  topBlockShare: number;
  holds: boolean;
  /** The rule the verdict follows. */
  rule: string;
}

/** Importance of one group for one genre (mean ± std over repeats). */
export interface DropStat {
  mean: number;
  std: number;
}

/** One reliability summary (bins kept short). */
export interface ReliabilitySummary {
  ece: number;
  mce: number;
  n: number;
  bins: {
    lo: number;
    hi: number;
    count: number;
    predicted: number | null;
    observed: number | null;
  }[];
}

/** A confidently contradicted training label. */
export interface ContradictionExample {
  /** Index into the training rows and the title's show_id. */
  train_row: number;
  show_id: string;
  title: string;
  genre: string;
  kind: "extra" | "miss";
  probability: number;
  given: string[];
  predicted: string[];
}

/** `metrics.json` → `explanations`. */
export interface ExplanationsMetrics {
  model: string;
  /** What the explanations were made from (model entry, options, code); reused while equal. */
  cache_key?: string;
  features_id: string;
  created: string;
  seconds: number;
  data: {
    train_rows: number;
    sample?: number;
    folds: number;
    repeats: number;
    seed: number;
    /** Whether the fold models were train's own (kept in `cache/folds/`) instead of refitted. */
    folds_from_train?: boolean;
  };
  permutation: {
    groups: string[];
    /** Out-of-fold F1 macro of the refitted folds with nothing permuted. */
    baseline_f1_macro: number;
    macro: Record<string, DropStat>;
    per_genre: Record<string, { f1: number; support: number; drop: Record<string, DropStat> }>;
  };
  claims: ClaimResult[];
  terms: {
    max_terms: number;
    max_names: number;
    columns: number;
    test_f1_macro: number;
    per_genre: Record<string, { positive: TermWeight[]; negative: TermWeight[] }>;
  };
  calibration: {
    bins: number;
    binning: "equal-width";
    models: Record<
      string,
      {
        oof: ReliabilitySummary;
        test: ReliabilitySummary;
        per_genre_ece: Record<string, number>;
        genres: Record<string, ReliabilitySummary>;
      }
    >;
  };
  label_noise: {
    high: number;
    low: number;
    false_positives: number;
    false_negatives: number;
    confident_extras: number;
    confident_misses: number;
    extra_share: number;
    miss_share: number;
    error_share: number;
    titles: number;
    /** Confident extras and misses per genre (genres with any). */
    by_genre: Record<string, { extras: number; misses: number }>;
    examples: ContradictionExample[];
  };
}

/** Options for {@linkcode runExplain}. */
export interface ExplainStageOptions {
  /** Run again even when the explanations are up to date (same model, options and code). */
  force?: boolean;
  /** Processed folder (default `processed_data`). */
  dir?: string;
  /** Permutations per block and fold (default 3). */
  repeats?: number;
  /** Folds (default: metrics.json's CV folds, 5). */
  folds?: number;
  /** Seed of the permutations (default 0). */
  seed?: number;
  /** Description terms and names of the term model (defaults 3000, 1500). */
  maxTerms?: number;
  maxNames?: number;
  /** Print progress lines (default true). */
  verbose?: boolean;
}

/**
 * The column groups permuted for the best model: `text`, `type`, `rating`, `metadata`,
 * `credits` (the categorical block split by its column names `type_…` / `rating_…`).
 *
 * @example
 * ```ts
 * explainGroups({ text: ["emb_0"], categorical: ["type_Movie", "rating_PG"] }, ["text", "categorical"]);
 * // [{ name: "text", columns: [0] }, { name: "type", columns: [1] }, { name: "rating", columns: [2] }]
 * ```
 */
export function explainGroups(
  names: Partial<Record<string, readonly string[]>>,
  blocks: readonly string[],
): ColumnGroup[] {
  const groups: ColumnGroup[] = [];
  let start = 0;
  for (const b of blocks) {
    const cols = names[b];
    if (!cols) throw new Error(`explainGroups: no column names for block "${b}"`);
    if (b === "categorical") {
      const by = new Map<string, number[]>();
      cols.forEach((c, i) => {
        const g = c.startsWith("type_")
          ? "type"
          : c.startsWith("rating_")
          ? "rating"
          : "categorical";
        by.set(g, [...(by.get(g) ?? []), start + i]);
      });
      for (const [name, columns] of by) groups.push({ name, columns });
    } else {
      groups.push({ name: b, columns: cols.map((_, i) => start + i) });
    }
    start += cols.length;
  }
  return groups;
}

/** The genres each of the study's claims is about, and why. */
export interface ClaimGenres {
  /** Genres whose training titles are (nearly) all of one type. */
  typeSpecific: string[];
  /** Kids', children's, family and teen genres. */
  age: string[];
  /** Genres named after their content (subject, mood, form), not origin or audience. */
  content: string[];
}

const AGE = /kids|children|teen/i;
const CONTENT =
  /documentar|docuseries|stand-up|horror|romantic|sci-fi|sports|music|faith|anime|thriller|crime|science|reality|myster|comed|drama|action|lgbtq/i;

/**
 * Sorts genres into the claims' groups: type-specific when at least `share` (default 0.95) of
 * a genre's training titles have one `type`; age when named Kids/Children/Teen; content when
 * named after a subject or form (documentaries, stand-up, horror, …).
 *
 * @example
 * ```ts
 * import { labelsFromRows } from "../core/matrix.ts";
 * claimGenres(["Kids' TV", "Dramas"], labelsFromRows([[1, 0], [0, 1]]), ["TV Show", "Movie"]);
 * // { typeSpecific: [], age: ["Kids' TV"], content: ["Dramas"] } (too few titles for a type share)
 * ```
 */
export function claimGenres(
  genres: readonly string[],
  Y: LabelMatrix,
  types: readonly string[],
  options: { share?: number; minSupport?: number } = {},
): ClaimGenres {
  const share = options.share ?? 0.95;
  const minSupport = options.minSupport ?? 5;
  const typeSpecific: string[] = [];
  genres.forEach((g, j) => {
    const counts = new Map<string, number>();
    let n = 0;
    for (let i = 0; i < Y.rows; i++) {
      if (Y.data[i * Y.cols + j]) {
        n++;
        counts.set(types[i], (counts.get(types[i]) ?? 0) + 1);
      }
    }
    if (n >= minSupport && Math.max(...counts.values()) / n >= share) typeSpecific.push(g);
  });
  return {
    typeSpecific,
    age: genres.filter((g) => AGE.test(g)),
    content: genres.filter((g) => CONTENT.test(g) && !AGE.test(g)),
  };
}

/** The size of an F1 drop the claims' words ("critical", "important", "essential") need. */
const CLAIM_MIN_DROP = 0.05;

/**
 * Tests the study's three claims on per-genre permutation importance (`drops[genre][group]`):
 * a claim holds when the group's mean F1 drop over the genres it is about is at least
 * {@linkcode CLAIM_MIN_DROP} and larger than over the other genres; "essential" (text) also
 * needs text to be the most important group for most content genres.
 *
 * @example
 * ```ts
 * const drops = { "Kids' TV": { rating: { mean: 0.2, std: 0.01 }, text: { mean: 0.1, std: 0 } } };
 * studyClaims(drops, { typeSpecific: [], age: ["Kids' TV"], content: [] })[1].holds; // true
 * ```
 */
export function studyClaims(
  drops: Record<string, Record<string, DropStat>>,
  sets: ClaimGenres,
): ClaimResult[] {
  const all = Object.keys(drops);
  const test = (claim: string, group: string, genres: string[], essential: boolean) => {
    const have = genres.filter((g) => drops[g]?.[group]);
    const others = all.filter((g) => !have.includes(g) && drops[g]?.[group]);
    const avg = (gs: string[], f: (g: string) => number) =>
      gs.length ? gs.reduce((s, g) => s + f(g), 0) / gs.length : 0;
    const drop = avg(have, (g) => drops[g][group].mean);
    const std = avg(have, (g) => drops[g][group].std);
    const otherDrop = avg(others, (g) => drops[g][group].mean);
    const top = have.filter((g) => {
      const best = Object.entries(drops[g]).sort((a, b) => b[1].mean - a[1].mean)[0];
      return best?.[0] === group;
    }).length;
    const topBlockShare = have.length ? top / have.length : 0;
    const holds = have.length > 0 && drop >= CLAIM_MIN_DROP && drop > otherDrop &&
      (!essential || topBlockShare > 0.5);
    return {
      claim,
      group,
      genres: have,
      drop,
      std,
      otherDrop,
      topBlockShare,
      holds,
      rule: `mean F1 drop over these genres ≥ ${CLAIM_MIN_DROP} and larger than over the other ` +
        "genres" + (essential ? ", and the largest of all groups for more than half of them" : ""),
    };
  };
  return [
    test("type is likely critical for type-specific genres", "type", sets.typeSpecific, false),
    test("rating is likely important for age-appropriate content", "rating", sets.age, false),
    test(
      "text embeddings are likely essential for content-based genres",
      "text",
      sets.content,
      true,
    ),
  ];
}

function summary(r: Reliability): ReliabilitySummary {
  const num = (x: number) => (Number.isFinite(x) ? round(x) : null);
  return {
    ece: round(r.ece),
    mce: round(r.mce),
    n: r.n,
    bins: r.bins.map((b) => ({
      lo: b.lo,
      hi: b.hi,
      count: b.count,
      predicted: num(b.predicted),
      observed: num(b.observed),
    })),
  };
}

function sameData(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Runs the explain stage for metrics.json's best model and merges `explanations` into
 * metrics.json (see the module doc).
 *
 * @example
 * ```ts
 * const explanations = await runExplain({ dir: "processed_data", repeats: 3 });
 * console.log(explanations.claims.map((c) => `${c.claim}: ${c.holds}`));
 * ```
 */
export async function runExplain(options: ExplainStageOptions = {}): Promise<ExplanationsMetrics> {
  const t0 = performance.now();
  const dir = options.dir ?? DEFAULT_PROCESSED_DIR;
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const metrics = await readMetricsFile(dir);
  const name = metrics.best;
  const entry = metrics.models[name];
  const model = await GenreModel.load(join(dir, "models", name), {
    featuresId: metrics.features_id,
  });
  const data = await loadProcessed(dir, { features: model.pipeline.kinds });
  if (data.config.id !== metrics.features_id) {
    throw new Error(
      `${join(dir, "metrics.json")} was written for features ${metrics.features_id.slice(0, 12)} ` +
        `but ${featuresDir(dir)} holds ${data.config.id.slice(0, 12)}; run \`npx deno task train\``,
    );
  }
  const genres = data.config.genres;
  const thresholds = thresholdsOf(entry, genres);
  const { titles: all } = await readTitles(join(featuresDir(dir), "titles.csv"));
  if (all.length !== data.config.counts.titles) {
    throw new Error(
      `${join(featuresDir(dir), "titles.csv")} has ${all.length} titles, config.json says ` +
        `${data.config.counts.titles}; re-run \`npx deno task preprocess\``,
    );
  }
  const train = selectTitles(all, data.trainIdx);
  const test = selectTitles(all, data.testIdx);
  const repeats = options.repeats ?? 3;
  const nFolds = options.folds ?? metrics.cv.folds ?? 5;
  const seed = options.seed ?? 0;
  const cacheKey = await sha256Hex(JSON.stringify({
    name,
    trained: entry.trained,
    features: metrics.features_id,
    repeats,
    nFolds,
    seed,
    code: await libSourceHash(STAGE_CODE.explain),
  }));
  const previous = metrics.explanations;
  if (!options.force && previous?.cache_key === cacheKey) {
    try {
      await Deno.stat(join(dir, EXPLAIN_SUBDIR));
      log(`explain: up to date for "${name}" (made ${previous.created}; --force reruns it)`);
      return previous;
    } catch { /* its files are gone: run again */ }
  }

  // 1. Permutation importance.
  const groups = explainGroups(
    Object.fromEntries(model.pipeline.kinds.map((k) => [k, data.config.blocks[k].names])),
    model.pipeline.kinds,
  );
  log(
    `explain: permutation importance of ${groups.map((g) => g.name).join(", ")} for "${name}", ` +
      `${nFolds} folds × ${repeats} repeats on ${data.XTrain.rows} training titles`,
  );
  const folds = stratifiedKFold(genreCountStrata(data.yTrain), {
    nSplits: nFolds,
    seed: metrics.cv.seed ?? 42,
  });
  if (name !== "best") {
    throw new Error(
      `explain: metrics.json's best model is "${name}", but the explain stage refits the ` +
        "project's best model configuration; train it with `npx deno task train --models best`",
    );
  }
  // The training's own CV fold models, when they belong to this training: no fold is refitted.
  const saved = await readSavedFolds(dir, name);
  const reuse = saved !== null && saved.trained === entry.trained &&
    saved.features_id === metrics.features_id && saved.folds === nFolds &&
    saved.seed === (metrics.cv.seed ?? 42);
  log(
    reuse
      ? `  reusing the ${nFolds} fold models train fitted (${savedFoldsDir(dir, name)})`
      : "  no saved fold models of this training: fitting the folds",
  );
  const importance = (useSaved: boolean) =>
    permutationImportance(() => makeBestModel(), data.XTrain, data.yTrain, {
      fitted: useSaved
        ? (k) => loadEstimator(foldModelDir(savedFoldsDir(dir, name), k)).catch(() => null)
        : undefined,
      groups,
      folds,
      thresholds,
      repeats,
      seed,
      onFold: (k, s) => log(`  fold ${k + 1}/${nFolds} done in ${s.toFixed(1)} s`),
    });
  let foldsFromTrain = reuse;
  let imp = await importance(reuse);
  if (reuse && !sameData(imp.oof.data, (await readPredictions(dir, name)).oof.data)) {
    // Self-check: the kept fold models must predict what train's cross-validation predicted.
    log("  the saved fold models do not reproduce train's out-of-fold predictions: refitting");
    foldsFromTrain = false;
    imp = await importance(false);
  }
  const perGenre: ExplanationsMetrics["permutation"]["per_genre"] = {};
  genres.forEach((g, j) => {
    let support = 0;
    for (let i = 0; i < data.yTrain.rows; i++) support += data.yTrain.data[i * genres.length + j];
    perGenre[g] = {
      f1: round(imp.baseline[j]),
      support,
      drop: Object.fromEntries(
        imp.groups.map((x) => [x.group, { mean: round(x.mean[j]), std: round(x.std[j]) }]),
      ),
    };
  });
  const sets = claimGenres(genres, data.yTrain, train.type);
  const claims = studyClaims(
    Object.fromEntries(Object.entries(perGenre).map(([g, v]) => [g, v.drop])),
    sets,
  );

  // 2. Term evidence.
  const maxTerms = options.maxTerms ?? 3000;
  const maxNames = options.maxNames ?? 1500;
  log(`explain: term model (${maxTerms} description terms + ${maxNames} names)`);
  const terms = await TermModel.fit(train, data.yTrain, genres, { maxTerms, maxNames });
  const termTest = f1Score(data.yTest, binarize(await terms.predictProba(test), 0.5), {
    average: "macro",
  });
  const evidence = terms.evidence(12);
  await saveExplainerParts(dir, {
    model: name,
    featuresId: metrics.features_id,
    terms,
    blockMeans: blockMeans(model, data.XTrain),
  });

  // 3. Calibration.
  log("explain: calibration and label ambiguity");
  const support = genres.map((g) => perGenre[g].support);
  const bySupport = genres.map((_, j) => j).filter((j) => support[j] >= 10)
    .sort((a, b) => support[b] - support[a]);
  const shownGenres = [...bySupport.slice(0, 3), ...bySupport.slice(-3)];
  const calibrationModels: ExplanationsMetrics["calibration"]["models"] = {};
  for (const m of ["best", "study_lr", "study_rf"]) {
    if (!metrics.models[m]) continue;
    const { oof, test: testP } = await readPredictions(dir, m);
    calibrationModels[m] = {
      oof: summary(reliability(data.yTrain, oof)),
      test: summary(reliability(data.yTest, testP)),
      per_genre_ece: Object.fromEntries(
        genres.map((g, j) => [g, round(reliability(data.yTrain, oof, { labels: [j] }).ece)]),
      ),
      genres: Object.fromEntries(
        shownGenres.map((
          j,
        ) => [genres[j], summary(reliability(data.yTrain, oof, { labels: [j] }))]),
      ),
    };
  }

  // 4. Label ambiguity (the saved out-of-fold probabilities the thresholds were tuned on).
  const { oof } = await readPredictions(dir, name);
  const noise = labelContradictions(data.yTrain, oof, { names: genres, thresholds });
  const L = genres.length;
  const byGenre: Record<string, { extras: number; misses: number }> = {};
  for (const c of noise.contradictions) {
    byGenre[c.genre] ??= { extras: 0, misses: 0 };
    if (c.kind === "extra") byGenre[c.genre].extras++;
    else byGenre[c.genre].misses++;
  }
  const examples = noise.contradictions.slice(0, 40).map((c) => ({
    train_row: c.row,
    show_id: train.showId[c.row],
    title: train.title[c.row],
    genre: c.genre,
    kind: c.kind,
    probability: round(c.probability),
    given: train.genres[c.row],
    predicted: genres.filter((_, j) => oof.data[c.row * L + j] >= thresholds[j]),
  }));

  const out: ExplanationsMetrics = {
    model: name,
    features_id: metrics.features_id,
    created: new Date().toISOString(),
    seconds: 0,
    data: {
      train_rows: data.XTrain.rows,
      folds_from_train: foldsFromTrain,
      ...(data.config.input.sample ? { sample: data.config.input.sample } : {}),
      folds: nFolds,
      repeats,
      seed,
    },
    permutation: {
      groups: groups.map((g) => g.name),
      baseline_f1_macro: round(imp.baselineMacro),
      macro: Object.fromEntries(
        imp.groups.map((g) => [g.group, { mean: round(g.macroMean), std: round(g.macroStd) }]),
      ),
      per_genre: perGenre,
    },
    claims: claims.map((c) => ({
      ...c,
      drop: round(c.drop),
      std: round(c.std),
      otherDrop: round(c.otherDrop),
      topBlockShare: round(c.topBlockShare),
    })),
    terms: {
      max_terms: maxTerms,
      max_names: maxNames,
      columns: terms.featureNames.length,
      test_f1_macro: round(termTest),
      per_genre: Object.fromEntries(
        evidence.map((e) => [e.genre, {
          positive: e.positive.map((t) => ({ term: t.term, weight: round(t.weight, 3) })),
          negative: e.negative.map((t) => ({ term: t.term, weight: round(t.weight, 3) })),
        }]),
      ),
    },
    calibration: { bins: 10, binning: "equal-width", models: calibrationModels },
    label_noise: {
      high: noise.high,
      low: noise.low,
      false_positives: noise.falsePositives,
      false_negatives: noise.falseNegatives,
      confident_extras: noise.confidentExtras,
      confident_misses: noise.confidentMisses,
      extra_share: round(noise.extraShare),
      miss_share: round(noise.missShare),
      error_share: round(noise.errorShare),
      titles: noise.titles,
      by_genre: byGenre,
      examples,
    },
  };
  out.seconds = round((performance.now() - t0) / 1000, 1);
  out.cache_key = cacheKey;
  // Re-read: training may not run meanwhile, but keep whatever else is in the file.
  const latest = await readMetricsFile(dir);
  if (latest.features_id !== metrics.features_id) {
    throw new Error(
      `${join(dir, "metrics.json")} changed while explaining (new features); re-run the stage`,
    );
  }
  await atomicWriteJson(join(dir, "metrics.json"), { ...latest, explanations: out });
  log(
    `explain: done in ${out.seconds} s → ${join(dir, "metrics.json")} (explanations), ` +
      `${join(dir, EXPLAIN_SUBDIR)}/`,
  );
  return out;
}

/**
 * "Run or load" for notebook 06: metrics.json's `explanations` when they were made for the
 * current features and best model, otherwise trains (if needed) and runs the explain stage now.
 *
 * @example
 * ```ts
 * const { metrics, explanations } = await ensureExplained();
 * console.log(explanations.claims.length); // 3
 * ```
 */
export async function ensureExplained(options: { rerun?: boolean } = {}): Promise<
  { metrics: MetricsFile; explanations: ExplanationsMetrics; ranNow: boolean }
> {
  const { metrics } = await ensureTrained();
  const e = metrics.explanations;
  if (!options.rerun && e && e.features_id === metrics.features_id && e.model === metrics.best) {
    return { metrics, explanations: e, ranNow: false };
  }
  const explanations = await runExplain({ dir: NOTEBOOK_PROCESSED_DIR });
  return { metrics: await readMetricsFile(NOTEBOOK_PROCESSED_DIR), explanations, ranNow: true };
}
