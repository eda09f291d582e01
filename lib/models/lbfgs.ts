/**
 * Limited-memory BFGS in float64 with a strong-Wolfe line search, written so that many
 * independent problems can be stepped in lockstep (the caller owns the parameter vectors and
 * evaluates all problems' trial points together, e.g. with one matrix product).
 *
 * Stopping rules follow SciPy's L-BFGS-B as scikit-learn calls it: the largest absolute gradient
 * component ≤ `gtol`, or a relative objective decrease ≤ `ftol`, or `maxIter` iterations, or a
 * line search that cannot make progress even from the steepest-descent direction (float noise at
 * the optimum).
 *
 * @module
 */

import { type CurvatureHistory, curvatureHistory, dot } from "./lbfgs_history.ts";

/** Options for {@linkcode LbfgsState} and {@linkcode minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Number of correction pairs kept (default 10, as SciPy). */
  memory?: number;
  /** Maximum iterations (default 1000). */
  maxIter?: number;
  /** Stop when `max_i |g_i / gradientScale_i| <= gtol` (default 1e-4). */
  gtol?: number;
  /** Stop when `(f_prev - f) / max(|f_prev|, |f|, 1) <= ftol` (default 2.22e-9, SciPy's). */
  ftol?: number;
  /** Maximum objective evaluations in one line search (default 20). */
  maxLineSearch?: number;
  /** Sufficient-decrease constant of the Wolfe conditions (default 1e-4). */
  c1?: number;
  /** Curvature constant of the strong Wolfe conditions (default 0.9). */
  c2?: number;
  /**
   * Per-component divisor applied to the gradient before the `gtol` test. Use it when the
   * optimiser works on rescaled variables `v = x / s` (then `∂f/∂v = s ⊙ ∂f/∂x`, and passing
   * `s` makes the test apply to `∂f/∂x`).
   */
  gradientScale?: Float64Array;
}

/** Why an {@linkcode LbfgsState} stopped (`"running"` while it has not). */
export type LbfgsStatus = "running" | "gtol" | "ftol" | "maxIter" | "lineSearch";

/** A one-dimensional restriction `φ(α) = f(x + α·d)` returning the value and `φ'(α) = ∇f·d`. */
export type LineFunction = (alpha: number) => { f: number; df: number };

/** Outcome of {@linkcode wolfeLineSearch}. */
export interface LineSearchResult {
  /** True when `alpha` satisfies sufficient decrease (and, normally, the curvature condition). */
  ok: boolean;
  /** Accepted step length (0 when `ok` is false). */
  alpha: number;
  /** `φ(alpha)`. */
  f: number;
  /** `φ'(alpha)`. */
  df: number;
  /** Evaluations of `φ` used. */
  evaluations: number;
}

function cubicMin(
  a: number,
  fa: number,
  da: number,
  b: number,
  fb: number,
  db: number,
): number {
  // Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db); NaN when it has none.
  const d1 = da + db - 3 * (fa - fb) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
}

/**
 * Finds a step satisfying the strong Wolfe conditions along a descent direction
 * (bracketing then zoom with safeguarded cubic interpolation).
 *
 * @example
 * ```ts
 * // φ(α) = (α - 2)², starting slope -4
 * const r = wolfeLineSearch((a) => ({ f: (a - 2) ** 2, df: 2 * (a - 2) }), 4, -4, { alpha0: 1 });
 * console.log(r.ok, r.alpha); // true, a step with |φ'(α)| <= 0.9·4
 * ```
 */
