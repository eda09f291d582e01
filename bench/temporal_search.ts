/**
 * Model selection that weighs titles added later (issue 12): every candidate of
 * bench/temporal_candidates.ts is scored on two validations that use TRAINING rows only, and —
 * once, for the finalists, with `--protocol ttest,rtest` — on the two test splits.
 *
 * Protocols (`--protocol`, comma-separated):
 * - `tval`: time-ordered validation inside the temporal training side. Features from a pipeline
 *   fitted on the titles added ≤ 2018 (or undated; bench/temporal_features.ts `inner/`); the
 *   model is fitted on those rows, thresholds come from its 5-fold OOF probabilities on them
 *   (as `deno task train` does), and it is scored on the 2019 titles.
 * - `rcv`: the study's random split, 5-fold CV on its training rows (processed_data), scored
 *   with nested per-genre thresholds exactly as bench/model_search.ts.
 * - `ttest`: temporal test — pipeline fitted on the titles added ≤ 2019 (+ undated), model and
 *   5-fold OOF thresholds on those rows, scored on the 2,126 titles added 2020–2021.
 * - `rtest`: the study's test split — fitted on the 6,229 training rows, thresholds from the
 *   `rcv` OOF, scored on the 1,558 test rows.
 *
 * Every protocol is scored with several threshold rules applied to the same cached
 * probabilities: `per_genre` (today's rule), `global`, and `shrink{k}`, a per-genre threshold
 * pulled toward the global one by its genre's positive count n: (n·t_genre + k·t_global)/(n + k).
 *
 * Fits run on the project's worker pool (`--workers`, default 2). Probabilities are
 * cached as .npy under `--cache` (default /tmp/temporal_search/cache).
 *
 * Usage:
 *   npx deno run -A bench/temporal_features.ts              # once
 *   npx deno run -A bench/temporal_search.ts --candidates lr4b_all,lr4b_nodate --protocol tval,rcv
 *
 * @module
 */

import { join } from "node:path";
import { type LabelMatrix, type Matrix, takeRows } from "../lib/core/matrix.ts";
import { readMatrix, readNpy, writeNpy } from "../lib/io/npy.ts";
import { genreCountStrata, type Split, stratifiedKFold } from "../lib/model_selection/k_fold.ts";
import { tuneThresholds } from "../lib/model_selection/threshold_tuning.ts";
import { binarize, evaluate, f1Score } from "../lib/metrics/multi_label_metrics.ts";
import { openPool } from "../lib/models/estimator_pool.ts";
import { BLOCK_FILE, type BlockName, CANDIDATES, type FeatureSpec } from "./temporal_candidates.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const names = arg("--candidates", "lr4b_all").split(",");
const protocols = arg("--protocol", "tval,rcv").split(",");
const cacheDir = arg("--cache", "/tmp/temporal_search/cache");
const temporalDir = arg("--temporal", "/tmp/temporal_search/features");
const randomDir = arg("--data", "processed_data/features");
// The random split's blocks: preprocess's, or bench/temporal_features.ts's `random/` (which has
// the extra text blocks too).
const randomBlocks = arg("--random-blocks", randomDir);
const nWorkers = Number(arg("--workers", "2"));
const SHRINK = [5, 20, 50];
await Deno.mkdir(cacheDir, { recursive: true });

// ---- data ----
const Y = await readMatrix(join(randomDir, "y.npy"), { dtype: "|u1" });
const config = JSON.parse(await Deno.readTextFile(join(randomDir, "config.json")));
const genres: string[] = config.genres;
const metadataNames: string[] = config.blocks.metadata.names;
const rows = JSON.parse(await Deno.readTextFile(join(temporalDir, "rows.json")));
const ints = (a: number[]) => Int32Array.from(a);
const randomTrain = (await readNpy(join(randomDir, "train_idx.npy"))).data as Int32Array;
const randomTest = (await readNpy(join(randomDir, "test_idx.npy"))).data as Int32Array;

