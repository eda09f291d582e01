/**
 * Truncated SVD of a sparse matrix by the randomized range finder of Halko, Martinsson and Tropp
 * (2011): a seeded Gaussian test matrix, a few power (subspace) iterations with
 * re-orthonormalisation, then an exact eigendecomposition of the small projected problem.
 *
 * How the work is split, for speed in a single-threaded runtime (k = 768 components of the
 * 6,229 × ~13k Netflix TF-IDF matrix take ~5 s, scikit-learn's TruncatedSVD ~6.5 s here):
 * - sparse products `A·X`, `Aᵀ·X` run in plain JavaScript (float64 accumulation per row);
 * - dense products (Gram matrices, basis changes) run in float32 through `core/native_blas.ts`:
 *   OpenBLAS when installed, else tfjs' wasm back end;
 * - between power iterations the basis is re-conditioned by Cholesky-QR whose R comes from the
 *   Gram matrix of a sparse random sketch of the basis (2·l rows): the basis stays well
 *   conditioned (not exactly orthonormal) for a quarter of the Gram work; the blocked Cholesky
 *   and triangular inverse run in float64 with their big updates as float32 products;
 * - the final Rayleigh–Ritz step uses the exact Gram matrix of the basis, so the small `l×l`
 *   problem (solved with ml-matrix's symmetric eigensolver in float64) is the exact projection.
 *
 * Columns of the basis that depend on earlier ones (pivot below 1e-5 of their squared norm) are
 * dropped, which is how a rank-deficient input is detected: asking for more components than the
 * numerical rank throws {@linkcode SvdRankError} with the number that is possible.
 *
 * Determinism: the Gaussian test matrix comes from an own seeded generator and every reduction
 * runs in a fixed order, so the same input and options give the same bytes on one machine
 * (both product back ends are single-threaded and deterministic there). Other CPUs, or the other
 * back end, may differ in the last bits.
 *
 * @module
 */

import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import type { Matrix } from "../core/matrix.ts";
import { csrMatMul, type CsrMatrix, transposeCsr } from "./sparse_matrix.ts";
import { matMul } from "../core/native_blas.ts";

/** Options for {@linkcode randomizedSvd}. */
export interface RandomizedSvdOptions {
  /** Extra random directions beyond `k` that improve accuracy (default 10). */
  oversamples?: number;
  /** Power iterations; more sharpens the smaller singular values (default 5, like scikit-learn). */
  nIter?: number;
  /** Seed of the Gaussian test matrix (default 42). */
  seed?: number;
}

/** A truncated SVD `A ≈ U · diag(singularValues) · components`. */
export interface TruncatedSvd {
  /** The `k` largest singular values, decreasing. */
  singularValues: Float64Array;
  /**
   * Right singular vectors as rows (`k × cols`, like scikit-learn's `components_`). Each row's
   * largest-magnitude entry is positive (the first one on ties), which fixes the sign.
   */
  components: Matrix;
}

/**
 * Thrown when more components are asked for than the matrix supports; `possible` says how many
 * it does (its size or numerical rank).
 *
 * @example
 * ```ts
 * import { randomizedSvd, SvdRankError } from "./randomized_svd.ts";
 * import { csrFromDense } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * try {
 *   await randomizedSvd(csrFromDense(fromRows([[1, 1], [1, 1]])), 2);
 * } catch (err) {
 *   if (err instanceof SvdRankError) console.log(err.possible); // 1
 * }
 * ```
 */
export class SvdRankError extends RangeError {
  /** How many components the matrix supports. */
  readonly possible: number;
  constructor(message: string, possible: number) {
    super(message);
    this.name = "SvdRankError";
    this.possible = possible;
  }
}

/** Singular values below this fraction of the largest are treated as zero (float32 noise). */
const RANK_TOLERANCE = 1e-6;
/** A column whose squared residual after the earlier columns is below this share is dependent. */
const DEPENDENT_COLUMN = 1e-5;