export function wolfeLineSearch(
  phi: LineFunction,
  f0: number,
  df0: number,
  options: { alpha0?: number; c1?: number; c2?: number; maxEvaluations?: number } = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEval = options.maxEvaluations ?? 20;
  let evaluations = 0;
  const fail = { ok: false, alpha: 0, f: f0, df: df0, evaluations: 0 };
  if (!(df0 < 0)) return fail;
  let aPrev = 0, fPrev = f0, dPrev = df0;
  let a = options.alpha0 ?? 1;
  const zoom = (
    lo: number,
    fLo: number,
    dLo: number,
    hi: number,
    fHi: number,
    dHi: number,
  ): LineSearchResult => {
    while (evaluations < maxEval) {
      const width = hi - lo;
      let t = cubicMin(lo, fLo, dLo, hi, fHi, dHi);
      const left = Math.min(lo, hi), right = Math.max(lo, hi);
      const margin = 0.1 * Math.abs(width);
      if (!Number.isFinite(t) || t < left + margin || t > right - margin) t = lo + 0.5 * width;
      const { f, df } = phi(t);
      evaluations++;
      if (!Number.isFinite(f) || f > f0 + c1 * t * df0 || f >= fLo) {
        hi = t, fHi = f, dHi = df;
      } else {
        if (Math.abs(df) <= -c2 * df0) return { ok: true, alpha: t, f, df, evaluations };
        if (df * (hi - lo) >= 0) hi = lo, fHi = fLo, dHi = dLo;
        lo = t, fLo = f, dLo = df;
      }
      if (Math.abs(hi - lo) <= 1e-14 * Math.max(1, Math.abs(lo))) break;
    }
    // Out of evaluations: accept the best point if it decreased f sufficiently.
    if (lo > 0 && fLo <= f0 + c1 * lo * df0) {
      return { ok: true, alpha: lo, f: fLo, df: dLo, evaluations };
    }
    return { ...fail, evaluations };
  };
  while (evaluations < maxEval) {
    const { f, df } = phi(a);
    evaluations++;
    if (!Number.isFinite(f) || f > f0 + c1 * a * df0 || (evaluations > 1 && f >= fPrev)) {
      return zoom(aPrev, fPrev, dPrev, a, f, Number.isFinite(df) ? df : NaN);
    }
    if (Math.abs(df) <= -c2 * df0) return { ok: true, alpha: a, f, df, evaluations };
    if (df >= 0) return zoom(a, f, df, aPrev, fPrev, dPrev);
    aPrev = a, fPrev = f, dPrev = df;
    a *= 4;
  }
  return { ...fail, evaluations };
}

/**
 * The optimiser state of one L-BFGS problem, without the parameter vector: the caller proposes
 * {@linkcode LbfgsState.direction}, runs a line search however it likes (see
 * {@linkcode wolfeLineSearch}), moves its own parameters by `alpha·direction`, and reports the
 * new value and gradient with {@linkcode LbfgsState.accept}.
 *
 * @example
 * ```ts
 * // minimise f(x) = Σ (x_i - 1)² by hand
 * const x = new Float64Array(3);
 * const fg = (x: Float64Array) => ({
 *   f: x.reduce((s, v) => s + (v - 1) ** 2, 0),
 *   g: x.map((v) => 2 * (v - 1)),
 * });
 * let { f, g } = fg(x);
 * const st = new LbfgsState(f, g);
 * while (st.status === "running") {
 *   const d = st.direction();
 *   const ls = wolfeLineSearch((a) => {
 *     const r = fg(x.map((v, i) => v + a * d[i]));
 *     return { f: r.f, df: dot(r.g, d) };
 *   }, st.f, dot(st.g, d), { alpha0: st.initialStep(d) });
 *   if (!ls.ok) { st.lineSearchFailed(); continue; }
 *   for (let i = 0; i < x.length; i++) x[i] += ls.alpha * d[i];
 *   ({ f, g } = fg(x));
 *   st.accept(ls.alpha, d, f, g);
 * }
 * function dot(a: Float64Array, b: Float64Array) { return a.reduce((s, v, i) => s + v * b[i], 0); }
 * ```
 */
export class LbfgsState {
  /** Objective at the current point. */
  f: number;
  /** Gradient at the current point (owned by the state; do not modify). */
  g: Float64Array;
  /** Completed iterations. */
  iterations = 0;
  /** Why it stopped, or `"running"`. */
  status: LbfgsStatus = "running";
  #maxIter: number;
  #gtol: number;
  #ftol: number;
  #scale?: Float64Array;
  #history: CurvatureHistory;
  #retried = false;

