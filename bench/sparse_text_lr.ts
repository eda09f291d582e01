/**
 * A bench-only probe of one issue-12 idea: sparse TF-IDF terms (title + description words and
 * bigrams) fed to a linear model directly, instead of through the 768-d SVD. One-vs-rest L2
 * logistic regression with balanced class weights, solved per genre with L-BFGS on the CSR
 * rows (lib/models/lbfgs.ts). For each protocol of bench/temporal_search.ts it writes the same
 * cached files a candidate there writes (`NAME.PROTOCOL.oof.npy`, `NAME.PROTOCOL.eval.npy`), so
 * that `temporal_search.ts --vote` can score it alone or in a soft vote with cached candidates.
 *
 * The TF-IDF vocabulary of each protocol is fitted on that protocol's fitting rows (as the LSA
 * embeddings are); test rows are only transformed.
 *
 * Usage: npx deno run -A bench/sparse_text_lr.ts --protocol tval,rcv [--C 4] [--title true]
 *
 * @module
 */

import { join } from "node:path";
import { readTitles } from "../lib/data/netflix_csv.ts";
import { TfidfVectorizer } from "../lib/text/tfidf_vectorizer.ts";
import type { CsrMatrix } from "../lib/text/sparse_matrix.ts";
import { type LabelMatrix, type Matrix, takeRows } from "../lib/core/matrix.ts";
import { readMatrix, readNpy, writeNpy } from "../lib/io/npy.ts";
import { genreCountStrata, stratifiedKFold } from "../lib/model_selection/k_fold.ts";
import { minimizeLbfgs } from "../lib/models/lbfgs.ts";
import { BLOCK_FILES, type FeatureBlock } from "../lib/features/processed_data.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const protocols = arg("--protocol", "tval,rcv").split(",");
const C = Number(arg("--C", "4"));
const withTitle = arg("--title", "true") === "true";
const cacheDir = arg("--cache", "/tmp/temporal_search/cache");
const temporalDir = arg("--temporal", "/tmp/temporal_search/features");
const randomDir = arg("--data", "processed_data/features");
const denseBlocks = arg("--dense", "").split(",").filter((b) => b !== "") as FeatureBlock[];
const creditsWeight = Number(arg("--credits-weight", "1"));
const noDate = arg("--nodate", "false") === "true";
const name = arg(
  "--name",
  `sparse_lr_C${C}${withTitle ? "_title" : ""}${
    denseBlocks.length ? "_" + denseBlocks.join("+") : ""
  }`,
);

const { titles } = await readTitles(arg("--input", "data/NetFlix.csv"));
const texts = titles.description.map((d, i) => withTitle ? `${titles.title[i]}. ${d}` : d);
const Y = await readMatrix(join(randomDir, "y.npy"), { dtype: "|u1" });
const rows = JSON.parse(await Deno.readTextFile(join(temporalDir, "rows.json")));
const randomTrain = (await readNpy(join(randomDir, "train_idx.npy"))).data as Int32Array;
const randomTest = (await readNpy(join(randomDir, "test_idx.npy"))).data as Int32Array;

function csrRows(m: CsrMatrix, idx: ArrayLike<number>): CsrMatrix {
  const indptr = new Int32Array(idx.length + 1);
  for (let i = 0; i < idx.length; i++) {
    indptr[i + 1] = indptr[i] + m.indptr[idx[i] + 1] - m.indptr[idx[i]];
  }
  const indices = new Int32Array(indptr[idx.length]);
  const data = new Float32Array(indptr[idx.length]);
  for (let i = 0; i < idx.length; i++) {
    const a = m.indptr[idx[i]], b = m.indptr[idx[i] + 1];
    indices.set(m.indices.subarray(a, b), indptr[i]);
    data.set(m.data.subarray(a, b), indptr[i]);
  }
  return { rows: idx.length, cols: m.cols, indptr, indices, data };
}

/** Fits one balanced L2 LR per genre on X; returns coefficients (genres × (cols + 1)). */
function fit(X: CsrMatrix, D: Matrix | null, y: LabelMatrix): Float64Array[] {
  const n = X.rows, ps = X.cols, dc = D ? D.cols : 0, p = ps + dc, L = y.cols;
  const out: Float64Array[] = [];
  const z = new Float64Array(n);
  for (let j = 0; j < L; j++) {
    let pos = 0;
    for (let i = 0; i < n; i++) pos += y.data[i * L + j];
    const wPos = pos > 0 ? n / (2 * pos) : 1, wNeg = pos < n ? n / (2 * (n - pos)) : 1;
    const r = minimizeLbfgs(
      (beta) => {
        const g = new Float64Array(p + 1);
        let f = 0;
        for (let k = 0; k < p; k++) f += beta[k] * beta[k];
        f /= 2 * C;
        for (let i = 0; i < n; i++) {
          let s = beta[p];
          for (let q = X.indptr[i]; q < X.indptr[i + 1]; q++) s += X.data[q] * beta[X.indices[q]];
          if (D) { for (let k = 0, o = i * dc; k < dc; k++) s += D.data[o + k] * beta[ps + k]; }
          z[i] = s;
        }
        for (let i = 0; i < n; i++) {
          const yi = y.data[i * L + j], w = yi ? wPos : wNeg, s = z[i];
          // log(1 + e^{-s}) for y = 1, log(1 + e^{s}) for y = 0, computed stably
          const m = yi ? -s : s;
          f += w * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
          const prob = 1 / (1 + Math.exp(-s));
          const r = w * (prob - yi);
          g[p] += r;
          for (let q = X.indptr[i]; q < X.indptr[i + 1]; q++) g[X.indices[q]] += r * X.data[q];
          if (D) { for (let k = 0, o = i * dc; k < dc; k++) g[ps + k] += r * D.data[o + k]; }
        }
        for (let k = 0; k < p; k++) g[k] += beta[k] / C;
        return { f, g };
      },
      new Float64Array(p + 1),
      { maxIter: 500 },
    );
    out.push(r.x);
  }
  return out;
}