/**
 * Computes the `k` largest singular values and right singular vectors of sparse `a`.
 * Throws a `RangeError` naming how many components are possible when `k` exceeds the size or
 * rank of `a`.
 *
 * @example
 * ```ts
 * import { randomizedSvd } from "./randomized_svd.ts";
 * import { csrFromDense } from "./sparse_matrix.ts";
 * import { fromRows } from "../core/matrix.ts";
 * const a = csrFromDense(fromRows([[3, 0, 0], [0, 2, 0], [0, 0, 1]]));
 * const { singularValues } = await randomizedSvd(a, 2);
 * console.log(singularValues); // ≈ Float64Array [3, 2]
 * ```
 */
export async function randomizedSvd(
  a: CsrMatrix,
  k: number,
  options: RandomizedSvdOptions = {},
): Promise<TruncatedSvd> {
  const oversamples = options.oversamples ?? 10;
  const nIter = options.nIter ?? 5;
  const seed = options.seed ?? 42;
  const limit = Math.min(a.rows, a.cols);
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`randomizedSvd: k must be a whole number >= 1, got ${k}`);
  }
  if (k > limit) {
    throw new SvdRankError(
      `randomizedSvd: asked for ${k} components but a ${a.rows}×${a.cols} matrix has at most ` +
        `${limit}; ask for at most ${limit} or give more rows/columns`,
      limit,
    );
  }
  if (!Number.isInteger(oversamples) || oversamples < 0) {
    throw new RangeError(
      `randomizedSvd: oversamples must be a whole number >= 0, got ${oversamples}`,
    );
  }
  if (!Number.isInteger(nIter) || nIter < 0) {
    throw new RangeError(`randomizedSvd: nIter must be a whole number >= 0, got ${nIter}`);
  }
  const l = Math.min(k + oversamples, limit);
  const at = transposeCsr(a);

  // Range finder: Q spans (A·Aᵀ)^nIter·A·Ω for a Gaussian Ω (cols × l). Between power
  // iterations the basis only needs to stay well conditioned, so R comes from the Gram matrix of
  // a random sketch with 2·l rows (a quarter of the work).
  const sketch = (step: number) =>
    2 * l < a.rows ? { rows: 2 * l, seed: (seed + 0x9e3779b9 * (step + 1)) >>> 0 } : undefined;
  let q = await choleskyQr(csrMatMul(a, gaussianMatrix(a.cols, l, seed)), sketch(0));
  for (let it = 0; it < nIter; it++) {
    q = await choleskyQr(csrMatMul(a, csrMatMul(at, q)), sketch(it + 1));
  }

  // Rayleigh–Ritz in span(Q), Q well conditioned but not orthonormal: with the exact Gram matrix
  // QᵀQ = RᵀR, Q̂ = Q·R⁻¹ is orthonormal and Q̂ᵀ·A·Aᵀ·Q̂ = R⁻ᵀ·(Qᵀ·A·Aᵀ·Q)·R⁻¹ = S·Λ·Sᵀ, so the
  // singular values are √Λ and U = Q̂·S = Q·(R⁻¹·S). Dependent columns of Q are dropped here.
  if (q.cols === 0) throw rankError(a, k, 0);
  const w = csrMatMul(a, csrMatMul(at, q));
  const gram = Float64Array.from((await denseMatMul(q, q, true)).data);
  const { r: rFactor, kept } = await blockedCholesky(gram, q.cols);
  const r = kept.length;
  if (r === 0) throw rankError(a, k, 0);
  const rInv: Matrix = { rows: r, cols: r, data: Float32Array.from(await invertUpper(rFactor, r)) };
  const qtw = (await denseMatMul(q, w, true)).data;
  const mKept = new Float32Array(r * r);
  for (let b = 0; b < r; b++) {
    for (let c = 0; c < r; c++) mKept[b * r + c] = qtw[kept[b] * q.cols + kept[c]];
  }
  const c = await denseMatMul(
    rInv,
    await denseMatMul({ rows: r, cols: r, data: mKept }, rInv, false),
    true,
  );
  const rows = Array.from({ length: r }, (_, i) => {
    const row = new Float64Array(r);
    for (let j = 0; j < r; j++) row[j] = (c.data[i * r + j] + c.data[j * r + i]) / 2;
    return row;
  });
  const evd = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const order = Array.from(lambda.keys()).sort((x, y) => lambda[y] - lambda[x] || x - y);
  const sigma = order.map((i) => Math.sqrt(Math.max(lambda[i], 0)));
  const possible = sigma.filter((s) => s > RANK_TOLERANCE * sigma[0]).length;
  if (possible < k) throw rankError(a, k, possible);
  const vecs = evd.eigenvectorMatrix.to2DArray();
  const s = new Float32Array(r * k);
  for (let i = 0; i < r; i++) {
    const row = vecs[i];
    for (let j = 0; j < k; j++) s[i * k + j] = row[order[j]] / sigma[j];
  }
  // U·Σ⁻¹ = Q·(R⁻¹·S·Σ⁻¹), with R⁻¹'s rows spread back over the kept columns of Q.
  const p = (await denseMatMul(rInv, { rows: r, cols: k, data: s }, false)).data;
  const t = new Float32Array(q.cols * k);
  for (let b = 0; b < r; b++) t.set(p.subarray(b * k, (b + 1) * k), kept[b] * k);
  const uScaled = await denseMatMul(q, { rows: q.cols, cols: k, data: t }, false);
  // Vᵀ's transpose (cols × k) = Aᵀ·U·Σ⁻¹.
  const v = csrMatMul(at, uScaled);
  const n = a.cols;
  const components = new Float32Array(k * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) components[j * n + i] = v.data[i * k + j];
  }
  for (let j = 0; j < k; j++) {
    const row = components.subarray(j * n, (j + 1) * n);
    let best = 0;
    for (let i = 1; i < n; i++) if (Math.abs(row[i]) > Math.abs(row[best])) best = i;
    if (row[best] < 0) { for (let i = 0; i < n; i++) row[i] = -row[i]; }
  }
  return {
    singularValues: Float64Array.from(sigma.slice(0, k)),
    components: { rows: k, cols: n, data: components },
  };
}

