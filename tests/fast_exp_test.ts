import assert from "node:assert/strict";
import { expNonPositive, log1pUnit } from "../lib/core/fast_exp.ts";

/** Evenly spaced points of [a, b] plus a seeded scatter between them. */
function points(a: number, b: number, count: number): number[] {
  const out: number[] = [];
  let s = 12345;
  for (let i = 0; i <= count; i++) {
    out.push(a + (b - a) * (i / count));
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(a + (b - a) * (s / 2147483648));
  }
  return out;
}

Deno.test("expNonPositive agrees with Math.exp to 2 ulp on [-700, 0]", () => {
  let worst = 0;
  for (const x of [...points(-700, 0, 200_000), ...points(-1, 0, 50_000)]) {
    const want = Math.exp(x);
    worst = Math.max(worst, Math.abs(expNonPositive(x) - want) / want);
  }
  assert.ok(worst <= 4.5e-16, `largest relative error ${worst}`);
});

Deno.test("expNonPositive at its edges: 0, -0, below -700, -Infinity, NaN", () => {
  assert.equal(expNonPositive(0), 1);
  assert.equal(expNonPositive(-0), 1);
  assert.equal(expNonPositive(-745), Math.exp(-745));
  assert.equal(expNonPositive(-800), 0);
  assert.equal(expNonPositive(-Infinity), 0);
  assert.ok(Number.isNaN(expNonPositive(NaN)));
});

Deno.test("log1pUnit agrees with Math.log1p to 2.5e-16 absolute on [0, 1]", () => {
  let worst = 0;
  for (const e of [...points(0, 1, 200_000), ...points(0, 1e-3, 20_000), 0, 1]) {
    worst = Math.max(worst, Math.abs(log1pUnit(e) - Math.log1p(e)));
  }
  assert.ok(worst <= 2.5e-16, `largest absolute error ${worst}`);
  assert.ok(Number.isNaN(log1pUnit(NaN)));
});

Deno.test("log1pUnit(expNonPositive(-|z|)) is the softplus the logistic loss needs", () => {
  for (const z of [-30, -5, -1, -1e-3, 0, 1e-3, 1, 5, 30]) {
    const e = expNonPositive(-Math.abs(z));
    const softplus = Math.max(z, 0) + log1pUnit(e);
    const want = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    assert.ok(Math.abs(softplus - want) <= 1e-15 * Math.max(1, want), `z = ${z}`);
  }
});
