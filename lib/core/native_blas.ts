/**
 * Float32 matrix products for the randomized SVD, the logistic regression and the MLP: OpenBLAS's
 * `cblas_sgemm` through Deno's FFI when the library is installed (Debian/Ubuntu: `libopenblas0`,
 * which `python3-numpy` pulls in), else tfjs' wasm back end ({@linkcode matMul}). On this project's
 * 2-core machine OpenBLAS multiplies ~3.5× faster than wasm (AVX-512 instead of 128-bit wasm
 * SIMD); L-BFGS and the MLP's training spend nearly all their time in such products.
 *
 * OpenBLAS is limited to one thread (parallel work is split over Web Workers instead), so a
 * product is the same single-threaded computation on the main thread and in a worker. Results
 * differ from the wasm back end's in the last float bits (another summation order), as they do
 * between CPUs; without the library, without FFI permission, or with
 * `NETFLIX_GENRES_BLAS=wasm` in the environment, {@linkcode nativeSgemm} returns null and callers
 * use tfjs.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { useFastBackend } from "./tf_backend.ts";

/**
 * The shape of `C = op(A) · op(B)` on row-major float32 matrices: C is m × n, op(A) m × k and
 * op(B) k × n. With `transposeA`, A is stored k × m; with `transposeB`, B is stored n × k.
 */
export interface SgemmShape {
  /** Rows of C and of op(A). */
  m: number;
  /** Columns of C and of op(B). */
  n: number;
  /** The summed dimension. */
  k: number;
  /** Use Aᵀ (A stored k × m); default false. */
  transposeA?: boolean;
  /** Use Bᵀ (B stored n × k); default false. */
  transposeB?: boolean;
}

/** `C = op(A) · op(B)`, a new m × n row-major array (see {@linkcode SgemmShape}). */
export type Sgemm = (A: Float32Array, B: Float32Array, shape: SgemmShape) => Float32Array;

const CANDIDATES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"];
const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  cblas_dgemv: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "f64",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f64",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
} as const;
const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
let library: Deno.DynamicLibrary<typeof SYMBOLS> | null | undefined;

/** OpenBLAS limited to one thread, or null (not installed, no FFI permission, or switched off). */
function openBlas(): Deno.DynamicLibrary<typeof SYMBOLS> | null {
  if (library !== undefined) return library;
  library = null;
  let off = false;
  try {
    off = Deno.env.get("NETFLIX_GENRES_BLAS") === "wasm";
  } catch {
    // No env permission: try the library anyway.
  }
  if (off) return library;
  for (const name of CANDIDATES) {
    try {
      library = Deno.dlopen(name, SYMBOLS);
      library.symbols.openblas_set_num_threads(1);
      return library;
    } catch {
      // Not installed under this name, or no FFI permission: try the next, else tfjs.
    }
  }
  return library;
}

let cached: Sgemm | null | undefined;

/**
 * The native `sgemm`, or null when it is unavailable (callers fall back to tfjs).
 *
 * @example
 * ```ts
 * const sgemm = nativeSgemm();
 * if (sgemm) {
 *   const C = sgemm(Float32Array.of(1, 2), Float32Array.of(3, 4), {
 *     m: 1, n: 1, k: 2, transposeB: true,
 *   }); // [11]
 * }
 * ```
 */
export function nativeSgemm(): Sgemm | null {
  if (cached !== undefined) return cached;
  const lib = openBlas();
  cached = lib === null ? null : (A, B, { m, n, k, transposeA = false, transposeB = false }) => {
    checkOperands(A, B, m, n, k, "nativeSgemm");
    const C = new Float32Array(m * n);
    if (m === 0 || n === 0) return C;
    lib.symbols.cblas_sgemm(
      ROW_MAJOR,
      transposeA ? TRANS : NO_TRANS,
      transposeB ? TRANS : NO_TRANS,
      m,
      n,
      k,
      1,
      A,
      transposeA ? m : k,
      B,
      transposeB ? k : n,
      0,
      C,
      n,
    );
    return C;
  };
  return cached;
}

/**
 * `y ← alpha·op(A)·x + beta·y` in place, float64, for a row-major `rows × cols` matrix A (the
 * first `rows` rows of a longer array may be used); `op(A)` is Aᵀ with `transpose`.
 */
export type Dgemv = (
  A: Float64Array,
  x: Float64Array,
  y: Float64Array,
  shape: { rows: number; cols: number; transpose?: boolean; alpha?: number; beta?: number },
) => void;