function rankError(a: CsrMatrix, k: number, possible: number): SvdRankError {
  return new SvdRankError(
    `randomizedSvd: asked for ${k} components but the ${a.rows}×${a.cols} matrix has numerical ` +
      `rank ${possible} (repeated or empty rows, too few distinct terms), so at most ${possible} ` +
      "are possible",
    possible,
  );
}

/** Dense float32 product `a·b` (or `aᵀ·b`): OpenBLAS when installed, else tfjs wasm. */
async function denseMatMul(a: Matrix, b: Matrix, transposeA: boolean): Promise<Matrix> {
  const m = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const data = (await matMul())(a.data, b.data, { m, n: b.cols, k, transposeA });
  return { rows: m, cols: b.cols, data };
}

/** Block size of the blocked Cholesky and triangular inverse (big updates as products). */
const BLOCK = 64;

/**
 * Orthonormal basis of the columns of `y` by Cholesky-QR (columns that depend on earlier ones
 * are dropped). With `sketch`, R comes from the Gram matrix of a random sketch S·Y instead of Y, and
 * the result is only well conditioned (κ of a few), not orthonormal.
 */
async function choleskyQr(
  y: Matrix,
  sketch?: { rows: number; seed: number },
): Promise<Matrix> {
  const l = y.cols;
  if (l === 0) return y;
  const z = sketch === undefined ? y : sketchRows(y, sketch.rows, sketch.seed);
  const g = Float64Array.from((await denseMatMul(z, z, true)).data);
  const { r, kept } = await blockedCholesky(g, l);
  if (kept.length === 0) return { rows: y.rows, cols: 0, data: new Float32Array(0) };
  const inv = await invertUpper(r, kept.length);
  // Q = Y·T with T = R⁻¹ placed on the kept rows (dropped columns of Y get zero weight).
  const k = kept.length;
  const t = new Float32Array(l * k);
  for (let b = 0; b < k; b++) {
    for (let c = b; c < k; c++) t[kept[b] * k + c] = inv[b * k + c];
  }
  return await matMulStaircase(y, { rows: l, cols: k, data: t }, kept);
}

