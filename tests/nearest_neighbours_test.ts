import assert from "node:assert/strict";
import { fromRows } from "../lib/core/matrix.ts";
import { nearestNeighbours } from "../lib/analysis/nearest_neighbours.ts";

Deno.test("nearestNeighbours ranks rows by cosine similarity, leaving out the query and its duplicates", () => {
  const X = fromRows([
    [1, 0, 0],
    [2, 0.2, 0], // nearly the same direction as row 0, longer
    [0, 1, 0],
    [1, 0, 0], // a duplicate of row 0
    [-1, 0, 0],
    [0, 0, 0], // no text: similar to nothing
    [1, 1, 0],
  ]);
  const [first, zero] = nearestNeighbours(X, [0, 5], { k: 3 });
  assert.deepEqual(first.neighbours.map((n) => n.row), [1, 6, 2]);
  assert.ok(Math.abs(first.neighbours[0].similarity - 2 / Math.sqrt(4.04)) < 1e-6);
  assert.ok(Math.abs(first.neighbours[1].similarity - Math.SQRT1_2) < 1e-6);
  assert.ok(zero.neighbours.every((n) => n.similarity === 0));
  assert.throws(() => nearestNeighbours(X, [7]), /query row 7 is outside 0\.\.6/);
});