function predict(coef: Float64Array[], X: CsrMatrix, D: Matrix | null): Matrix {
  const L = coef.length, ps = X.cols, dc = D ? D.cols : 0, p = ps + dc;
  const data = new Float32Array(X.rows * L);
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < L; j++) {
      const b = coef[j];
      let s = b[p];
      for (let q = X.indptr[i]; q < X.indptr[i + 1]; q++) s += X.data[q] * b[X.indices[q]];
      if (D) { for (let k = 0, o = i * dc; k < dc; k++) s += D.data[o + k] * b[ps + k]; }
      data[i * L + j] = 1 / (1 + Math.exp(-s));
    }
  }
  return { rows: X.rows, cols: L, data };
}

const metadataNames: string[] = JSON.parse(
  await Deno.readTextFile(join(randomDir, "config.json")),
).blocks.metadata.names;

/** The dense blocks of `--dense` for every title (credits scaled, date_added dropped if asked). */
async function denseFeatures(dir: string): Promise<Matrix | null> {
  if (denseBlocks.length === 0) return null;
  const parts: { m: Matrix; w: number; keep: number[] }[] = [];
  for (const b of denseBlocks) {
    const m = await readMatrix(join(dir, BLOCK_FILES[b]));
    const keep = Array.from({ length: m.cols }, (_, j) => j).filter((j) =>
      !(b === "metadata" && noDate && metadataNames[j] === "date_added")
    );
    parts.push({ m, w: b === "credits" ? creditsWeight : 1, keep });
  }
  const n = parts[0].m.rows, cols = parts.reduce((a, p) => a + p.keep.length, 0);
  const data = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) {
    let o = i * cols;
    for (const { m, w, keep } of parts) {
      for (const j of keep) data[o++] = w * m.data[i * m.cols + j];
    }
  }
  return { rows: n, cols, data };
}

for (const protocol of protocols) {
  const spec: Record<string, [number[] | Int32Array, number[] | Int32Array | null, string]> = {
    tval: [rows.innerFit, rows.innerVal, "tval"],
    ttest: [rows.outerTrain, rows.outerTest, "ttest"],
    rcv: [randomTrain, null, "rcv"],
    rtest: [randomTrain, randomTest, "rcv"],
  };
  if (!spec[protocol]) throw new Error(`--protocol ${protocol}: use tval, rcv, ttest or rtest`);
  const [fitRows, evalRows, oofTag] = spec[protocol];
  const dir = protocol === "tval"
    ? join(temporalDir, "inner")
    : protocol === "ttest"
    ? join(temporalDir, "outer")
    : randomDir;
  const dense = await denseFeatures(dir);
  const t0 = performance.now();
  const vec = new TfidfVectorizer({ minDf: 2, ngramRange: [1, 2] });
  const fitTexts = Array.from(fitRows, (i) => texts[i]);
  const XFit = vec.fitTransform(fitTexts);
  const yFit = takeRows(Y, fitRows);
  if (protocol !== "rtest") {
    const folds = stratifiedKFold(genreCountStrata(yFit), { nSplits: 5, seed: 42 });
    const oof = new Float32Array(yFit.rows * Y.cols);
    for (const f of folds) {
      const DFit = dense ? takeRows(dense, fitRows) : null;
      const sub = (r: Int32Array) => DFit ? takeRows(DFit, r) : null;
      const coef = fit(csrRows(XFit, f.train), sub(f.train), takeRows(yFit, f.train));
      const P = predict(coef, csrRows(XFit, f.test), sub(f.test));
      for (let i = 0; i < f.test.length; i++) {
        oof.set(P.data.subarray(i * Y.cols, (i + 1) * Y.cols), f.test[i] * Y.cols);
      }
    }
    await writeNpy(join(cacheDir, `${name}.${oofTag}.oof.npy`), {
      rows: yFit.rows,
      cols: Y.cols,
      data: oof,
    });
  }
  if (evalRows) {
    const t1 = performance.now();
    const coef = fit(XFit, dense ? takeRows(dense, fitRows) : null, yFit);
    const seconds = (performance.now() - t1) / 1000;
    const XEval = vec.transform(Array.from(evalRows, (i) => texts[i]));
    await writeNpy(
      join(cacheDir, `${name}.${protocol}.eval.npy`),
      predict(coef, XEval, dense ? takeRows(dense, evalRows) : null),
    );
    await Deno.writeTextFile(
      join(cacheDir, `${name}.${protocol}.seconds.json`),
      JSON.stringify(seconds),
    );
  }
  console.log(
    `${name} ${protocol}: ${XFit.cols} terms, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
}