/**
 * `y·t` for a `t` whose column `c` is zero below row `kept[c]` (an upper-triangular inverse
 * spread over the kept rows): the output is built in column blocks that only read the leading
 * columns of `y` they need, which skips about 40% of a full product.
 */
async function matMulStaircase(y: Matrix, t: Matrix, kept: number[]): Promise<Matrix> {
  const k = t.cols;
  const parts = 4;
  if (k < 4 * BLOCK) return await denseMatMul(y, t, false);
  const sgemm = await matMul();
  const data = new Float32Array(y.rows * k);
  for (let p = 0; p < parts; p++) {
    const c0 = Math.floor((p * k) / parts);
    const c1 = Math.floor(((p + 1) * k) / parts);
    const depth = kept[c1 - 1] + 1;
    const width = c1 - c0;
    // Leading `depth` columns of y and rows of this column block of t.
    let lhs = y.data;
    if (depth < y.cols) {
      lhs = new Float32Array(y.rows * depth);
      for (let i = 0; i < y.rows; i++) {
        lhs.set(y.data.subarray(i * y.cols, i * y.cols + depth), i * depth);
      }
    }
    const rhs = new Float32Array(depth * width);
    for (let i = 0; i < depth; i++) rhs.set(t.data.subarray(i * k + c0, i * k + c1), i * width);
    const block = sgemm(lhs, rhs, { m: y.rows, n: width, k: depth });
    for (let i = 0; i < y.rows; i++) {
      data.set(block.subarray(i * width, (i + 1) * width), i * k + c0);
    }
  }
  return { rows: y.rows, cols: k, data };
}

/**
 * A sparse random sketch S·Y with `rows` rows: every row of `y` is added, with random signs and
 * weight 1/√2, to 2 random rows of the sketch (a sparse sign embedding); cost O(rows(y)·cols).
 */
function sketchRows(y: Matrix, rows: number, seed: number): Matrix {
  const next = xoshiro128ss(seed);
  const n = y.cols;
  const out = new Float32Array(rows * n);
  for (let i = 0; i < y.rows; i++) {
    const src = i * n;
    for (let h = 0; h < 2; h++) {
      const bits = next();
      const dst = ((bits >>> 1) % rows) * n;
      const w = bits & 1 ? Math.SQRT1_2 : -Math.SQRT1_2;
      for (let j = 0; j < n; j++) out[dst + j] += w * y.data[src + j];
    }
  }
  return { rows, cols: n, data: out };
}

/**
 * Upper-triangular Cholesky factor of the Gram matrix `g` (`l × l`, overwritten), blocked
 * right-looking: rows of a block are factored in float64, the trailing update is a product.
 * A column whose pivot falls below {@linkcode DEPENDENT_COLUMN} × its squared norm depends on
 * earlier ones and is dropped. Returns R restricted to the kept columns (`k × k`).
 */
async function blockedCholesky(
  g: Float64Array,
  l: number,
): Promise<{ r: Float64Array; kept: number[] }> {
  const diag = new Float64Array(l);
  for (let j = 0; j < l; j++) diag[j] = g[j * l + j];
  const kept: number[] = [];
  for (let j0 = 0; j0 < l; j0 += BLOCK) {
    const j1 = Math.min(j0 + BLOCK, l);
    for (let j = j0; j < j1; j++) {
      const row = j * l;
      const d = g[row + j];
      if (!(d > DEPENDENT_COLUMN * diag[j])) {
        g.fill(0, row + j, row + l); // dependent column: zero row of R, excluded below
        continue;
      }
      const rjj = Math.sqrt(d);
      g[row + j] = rjj;
      for (let c = j + 1; c < l; c++) g[row + c] /= rjj;
      for (let c1 = j + 1; c1 < j1; c1++) {
        const f = g[row + c1];
        if (f === 0) continue;
        const o = c1 * l;
        for (let c2 = c1; c2 < l; c2++) g[o + c2] -= f * g[row + c2];
      }
      kept.push(j);
    }
    const rest = l - j1;
    if (rest === 0) continue;
    // Trailing update G[j1:, j1:] -= Pᵀ·P with P = R[j0:j1, j1:].
    const nb = j1 - j0;
    const p = new Float32Array(nb * rest);
    for (let i = 0; i < nb; i++) {
      for (let c = 0; c < rest; c++) p[i * rest + c] = g[(j0 + i) * l + j1 + c];
    }
    const pm = { rows: nb, cols: rest, data: p };
    const upd = (await denseMatMul(pm, pm, true)).data;
    for (let i = 0; i < rest; i++) {
      const o = (j1 + i) * l + j1;
      for (let c = i; c < rest; c++) g[o + c] -= upd[i * rest + c];
    }
  }
  const k = kept.length;
  const r = new Float64Array(k * k);
  for (let b = 0; b < k; b++) {
    for (let c = b; c < k; c++) r[b * k + c] = g[kept[b] * l + kept[c]];
  }
  return { r, kept };
}

