/**
 * The explain stage (`deno task explain`): measures why the best model predicts what it
 * predicts and writes the results into `metrics.json` under `explanations`, plus the parts
 * `predict --explain` needs under `processed_data/explain/`:
 *
 * 1. **permutation importance** per feature block (type and rating separately) and per genre,
 *    out-of-fold on the training rows (the training's own fold models of the saved model's
 *    estimator, or fresh fits of it, several permutations per block), and the study's three
 *    inferred claims tested on it (`analysis/explain/study_claims.ts`);
 * 2. **term evidence**: the interpretable term model ({@linkcode TermModel}) fitted on the
 *    training rows, its top terms per genre, its test F1 macro;
 * 3. **calibration**: reliability bins and ECE of best, study_lr and study_rf, out-of-fold and
 *    test;
 * 4. **label ambiguity**: the training labels the best model's out-of-fold probabilities most
 *    confidently contradict.
 *
 * @module
 */

import { sha256Hex } from "../core/sha256.ts";
import { codeFingerprint } from "../io/source_hash.ts";
import { type Reliability, reliability } from "../analysis/explain/calibration.ts";
import { blockMeans, saveExplainerParts } from "./explain_title.ts";
import { genreCountStrata, stratifiedKFold } from "../model_selection/k_fold.ts";
import { labelContradictions } from "../analysis/explain/label_noise.ts";
import { binarize, f1Score } from "../metrics/multi_label_metrics.ts";
import type { ExplanationsMetrics, ReliabilitySummary } from "./metrics_file.ts";
import { readTitles, selectTitles } from "../data/netflix_csv.ts";
import { permutationImportance } from "../model_selection/permutation_importance.ts";
import { TermModel } from "../analysis/explain/term_evidence.ts";
import { claimGenres, explainGroups, studyClaims } from "../analysis/explain/study_claims.ts";
import { Artifacts } from "./artifacts.ts";
import { openPool } from "../models/estimator_pool.ts";
import { defaultWorkers } from "../core/worker_pool.ts";

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
  /** Workers to refit fold models on when train's are not there (default: cores, at most 2). */
  workers?: number;
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
  const artifacts = new Artifacts(options.dir);
  const log = options.verbose === false ? () => {} : (s: string) => console.log(s);
  const metrics = await artifacts.readMetrics();
  const name = metrics.best;
  const entry = metrics.models[name];
  const config = await artifacts.readConfig();
  const model = await artifacts.openModel(name, {
    featuresId: metrics.features_id,
    embedder: config.embedder,
    featuresSource: artifacts.features,
  });
  const data = await artifacts.loadFeatures({ features: model.pipeline.kinds });
  if (data.config.id !== metrics.features_id) {
    throw new Error(
      `${artifacts.metrics} was written for features ${metrics.features_id.slice(0, 12)} ` +
        `but ${artifacts.features} holds ${
          data.config.id.slice(0, 12)
        }; run \`npx deno task train\``,
    );
  }
  const genres = data.config.genres;
  // The model's own thresholds: the only place they are kept.
  const thresholds = model.estimator.thresholds!;
  const titlesPath = `${artifacts.features}/titles.csv`;
  const { titles: all } = await readTitles(titlesPath);
  if (all.length !== data.config.counts.titles) {
    throw new Error(
      `${titlesPath} has ${all.length} titles, config.json says ` +
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
    code: await codeFingerprint(import.meta.url),
  }));
  const previous = metrics.explanations;
  if (!options.force && previous?.cache_key === cacheKey) {
    try {
      await Deno.stat(artifacts.explain);
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
  // The training's own CV fold models, when they belong to this training: no fold is refitted.
  const saved = await artifacts.readSavedFolds(name);
  const reuse = saved !== null && saved.trained === entry.trained &&
    saved.features_id === metrics.features_id && saved.folds === nFolds &&
    saved.seed === (metrics.cv.seed ?? 42);
  log(
    reuse
      ? `  reusing the ${nFolds} fold models train fitted (${artifacts.foldModels(name)})`
      : "  no saved fold models of this training: fitting the folds",
  );
  // The saved model's estimator (its spec), refitted per fold when train's folds are not there.
  const estimator = model.estimator.options.estimator;
  using pool = openPool(options.workers ?? defaultWorkers());
  const importance = (useSaved: boolean) =>
    permutationImportance(estimator, [data.XTrain, data.yTrain], {
      fitted: useSaved ? (k) => artifacts.loadFoldModel(name, k).catch(() => null) : undefined,
      pool,
      groups,
      folds,
      thresholds,
      repeats,
      seed,
      onFold: (k, s) => log(`  fold ${k + 1}/${nFolds} scored at ${s.toFixed(1)} s`),
    });
  // The best model's saved probabilities (train's out-of-fold and test), read once.
  const bestProba = await artifacts.readPredictions(name);
  let foldsFromTrain = reuse;
  let imp = await importance(reuse);
  if (reuse && !sameData(imp.oof.data, bestProba.oof.data)) {
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
  await saveExplainerParts(artifacts, {
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
    const { oof, test: testP } = m === name ? bestProba : await artifacts.readPredictions(m);
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
  const { oof } = bestProba;
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
  // Re-read: keep whatever else is in the file (training may not run meanwhile).
  await artifacts.updateMetrics((latest) => {
    if (latest.features_id !== metrics.features_id) {
      throw new Error(
        `${artifacts.metrics} changed while explaining (new features); re-run the stage`,
      );
    }
    return { ...latest, explanations: out };
  });
  log(
    `explain: done in ${out.seconds} s → ${artifacts.metrics} (explanations), ${artifacts.explain}/`,
  );
  return out;
}
