/**
 * Optional native matrix products for the logistic regression: OpenBLAS's `cblas_sgemm` through
 * Deno's FFI, when the library is installed (Debian/Ubuntu: `libopenblas0`, which
 * `python3-numpy` pulls in). On this project's 2-core machine it multiplies the solver's
 * float32 matrices ~3.5× faster than tfjs' wasm back end (AVX-512 instead of 128-bit wasm SIMD),
 * and L-BFGS spends nearly all its time in two such products per iteration.
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

/** `C = A · B` (or `A · Bᵀ`) on row-major float32 matrices: A is m × k, B k × n (n × k). */
export type Sgemm = (
  A: Float32Array,
  B: Float32Array,
  shape: { m: number; n: number; k: number; transposeB: boolean },
) => Float32Array;

const CANDIDATES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"];
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
  cached = null;
  let off = false;
  try {
    off = Deno.env.get("NETFLIX_GENRES_BLAS") === "wasm";
  } catch {
    // No env permission: try the library anyway.
  }
  if (off) return cached;
  for (const name of CANDIDATES) {
    try {
      const lib = Deno.dlopen(name, {
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
        openblas_set_num_threads: { parameters: ["i32"], result: "void" },
      });
      lib.symbols.openblas_set_num_threads(1);
      const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
      cached = (A, B, { m, n, k, transposeB }) => {
        if (A.length < m * k || B.length < k * n) {
          throw new RangeError(`nativeSgemm: operands too short for ${m}×${k} · ${k}×${n}`);
        }
        const C = new Float32Array(m * n);
        lib.symbols.cblas_sgemm(
          ROW_MAJOR,
          NO_TRANS,
          transposeB ? TRANS : NO_TRANS,
          m,
          n,
          k,
          1,
          A,
          k,
          B,
          transposeB ? k : n,
          0,
          C,
          n,
        );
        return C;
      };
      return cached;
    } catch {
      // Not installed under this name, or no FFI permission: try the next, else tfjs.
    }
  }
  return cached;
}