const blockCache = new Map<string, Matrix>();
async function block(dir: string, b: BlockName): Promise<Matrix> {
  const key = `${dir}/${b}`;
  if (!blockCache.has(key)) blockCache.set(key, await readMatrix(join(dir, BLOCK_FILE[b])));
  return blockCache.get(key)!;
}

/** The candidate's columns for `rows` of the feature set in `dir`. */
async function features(dir: string, spec: FeatureSpec, rowIdx: Int32Array): Promise<Matrix> {
  const parts: { m: Matrix; w: number; keep: number[] }[] = [];
  for (const [b, w] of spec.blocks) {
    const m = await block(dir, b);
    const drop = b === "metadata" ? new Set(spec.dropMetadata ?? []) : new Set<string>();
    const keep = Array.from({ length: m.cols }, (_, j) => j).filter((j) =>
      !(b === "metadata" && drop.has(metadataNames[j]))
    );
    parts.push({ m, w, keep });
  }
  const cols = parts.reduce((a, p) => a + p.keep.length, 0);
  const out = new Float32Array(rowIdx.length * cols);
  for (let i = 0; i < rowIdx.length; i++) {
    let o = i * cols;
    for (const { m, w, keep } of parts) {
      const base = rowIdx[i] * m.cols;
      for (const j of keep) out[o++] = w * m.data[base + j];
    }
  }
  return { rows: rowIdx.length, cols, data: out };
}

// ---- fitting on the worker pool ----
interface Job {
  train: { X: Matrix; Y: LabelMatrix };
  test: Matrix;
}

const pool = openPool(nWorkers);

/** Fits each job's training rows (one pool task each) and predicts its test rows. */
async function runJobs(name: string, jobs: Job[]): Promise<{ P: Matrix; seconds: number }[]> {
  const model = CANDIDATES[name].model;
  return await Promise.all(jobs.map(async (job, k) => {
    // The test rows ride along under the training rows so that one task fits and predicts.
    const X = { ...job.train.X, rows: job.train.X.rows + job.test.rows };
    X.data = new Float32Array(X.rows * X.cols);
    X.data.set(job.train.X.data);
    X.data.set(job.test.data, job.train.X.data.length);
    const n = job.train.X.rows;
    const Y = { ...job.train.Y, rows: X.rows, data: new Uint8Array(X.rows * job.train.Y.cols) };
    Y.data.set(job.train.Y.data);
    const t0 = performance.now();
    const { proba } = await pool.fit(model, {
      X,
      Y,
      rows: Int32Array.from({ length: n }, (_, i) => i),
      predictRows: Int32Array.from({ length: job.test.rows }, (_, i) => n + i),
    });
    const seconds = (performance.now() - t0) / 1000;
    console.error(`  ${name}: job ${k + 1}/${jobs.length} ${seconds.toFixed(1)} s`);
    return { P: proba!, seconds };
  }));
}

async function tryRead(path: string): Promise<Matrix | null> {
  try {
    return await readMatrix(path);
  } catch {
    return null;
  }
}

interface Probabilities {
  yFit: LabelMatrix;
  folds: Split[];
  oof: Matrix;
  yEval: LabelMatrix | null;
  evalP: Matrix | null;
  fitSeconds: number | null;
}

