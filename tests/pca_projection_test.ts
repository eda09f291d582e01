import assert from "node:assert/strict";
import { pcaProject } from "../lib/analysis/pca_projection.ts";

Deno.test("pcaProject recovers the dominant direction and variance shares", () => {
  // Points spread along (1, 1, 0) with small noise along (1, -1, 0) and none along z.
  const n = 200;
  const data = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = (i - n / 2) / 10;
    const b = ((i * 7919) % 13 - 6) / 50;
    data[i * 3] = a + b + 5;
    data[i * 3 + 1] = a - b - 3;
    data[i * 3 + 2] = 1;
  }
  const { coordinates, explainedVarianceRatio } = pcaProject({ rows: n, cols: 3, data });
  assert.equal(coordinates.rows, n);
  assert.equal(coordinates.cols, 2);
  // First coordinate is ±sqrt(2)·a (centred); the sign convention makes it increasing here.
  const first = (i: number) => coordinates.data[i * 2];
  const expected = (i: number) => Math.SQRT2 * ((i - n / 2) / 10 - (-0.5 / 10));
  for (const i of [0, 50, 199]) {
    assert.ok(Math.abs(Math.abs(first(i)) - Math.abs(expected(i))) < 0.05);
  }
  assert.ok(explainedVarianceRatio[0] > 0.99);
  assert.ok(Math.abs(explainedVarianceRatio[0] + explainedVarianceRatio[1] - 1) < 1e-6);
  // Deterministic.
  const again = pcaProject({ rows: n, cols: 3, data });
  assert.deepEqual(again.coordinates.data, coordinates.data);
  assert.throws(
    () => pcaProject({ rows: 1, cols: 3, data: new Float64Array(3) }),
    /at least 2 rows/,
  );
});