let cachedDgemv: Dgemv | null | undefined;

/**
 * OpenBLAS's float64 matrix–vector product, or null when OpenBLAS is unavailable (callers fall
 * back to loops of their own). L-BFGS uses it for its search direction.
 *
 * @example
 * ```ts
 * const dgemv = nativeDgemv();
 * const y = new Float64Array(1);
 * dgemv?.(Float64Array.of(1, 2), Float64Array.of(3, 4), y, { rows: 1, cols: 2 }); // y = [11]
 * ```
 */
export function nativeDgemv(): Dgemv | null {
  if (cachedDgemv !== undefined) return cachedDgemv;
  const lib = openBlas();
  cachedDgemv = lib === null
    ? null
    : (A, x, y, { rows, cols, transpose = false, alpha = 1, beta = 0 }) => {
      if (
        A.length < rows * cols || x.length < (transpose ? rows : cols) ||
        y.length < (transpose ? cols : rows)
      ) {
        throw new RangeError(`nativeDgemv: operands too short for a ${rows}×${cols} matrix`);
      }
      if (rows === 0 || cols === 0) {
        for (let i = 0; i < (transpose ? cols : rows); i++) y[i] = beta === 0 ? 0 : beta * y[i];
        return;
      }
      // Some OpenBLAS kernels (e.g. Prescott's dgemv) round differently when an operand is not
      // 16-byte aligned, and a subarray view may start anywhere: such operands are copied into
      // fresh (aligned) arrays, so the result does not depend on where the data happen to lie.
      const a = aligned16(A), xa = aligned16(x), ya = aligned16(y);
      lib.symbols.cblas_dgemv(
        ROW_MAJOR,
        transpose ? TRANS : NO_TRANS,
        rows,
        cols,
        alpha,
        a,
        cols,
        xa,
        1,
        beta,
        ya,
        1,
      );
      if (ya !== y) y.set(ya);
    };
  return cachedDgemv;
}

/**
 * `v` itself when its first element lies on a 16-byte boundary, else a copy that does (a new
 * array's storage always does).
 */
function aligned16(v: Float64Array): Float64Array {
  const p = Deno.UnsafePointer.of(v);
  return p === null || BigInt(Deno.UnsafePointer.value(p)) % 16n === 0n ? v : v.slice();
}

function checkOperands(
  A: Float32Array,
  B: Float32Array,
  m: number,
  n: number,
  k: number,
  where: string,
): void {
  if (A.length < m * k || B.length < k * n) {
    throw new RangeError(`${where}: operands too short for ${m}×${k} · ${k}×${n}`);
  }
}

/** Row-major transpose of a rows × cols matrix (cols × rows). */
function transpose(A: Float32Array, rows: number, cols: number): Float32Array {
  const T = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) T[j * rows + i] = A[off + j];
  }
  return T;
}

/**
 * The same product on tfjs' wasm back end (the caller has awaited `useFastBackend()`). Operands
 * are transposed in JavaScript first: wasm's transposed-operand product is ~10× slower.
 */
function wasmSgemm(A: Float32Array, B: Float32Array, shape: SgemmShape): Float32Array {
  const { m, n, k, transposeA = false, transposeB = false } = shape;
  checkOperands(A, B, m, n, k, "matMul");
  if (m === 0 || n === 0) return new Float32Array(m * n);
  const a = transposeA ? transpose(A, k, m) : A.subarray(0, m * k);
  const b = transposeB ? transpose(B, n, k) : B.subarray(0, k * n);
  const out = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  const C = Float32Array.from(out.dataSync() as Float32Array);
  out.dispose();
  return C;
}

/** Options for {@linkcode matMul}. */
export interface MatMulOptions {
  /** `"auto"` (default): OpenBLAS when available, else wasm; `"wasm"`: always tfjs wasm. */
  backend?: "auto" | "wasm";
}

/**
 * A product that always works: {@linkcode nativeSgemm} when OpenBLAS is available, else tfjs'
 * wasm back end (started here). Either way a single-threaded, deterministic computation, so a
 * fit gives the same model on the main thread and in a worker.
 *
 * @example
 * ```ts
 * const sgemm = await matMul();
 * const C = sgemm(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 1), { m: 2, n: 1, k: 2 });
 * // C = [3, 7]
 * ```
 */
export async function matMul(options: MatMulOptions = {}): Promise<Sgemm> {
  const native = options.backend === "wasm" ? null : nativeSgemm();
  if (native) return native;
  await useFastBackend();
  return wasmSgemm;
}
