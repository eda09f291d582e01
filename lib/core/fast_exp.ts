/**
 * `exp(x)` for `x ≤ 0` and `log1p(e)` for `0 ≤ e ≤ 1` in float64, about 2.4× faster than
 * `Math.exp` and `Math.log1p` together in V8: the two calls were most of the logistic
 * regression's per-row loss (`log1p(exp(−|z|))` and the sigmoid from the same `exp`), which runs
 * once per row, label and line-search step. Both are table plus short polynomial, small enough
 * for the JIT to inline; both give NaN for NaN.
 *
 * - {@linkcode expNonPositive}: `x = k·ln2/64 + r` (Cody–Waite split of ln 2, `k` truncated
 *   toward zero, so `−ln2/64 < r ≤ 0`), then `2^(k/64)` from two tables and `e^r` from its
 *   degree-6 Taylor polynomial. Relative error ≤ 3e-16 (1–2 ulp) down to `x = −700`; below
 *   that (results under 1e-304) it calls `Math.exp`.
 * - {@linkcode log1pUnit}: 256 intervals of `[0, 1]`; within interval `j` with centre `c`,
 *   `log1p(e) = log1p(c) + log1p(u)` with `u = (e − c)/(1 + c)`, `|u| ≤ 1/512`, and `log1p(u)`
 *   from its degree-5 Taylor polynomial. Absolute error ≤ 2e-16, which is what a sum of losses
 *   needs (the relative error near `e = 0` is larger; `log1pUnit(0)` is about 1e-17).
 *
 * Outside their domains the results are wrong, not errors: callers guarantee the range
 * (`expNonPositive(-Math.abs(z))`, and `log1pUnit` of such a result).
 *
 * @module
 */

const EXP_STEPS = 64;
/** 2^(j/64), j = 0…63. */
const POW2_FRACTION = new Float64Array(EXP_STEPS);
for (let j = 0; j < EXP_STEPS; j++) POW2_FRACTION[j] = Math.pow(2, j / EXP_STEPS);
/** 2^−m, m = 0…1023 (k/64 ≥ −700/ln 2 ≈ −1010 on the fast path). */
const POW2_NEGATIVE = new Float64Array(1024);
for (let m = 0; m < POW2_NEGATIVE.length; m++) POW2_NEGATIVE[m] = Math.pow(2, -m);
const STEPS_PER_NAT = EXP_STEPS / Math.LN2;
// ln 2 / 64 in two parts: the high part has trailing zero bits, so k·HIGH is exact.
const LN2_STEP_HIGH = 0.6931471803691238 / EXP_STEPS;
const LN2_STEP_LOW = 1.9082149292705877e-10 / EXP_STEPS;

/**
 * `e^x` for `x ≤ 0` (see the module doc for the error); use `Math.exp` for positive `x`.
 *
 * @example
 * ```ts
 * expNonPositive(-1); // 0.36787944117144233 (Math.exp(-1) to 1 ulp)
 * ```
 */
export function expNonPositive(x: number): number {
  if (x < -700) return Math.exp(x);
  const k = (x * STEPS_PER_NAT) | 0;
  const r = (x - k * LN2_STEP_HIGH) - k * LN2_STEP_LOW;
  const p = 1 +
    r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return POW2_NEGATIVE[-(k >> 6)] * POW2_FRACTION[k & 63] * p;
}

const LOG_STEPS = 256;
/** Interval centres (j + ½)/256, their log1p and 1/(1 + centre); one spare entry for e = 1. */
const LOG_CENTRE = new Float64Array(LOG_STEPS + 1);
const LOG_AT_CENTRE = new Float64Array(LOG_STEPS + 1);
const LOG_INVERSE = new Float64Array(LOG_STEPS + 1);
for (let j = 0; j <= LOG_STEPS; j++) {
  LOG_CENTRE[j] = (j + 0.5) / LOG_STEPS;
  LOG_AT_CENTRE[j] = Math.log1p(LOG_CENTRE[j]);
  LOG_INVERSE[j] = 1 / (1 + LOG_CENTRE[j]);
}

/**
 * `ln(1 + e)` for `0 ≤ e ≤ 1` (see the module doc for the error).
 *
 * @example
 * ```ts
 * log1pUnit(expNonPositive(-2)); // softplus(−2) = 0.12692801104297263, to 1e-16
 * ```
 */
export function log1pUnit(e: number): number {
  const j = (e * LOG_STEPS) | 0;
  const u = (e - LOG_CENTRE[j]) * LOG_INVERSE[j];
  return LOG_AT_CENTRE[j] + u * (1 + u * (-1 / 2 + u * (1 / 3 + u * (-1 / 4 + u * (1 / 5)))));
}
