/**
 * Decision thresholds chosen on out-of-fold probabilities of the training rows only: the study's
 * single global threshold (grid 0.10–0.50) and one threshold per genre.
 *
 * @module
 */

import { type LabelMatrix, type Matrix, takeRows } from "../core/matrix.ts";
import { f1MacroAt, perLabelF1At } from "../metrics/multi_label_metrics.ts";
import type { Split } from "./train_test_split.ts";

/** The study's global grid: 0.10, 0.15, …, 0.50. */
export const STUDY_GRID: number[] = Array.from({ length: 9 }, (_, i) => round2(0.1 + i * 0.05));

/** Default per-genre grid: 0.02, 0.03, …, 0.90. */
export const PER_LABEL_GRID: number[] = Array.from(
  { length: 89 },
  (_, i) => round2(0.02 + i * 0.01),
);

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** One point of the cross-validation curve. */
export interface CvCurvePoint {
  threshold: number;
  /** Mean over folds of F1 macro on each fold's held-out rows. */
  mean: number;
  /** Population standard deviation over folds. */
  std: number;
}

/** Options for {@linkcode tuneThresholds}. */
export interface TuneThresholdsOptions {
  /** The folds the out-of-fold probabilities came from (for the per-fold curve). */
  folds: Split[];
  /** Global grid (default {@linkcode STUDY_GRID}). */
  grid?: number[];
  /** Per-label grid (default {@linkcode PER_LABEL_GRID}). */
  perLabelGrid?: number[];
  /** Labels with fewer positive training rows keep the global threshold (default 5). */
  minSupport?: number;
}

/** Thresholds and the evidence they were chosen on. */
export interface ThresholdTuningResult {
  /** Grid value with the best mean CV F1 macro. */
  globalThreshold: number;
  /** Threshold → mean ± std F1 macro across folds. */
  cvCurve: CvCurvePoint[];
  /** One threshold per label, each maximising that label's out-of-fold F1. */
  perLabel: Float64Array;
  /** Out-of-fold F1 macro with the global threshold and with the per-label thresholds. */
  cvF1Global: number;
  cvF1PerLabel: number;
}

/**
 * Chooses thresholds from out-of-fold probabilities `oof` of the training rows `Y`. Test rows
 * are never passed here, so they cannot influence the choice.
 *
 * @example
 * ```ts
 * import type { MultiLabelEstimator } from "../core/estimator.ts";
 * import type { LabelMatrix, Matrix } from "../core/matrix.ts";
 * import { crossValPredictProba } from "./cross_val_predict.ts";
 * import { genreCountStrata, stratifiedKFold } from "./k_fold.ts";
 * declare const model: MultiLabelEstimator, XTrain: Matrix, yTrain: LabelMatrix;
 * const folds = stratifiedKFold(genreCountStrata(yTrain), { nSplits: 5, seed: 42 });
 * const { proba } = await crossValPredictProba(model, [XTrain, yTrain], { folds });
 * const tuned = tuneThresholds(yTrain, proba, { folds });
 * console.log(tuned.globalThreshold, tuned.cvCurve);
 * ```
 */
export function tuneThresholds(
  Y: LabelMatrix,
  oof: Matrix,
  options: TuneThresholdsOptions,
): ThresholdTuningResult {
  if (Y.rows !== oof.rows || Y.cols !== oof.cols) {
    throw new RangeError(
      `tuneThresholds: labels are ${Y.rows}×${Y.cols} but probabilities are ${oof.rows}×${oof.cols}`,
    );
  }
  const grid = options.grid ?? STUDY_GRID;
  const perGrid = options.perLabelGrid ?? PER_LABEL_GRID;
  const minSupport = options.minSupport ?? 5;
  if (grid.length === 0 || perGrid.length === 0) throw new RangeError("tuneThresholds: empty grid");

  const foldData = options.folds.map((f) => ({ y: takeRows(Y, f.test), p: takeRows(oof, f.test) }));
  const cvCurve: CvCurvePoint[] = grid.map((t) => {
    const scores = foldData.map(({ y, p }) => f1MacroAt(y, p, { threshold: t }));
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    return { threshold: t, mean, std };
  });
  let best = cvCurve[0];
  for (const point of cvCurve) if (point.mean > best.mean) best = point;

  const L = Y.cols;
  const support = new Int32Array(L);
  for (let i = 0; i < Y.rows; i++) for (let j = 0; j < L; j++) support[j] += Y.data[i * L + j];
  const bestF1 = new Float64Array(L).fill(-1);
  const perLabel = new Float64Array(L).fill(best.threshold);
  const f1 = new Float64Array(L);
  for (const t of perGrid) {
    perLabelF1At(Y, oof, { threshold: t, out: f1 });
    for (let j = 0; j < L; j++) {
      if (support[j] >= minSupport && f1[j] > bestF1[j]) {
        bestF1[j] = f1[j];
        perLabel[j] = t;
      }
    }
  }
  return {
    globalThreshold: best.threshold,
    cvCurve,
    perLabel,
    cvF1Global: f1MacroAt(Y, oof, { threshold: best.threshold }),
    cvF1PerLabel: f1MacroAt(Y, oof, { threshold: perLabel }),
  };
}
