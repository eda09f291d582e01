/**
 * Label ambiguity, measured: the (title, genre) cells whose given label the model's out-of-fold
 * probability most confidently contradicts, and how much of the model's remaining error they
 * account for.
 *
 * - **confident extra**: the genre is *absent* from the title but its probability is at least
 *   `high` (default 0.8) — the model is sure the title belongs to a genre it was not given;
 * - **confident miss**: the genre is *given* but its probability is at most `low` (default 0.05).
 *
 * Only errors count: a confident extra must also reach the genre's threshold (a false positive),
 * a confident miss must stay below it (a false negative). Their share of all false positives / false negatives (at
 * the model's own thresholds) is the part of the error that "looks like label noise": the model
 * disagrees with the label so strongly that a human should look at the title before blaming the
 * model. It is an upper bound on label noise (a confident model can be confidently wrong), to be
 * read with the sample of titles shown next to it.
 *
 * @module
 */

import type { LabelMatrix, Matrix } from "../../core/matrix.ts";

/** One contradicted label. */
export interface Contradiction {
  /** Row of the label matrix. */
  row: number;
  /** Genre column and name. */
  label: number;
  genre: string;
  /** `"extra"`: absent but confidently predicted; `"miss"`: given but very unlikely. */
  kind: "extra" | "miss";
  /** The out-of-fold probability. */
  probability: number;
  /** How strongly the label is contradicted: `p` for extras, `1 − p` for misses. */
  confidence: number;
}

/** Options for {@linkcode labelContradictions}. */
export interface ContradictionOptions {
  /** Genre names, in column order. */
  names: readonly string[];
  /** Decision thresholds (one per genre or one for all) defining false positives / negatives. */
  thresholds: number | ArrayLike<number>;
  /** An absent genre with probability ≥ high is a confident extra (default 0.8). */
  high?: number;
  /** A given genre with probability ≤ low is a confident miss (default 0.05). */
  low?: number;
}

/** What {@linkcode labelContradictions} finds. */
export interface ContradictionReport {
  /** Confident contradictions, most confident first. */
  contradictions: Contradiction[];
  /** False positives and false negatives at the thresholds. */
  falsePositives: number;
  falseNegatives: number;
  /** Confident extras and misses. */
  confidentExtras: number;
  confidentMisses: number;
  /** confidentExtras / falsePositives, confidentMisses / falseNegatives, and of both together. */
  extraShare: number;
  missShare: number;
  errorShare: number;
  /** Titles with at least one confident contradiction. */
  titles: number;
  high: number;
  low: number;
}

/**
 * Finds the labels the probabilities most confidently contradict (see the module doc).
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "../../core/matrix.ts";
 * const y = labelsFromRows([[1, 0], [0, 1]]);
 * const p = fromRows([[0.9, 0.95], [0.1, 0.01]]);
 * const r = labelContradictions(y, p, { names: ["A", "B"], thresholds: 0.5 });
 * r.contradictions.map((c) => `${c.row}:${c.genre}:${c.kind}`); // ["1:B:miss", "0:B:extra"]
 * ```
 */
export function labelContradictions(
  yTrue: LabelMatrix,
  proba: Matrix<Float32Array | Float64Array>,
  options: ContradictionOptions,
): ContradictionReport {
  const high = options.high ?? 0.8;
  const low = options.low ?? 0.05;
  if (!(low >= 0 && low < high && high <= 1)) {
    throw new RangeError(
      `labelContradictions: need 0 ≤ low < high ≤ 1, got low=${low}, high=${high}`,
    );
  }
  const { rows, cols } = yTrue;
  if (proba.rows !== rows || proba.cols !== cols) {
    throw new RangeError(
      `labelContradictions: labels are ${rows}×${cols} but probabilities are ` +
        `${proba.rows}×${proba.cols}; pass the same titles and genres`,
    );
  }
  if (options.names.length !== cols) {
    throw new RangeError(
      `labelContradictions: ${options.names.length} names for ${cols} genre columns`,
    );
  }
  const t = options.thresholds;
  if (typeof t !== "number" && t.length !== cols) {
    throw new RangeError(`labelContradictions: ${t.length} thresholds for ${cols} genre columns`);
  }
  const out: Contradiction[] = [];
  let fp = 0;
  let fn = 0;
  let extras = 0;
  let misses = 0;
  const flagged = new Uint8Array(rows);
  const y = yTrue.data;
  const p = proba.data;
  const flag = (i: number, j: number, kind: Contradiction["kind"], v: number) => {
    flagged[i] = 1;
    const confidence = kind === "miss" ? 1 - v : v;
    out.push({ row: i, label: j, genre: options.names[j], kind, probability: v, confidence });
  };
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const v = p[k];
      const tj = typeof t === "number" ? t : t[j];
      if (y[k] === 1) {
        if (v < tj) fn++;
        if (v <= low && v < tj) {
          misses++;
          flag(i, j, "miss", v);
        }
      } else {
        if (v >= tj) fp++;
        if (v >= high && v >= tj) {
          extras++;
          flag(i, j, "extra", v);
        }
      }
    }
  }
  out.sort((a, b) => b.confidence - a.confidence || a.row - b.row || a.label - b.label);
  let titles = 0;
  for (let i = 0; i < rows; i++) titles += flagged[i];
  return {
    contradictions: out,
    falsePositives: fp,
    falseNegatives: fn,
    confidentExtras: extras,
    confidentMisses: misses,
    extraShare: fp > 0 ? extras / fp : 0,
    missShare: fn > 0 ? misses / fn : 0,
    errorShare: fp + fn > 0 ? (extras + misses) / (fp + fn) : 0,
    titles,
    high,
    low,
  };
}