  constructor(f0: number, g0: Float64Array, options: LbfgsOptions = {}) {
    this.f = f0;
    this.g = Float64Array.from(g0);
    this.#history = curvatureHistory(options.memory ?? 10, g0.length);
    this.#maxIter = options.maxIter ?? 1000;
    this.#gtol = options.gtol ?? 1e-4;
    this.#ftol = options.ftol ?? 2.220446049250313e-9;
    this.#scale = options.gradientScale;
    if (this.#scale && this.#scale.length !== g0.length) {
      throw new RangeError(
        `LbfgsState: gradientScale has ${this.#scale.length} entries but the gradient has ${g0.length}`,
      );
    }
    if (!Number.isFinite(f0)) throw new RangeError(`LbfgsState: initial objective is ${f0}`);
    if (this.projectedGradient() <= this.#gtol) this.status = "gtol";
    else if (this.#maxIter <= 0) this.status = "maxIter";
  }

  /** `max_i |g_i / gradientScale_i|`, the quantity compared with `gtol`. */
  projectedGradient(): number {
    let m = 0;
    const g = this.g, s = this.#scale;
    for (let i = 0; i < g.length; i++) {
      const v = Math.abs(s ? g[i] / s[i] : g[i]);
      if (v > m) m = v;
    }
    return m;
  }

  /**
   * The quasi-Newton search direction `-H·g` (see `lbfgs_history.ts`); always a descent
   * direction.
   */
  direction(): Float64Array {
    const q = this.#history.direction(this.g);
    if (this.#history.size > 0 && !(dot(q, this.g) < 0)) {
      // Numerical trouble: forget the history and use steepest descent.
      this.#history.clear();
      return this.#history.direction(this.g);
    }
    return q;
  }

  /** The first trial step for `d`: 1 once curvature pairs exist, else `1/‖d‖₂` (capped at 1). */
  initialStep(d: Float64Array): number {
    if (this.#history.size > 0) return 1;
    return Math.min(1, 1 / Math.sqrt(dot(d, d)));
  }

  /**
   * Records a successful step `alpha·d` that reached value `f` and gradient `g`, then applies
   * the stopping rules.
   */
  accept(alpha: number, d: Float64Array, f: number, g: Float64Array): void {
    if (this.status !== "running") throw new Error("LbfgsState.accept: the problem has stopped");
    const s = new Float64Array(g.length), y = new Float64Array(g.length);
    for (let i = 0; i < g.length; i++) s[i] = alpha * d[i], y[i] = g[i] - this.g[i];
    const sy = dot(s, y), yy = dot(y, y);
    if (sy > 1e-10 * yy) this.#history.push(s, y, sy, yy);
    const fPrev = this.f;
    this.f = f;
    this.g = Float64Array.from(g);
    this.iterations++;
    this.#retried = false;
    if (this.projectedGradient() <= this.#gtol) this.status = "gtol";
    else if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= this.#ftol) {
      this.status = "ftol";
    } else if (this.iterations >= this.#maxIter) this.status = "maxIter";
  }

  /**
   * Reports a line search that found no acceptable step: the first time the history is
   * dropped (next direction is steepest descent); a second failure in a row stops the problem.
   */
  lineSearchFailed(): void {
    if (this.#retried || this.#history.size === 0) this.status = "lineSearch";
    else {
      this.#retried = true;
      this.#history.clear();
    }
  }
}

/** Result of {@linkcode minimizeLbfgs}. */
export interface LbfgsResult {
  /** The minimiser found. */
  x: Float64Array;
  /** Objective value at `x`. */
  f: number;
  /** Gradient at `x`. */
  g: Float64Array;
  /** Iterations performed. */
  iterations: number;
  /** Objective/gradient evaluations performed. */
  evaluations: number;
  /** Why it stopped. */
  status: LbfgsStatus;
}

/**
 * Minimises a smooth function of one parameter vector with L-BFGS (a convenience driver around
 * {@linkcode LbfgsState} and {@linkcode wolfeLineSearch}).
 *
 * @example
 * ```ts
 * // Rosenbrock
 * const r = minimizeLbfgs((x) => ({
 *   f: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
 *   g: Float64Array.of(
 *     -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
 *     200 * (x[1] - x[0] ** 2),
 *   ),
 * }), Float64Array.of(-1.2, 1), { gtol: 1e-8 });
 * console.log(r.x); // ≈ [1, 1]
 * ```
 */
export function minimizeLbfgs(
  fg: (x: Float64Array) => { f: number; g: Float64Array },
  x0: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const x = Float64Array.from(x0);
  let cur = fg(x);
  let evaluations = 1;
  const st = new LbfgsState(cur.f, cur.g, options);
  const trial = new Float64Array(x.length);
  while (st.status === "running") {
    const d = st.direction();
    let last: { alpha: number; g: Float64Array } | null = null;
    const ls = wolfeLineSearch(
      (a) => {
        for (let i = 0; i < x.length; i++) trial[i] = x[i] + a * d[i];
        const r = fg(trial);
        evaluations++;
        last = { alpha: a, g: Float64Array.from(r.g) };
        return { f: r.f, df: dot(r.g, d) };
      },
      st.f,
      dot(st.g, d),
      {
        alpha0: st.initialStep(d),
        c1: options.c1,
        c2: options.c2,
        maxEvaluations: options.maxLineSearch,
      },
    );
    if (!ls.ok) {
      st.lineSearchFailed();
      continue;
    }
    for (let i = 0; i < x.length; i++) x[i] += ls.alpha * d[i];
    const l = last as { alpha: number; g: Float64Array } | null;
    if (l !== null && l.alpha === ls.alpha) cur = { f: ls.f, g: l.g };
    else {
      cur = fg(x);
      evaluations++;
    }
    st.accept(ls.alpha, d, cur.f, cur.g);
  }
  return {
    x,
    f: st.f,
    g: st.g,
    iterations: st.iterations,
    evaluations,
    status: st.status,
  };
}