/**
 * Inverse of the upper-triangular `k × k` matrix `r`, by block back substitution from the last
 * block row: X_II = R_II⁻¹ (float64), X_I,rest = −X_II · (R_I,rest · X_rest,rest) as products.
 */
async function invertUpper(r: Float64Array, k: number): Promise<Float64Array> {
  const x = new Float64Array(k * k);
  const acc = new Float64Array(k);
  const firstBlock = Math.floor((k - 1) / BLOCK) * BLOCK;
  for (let i0 = firstBlock; i0 >= 0; i0 -= BLOCK) {
    const i1 = Math.min(i0 + BLOCK, k);
    // Diagonal block, row by row from the bottom.
    for (let b = i1 - 1; b >= i0; b--) {
      acc.fill(0, b, i1);
      for (let m = b + 1; m < i1; m++) {
        const f = r[b * k + m];
        for (let c = m; c < i1; c++) acc[c] += f * x[m * k + c];
      }
      const d = r[b * k + b];
      x[b * k + b] = 1 / d;
      for (let c = b + 1; c < i1; c++) x[b * k + c] = -acc[c] / d;
    }
    const rest = k - i1;
    if (rest === 0) continue;
    const nb = i1 - i0;
    const rPanel = new Float32Array(nb * rest);
    for (let i = 0; i < nb; i++) {
      for (let c = 0; c < rest; c++) rPanel[i * rest + c] = r[(i0 + i) * k + i1 + c];
    }
    const xRest = new Float32Array(rest * rest);
    for (let i = 0; i < rest; i++) {
      for (let c = i; c < rest; c++) xRest[i * rest + c] = x[(i1 + i) * k + i1 + c];
    }
    const m = (await denseMatMul(
      { rows: nb, cols: rest, data: rPanel },
      { rows: rest, cols: rest, data: xRest },
      false,
    )).data;
    for (let i = 0; i < nb; i++) {
      acc.fill(0, 0, rest);
      for (let t = i; t < nb; t++) {
        const f = x[(i0 + i) * k + i0 + t];
        const o = t * rest;
        for (let c = 0; c < rest; c++) acc[c] += f * m[o + c];
      }
      const o = (i0 + i) * k + i1;
      for (let c = 0; c < rest; c++) x[o + c] = -acc[c];
    }
  }
  return x;
}

/** A `rows × cols` float32 matrix of standard normal draws from a seeded generator. */
function gaussianMatrix(rows: number, cols: number, seed: number): Matrix {
  const next = xoshiro128ss(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length;) {
    // Marsaglia's polar method: a point uniform in the unit disc gives two independent normals.
    const u = next() / 2147483648 - 1;
    const v = next() / 2147483648 - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    data[i++] = u * f;
    if (i < data.length) data[i++] = v * f;
  }
  return { rows, cols, data };
}

/** xoshiro128** seeded through splitmix32; returns unsigned 32-bit integers. */
function xoshiro128ss(seed: number): () => number {
  let x = seed >>> 0;
  const splitmix = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
}

function rotl(v: number, shift: number): number {
  return (v << shift) | (v >>> (32 - shift));
}