/** OOF probabilities on the fit rows and (when `evalRows`) the full fit's probabilities on them. */
async function probabilities(
  name: string,
  tag: string,
  dir: string,
  fitRows: Int32Array,
  evalRows: Int32Array | null,
  oofTag = tag,
): Promise<Probabilities> {
  const yFit = takeRows(Y, fitRows);
  const folds = stratifiedKFold(genreCountStrata(yFit), { nSplits: 5, seed: 42 });
  if (!CANDIDATES[name]) {
    // A soft vote "w1*a+w2*b" of candidates whose probabilities are cached (same folds).
    const members = name.split("+").map((part) => {
      const [w, m] = part.includes("*") ? part.split("*") : ["1", part];
      return { w: Number(w), m };
    });
    const total = members.reduce((a, b) => a + b.w, 0);
    const mix = async (kind: "oof" | "eval", t: string) => {
      let out: Float32Array | null = null, r = 0;
      for (const { w, m } of members) {
        const path = join(cacheDir, `${m}.${t}.${kind}.npy`);
        const P = await tryRead(path);
        if (!P) throw new Error(`${path} is missing: run candidate ${m} on ${tag} first`);
        out ??= new Float32Array(P.data.length);
        for (let i = 0; i < out.length; i++) out[i] += (w / total) * P.data[i];
        r = P.rows;
      }
      return { rows: r, cols: Y.cols, data: out! };
    };
    let seconds: number | null = null;
    if (evalRows) {
      seconds = 0;
      for (const { m } of members) {
        const s = await Deno.readTextFile(join(cacheDir, `${m}.${tag}.seconds.json`));
        seconds += JSON.parse(s) ?? NaN;
      }
    }
    return {
      yFit,
      folds,
      oof: await mix("oof", oofTag),
      yEval: evalRows ? takeRows(Y, evalRows) : null,
      evalP: evalRows ? await mix("eval", tag) : null,
      fitSeconds: seconds,
    };
  }
  const spec = CANDIDATES[name].features;
  const oofPath = join(cacheDir, `${name}.${oofTag}.oof.npy`);
  const evalPath = join(cacheDir, `${name}.${tag}.eval.npy`);
  const secondsPath = join(cacheDir, `${name}.${tag}.seconds.json`);
  let oof = await tryRead(oofPath);
  let evalP = evalRows ? await tryRead(evalPath) : null;
  let fitSeconds: number | null = null;
  const X = await features(dir, spec, fitRows);
  const jobs: Job[] = [];
  if (!oof) {
    for (const f of folds) {
      jobs.push({
        train: { X: takeRows(X, f.train), Y: takeRows(yFit, f.train) },
        test: takeRows(X, f.test),
      });
    }
  }
  const wantEval = evalRows !== null && !evalP;
  if (wantEval) jobs.push({ train: { X, Y: yFit }, test: await features(dir, spec, evalRows!) });
  if (jobs.length > 0) {
    const done = await runJobs(name, jobs);
    if (!oof) {
      const data = new Float32Array(fitRows.length * Y.cols);
      folds.forEach((f, k) => {
        for (let i = 0; i < f.test.length; i++) {
          data.set(done[k].P.data.subarray(i * Y.cols, (i + 1) * Y.cols), f.test[i] * Y.cols);
        }
      });
      oof = { rows: fitRows.length, cols: Y.cols, data };
      await writeNpy(oofPath, oof);
    }
    if (wantEval) {
      const last = done[done.length - 1];
      evalP = last.P;
      fitSeconds = last.seconds;
      await writeNpy(evalPath, evalP);
      await Deno.writeTextFile(secondsPath, JSON.stringify(fitSeconds));
    }
  }
  if (evalRows && fitSeconds === null) {
    fitSeconds = JSON.parse(await Deno.readTextFile(secondsPath).catch(() => "null"));
  }
  return {
    yFit,
    folds,
    oof: oof!,
    yEval: evalRows ? takeRows(Y, evalRows) : null,
    evalP,
    fitSeconds,
  };
}

// ---- threshold rules ----
type Rule = string; // per_genre | global | fixed | shrink{k}
const RULES: Rule[] = ["per_genre", "global", "fixed", ...SHRINK.map((k) => `shrink${k}`)];

