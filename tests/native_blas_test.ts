import assert from "node:assert/strict";
import { matMul, nativeDgemv, nativeSgemm } from "../lib/core/native_blas.ts";
import { RandomState } from "../lib/core/mt19937.ts";

/** The m × n product op(A)·op(B) in float64, by the definition. */
function naive(
  A: Float32Array,
  B: Float32Array,
  m: number,
  n: number,
  k: number,
  tA: boolean,
  tB: boolean,
): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) {
        s += (tA ? A[q * m + i] : A[i * k + q]) * (tB ? B[j * k + q] : B[q * n + j]);
      }
      C[i * n + j] = s;
    }
  }
  return C;
}

Deno.test("matMul: every transpose combination matches the definition on both back ends", async () => {
  const rng = new RandomState(1);
  const m = 7, n = 5, k = 9;
  const A = Float32Array.from({ length: m * k }, () => rng.randomSample() - 0.5);
  const B = Float32Array.from({ length: k * n }, () => rng.randomSample() - 0.5);
  const backends = [["wasm", await matMul({ backend: "wasm" })]] as const;
  const all = nativeSgemm() ? [...backends, ["openblas", nativeSgemm()!] as const] : backends;
  for (const [name, sgemm] of all) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const C = sgemm(A, B, { m, n, k, transposeA, transposeB });
        const want = naive(A, B, m, n, k, transposeA, transposeB);
        assert.equal(C.length, m * n);
        for (let i = 0; i < C.length; i++) {
          assert.ok(
            Math.abs(C[i] - want[i]) < 1e-5,
            `${name} tA=${transposeA} tB=${transposeB} [${i}]: ${C[i]} vs ${want[i]}`,
          );
        }
      }
    }
    assert.throws(() => sgemm(A, B, { m, n: n + 1, k }), /operands too short/);
  }
});

Deno.test("nativeDgemv: the same bits wherever its operands lie in memory (views at any offset)", () => {
  const dgemv = nativeDgemv();
  if (!dgemv) return; // no OpenBLAS here: callers use their own loops
  const rng = new RandomState(3);
  for (const [rows, cols] of [[10, 1081], [20, 4000], [3, 7]]) {
    const A = Float64Array.from({ length: rows * cols }, () => rng.randomSample() - 0.5);
    const x = Float64Array.from({ length: cols }, () => rng.randomSample() - 0.5);
    const w = Float64Array.from({ length: rows }, () => rng.randomSample() - 0.5);
    const y0 = new Float64Array(rows), z0 = new Float64Array(cols);
    dgemv(A, x, y0, { rows, cols });
    dgemv(A, w, z0, { rows, cols, transpose: true });
    for (const offset of [1, 2, 3]) {
      // Views that start `offset` doubles into a larger array: 8, 16 or 24 bytes off.
      const view = (v: Float64Array) => {
        const big = new Float64Array(v.length + offset);
        big.set(v, offset);
        return big.subarray(offset);
      };
      const y = view(new Float64Array(rows)), z = view(new Float64Array(cols));
      dgemv(view(A), view(x), y, { rows, cols });
      dgemv(view(A), view(w), z, { rows, cols, transpose: true });
      assert.deepEqual(y, y0, `${rows}×${cols}, offset ${offset}`);
      assert.deepEqual(z, z0, `${rows}×${cols} transposed, offset ${offset}`);
    }
  }
});