function thresholds(yFit: LabelMatrix, oof: Matrix, folds: Split[], rule: Rule): Float64Array {
  const t = tuneThresholds(yFit, oof, { folds });
  if (rule === "per_genre") return t.perLabel;
  if (rule === "global") return new Float64Array(yFit.cols).fill(t.globalThreshold);
  if (rule === "fixed") return new Float64Array(yFit.cols).fill(0.5); // the study's LR
  const k = Number(rule.slice("shrink".length));
  const out = new Float64Array(yFit.cols);
  for (let j = 0; j < yFit.cols; j++) {
    let n = 0;
    for (let i = 0; i < yFit.rows; i++) n += yFit.data[i * yFit.cols + j];
    out[j] = (n * t.perLabel[j] + k * t.globalThreshold) / (n + k);
  }
  return out;
}

/** Nested per-fold thresholds (tuned on the other folds' OOF rows) → pooled predictions. */
function nested(yFit: LabelMatrix, oof: Matrix, folds: Split[], rule: Rule): LabelMatrix {
  const out = new Uint8Array(oof.rows * oof.cols);
  for (const f of folds) {
    const yIn = takeRows(yFit, f.train);
    const pIn = takeRows(oof, f.train);
    const all = Int32Array.from({ length: f.train.length }, (_, i) => i);
    const t = thresholds(yIn, pIn, [{ train: new Int32Array(0), test: all }], rule);
    const pred = binarize(takeRows(oof, f.test), t);
    for (let i = 0; i < f.test.length; i++) {
      out.set(pred.data.subarray(i * oof.cols, (i + 1) * oof.cols), f.test[i] * oof.cols);
    }
  }
  return { rows: oof.rows, cols: oof.cols, data: out };
}

// ---- run ----
const table: string[] = [];
for (const name of names) {
  if (!CANDIDATES[name] && !/[+*]/.test(name)) {
    throw new Error(`no candidate "${name}" in bench/temporal_candidates.ts`);
  }
  for (const protocol of protocols) {
    let p: Probabilities;
    const inner = join(temporalDir, "inner");
    const outer = join(temporalDir, "outer");
    if (protocol === "tval") {
      p = await probabilities(name, "tval", inner, ints(rows.innerFit), ints(rows.innerVal));
    } else if (protocol === "ttest") {
      p = await probabilities(name, "ttest", outer, ints(rows.outerTrain), ints(rows.outerTest));
    } else if (protocol === "rcv") {
      p = await probabilities(name, "rcv", randomBlocks, randomTrain, null);
    } else if (protocol === "rtest") {
      p = await probabilities(name, "rtest", randomBlocks, randomTrain, randomTest, "rcv");
    } else throw new Error(`--protocol ${protocol}: use tval, rcv, ttest or rtest`);
    for (const rule of RULES) {
      let macro: number, micro: number, exact: number | null = null;
      if (protocol === "rcv") {
        const pred = nested(p.yFit, p.oof, p.folds, rule);
        macro = f1Score(p.yFit, pred, { average: "macro" });
        micro = f1Score(p.yFit, pred, { average: "micro" });
      } else {
        const t = thresholds(p.yFit, p.oof, p.folds, rule);
        const r = evaluate(p.yEval!, binarize(p.evalP!, t), { labelNames: genres });
        macro = r.f1_macro;
        micro = r.f1_micro;
        exact = r.exact_match;
      }
      const line = { name, protocol, rule, macro, micro, exact, fitSeconds: p.fitSeconds };
      await Deno.writeTextFile(join(cacheDir, "results.jsonl"), JSON.stringify(line) + "\n", {
        append: true,
      });
      table.push(
        `| ${name} | ${protocol} | ${rule} | ${macro.toFixed(4)} | ${micro.toFixed(4)} | ${
          exact === null ? "" : exact.toFixed(4)
        } | ${p.fitSeconds === null ? "" : p.fitSeconds.toFixed(0)} |`,
      );
      console.log(table[table.length - 1]);
    }
  }
}
console.log("| candidate | protocol | thresholds | F1 macro | F1 micro | exact | fit s |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const l of table) console.log(l);
pool.close();
