/**
 * Checks of a {@linkcode FittedState} before a model takes it (`importState`): every count, array
 * and number a model reads is checked for type, length and range, so a saved model that was
 * edited, truncated or damaged is refused naming the field, never predicted from.
 *
 * @module
 */

import type { FittedState, Json, StateArray } from "../core/estimator.ts";

type ArrayType = "float32" | "int32" | "uint8";

const CONSTRUCTORS: Record<ArrayType, new (n: number) => StateArray> = {
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
};

/** Reads checked values out of one model's state; every failure names the model and field. */
export interface StateChecker {
  /** Throws `<model> state: <message>` with the fix. */
  fail(message: string): never;
  /** A non-negative integer in `json`. */
  count(key: string): number;
  /** A list of `n` non-negative integers in `json`. */
  counts(key: string, n: number): number[];
  /** A list of `n` strings in `json`, each one of `allowed`. */
  strings(key: string, n: number, allowed: readonly string[]): string[];
  /** A finite number in `json` within [min, max]. */
  number(key: string, range?: { min?: number; max?: number }): number;
  /** A list of `n` finite numbers in `json` within [min, max]. */
  numbers(key: string, n: number, range?: { min?: number; max?: number }): number[];
  /** A float32 array of `n` finite values (±Infinity too with `infinite`). */
  floats(key: string, n: number, options?: { infinite?: boolean }): Float32Array;
  /** An int32 array of `n` values within [min, max]. */
  ints(key: string, n: number, range?: { min?: number; max?: number }): Int32Array;
  /** The fitted state of part `name`. */
  part(name: string): FittedState;
  /** The raw JSON value of `key` (for values a model checks itself). */
  json(key: string): Json | undefined;
}

/**
 * A checker over `state` for the model named `model` (used in its messages).
 *
 * @example
 * ```ts
 * const check = stateChecker("Example", { json: { n: 2 }, arrays: {}, parts: {} });
 * check.count("n"); // 2
 * ```
 */
export function stateChecker(model: string, state: FittedState): StateChecker {
  const fail = (message: string): never => {
    throw new Error(
      `${model} state: ${message}; the saved model is damaged or was edited: retrain it ` +
        "(`npx deno task train`)",
    );
  };
  if (!state || typeof state !== "object" || !state.json || !state.arrays || !state.parts) {
    fail("expected { json, arrays, parts }");
  }
  const inRange = (x: unknown, where: string, range: { min?: number; max?: number } = {}) => {
    if (typeof x !== "number" || !Number.isFinite(x)) {
      fail(`${where} must be a finite number, got ${JSON.stringify(x)}`);
    }
    const v = x as number;
    if (range.min !== undefined && v < range.min) fail(`${where} is ${v}, below ${range.min}`);
    if (range.max !== undefined && v > range.max) fail(`${where} is ${v}, above ${range.max}`);
    return v;
  };
  const list = (key: string, n: number): Json[] => {
    const v = state.json[key];
    if (!Array.isArray(v)) fail(`json.${key} must be a list, got ${JSON.stringify(v)}`);
    if ((v as Json[]).length !== n) {
      fail(`json.${key} has ${(v as Json[]).length} entries, expected ${n}`);
    }
    return v as Json[];
  };
  const array = (key: string, type: ArrayType, n: number): StateArray => {
    const a = state.arrays[key];
    if (!(a instanceof CONSTRUCTORS[type])) {
      fail(`arrays.${key} must be ${type}, got ${a?.constructor?.name ?? typeof a}`);
    }
    if (a.length !== n) fail(`arrays.${key} has ${a.length} values, expected ${n}`);
    return a;
  };
  const count = (key: string): number => {
    const v = inRange(state.json[key], `json.${key}`, { min: 0 });
    if (!Number.isInteger(v)) fail(`json.${key} must be a whole number, got ${v}`);
    return v;
  };
  return {
    fail,
    count,
    counts: (key, n) =>
      list(key, n).map((x, i) => {
        const v = inRange(x, `json.${key}[${i}]`, { min: 0 });
        if (!Number.isInteger(v)) fail(`json.${key}[${i}] must be a whole number, got ${v}`);
        return v;
      }),
    strings: (key, n, allowed) =>
      list(key, n).map((x, i) => {
        if (typeof x !== "string" || !allowed.includes(x)) {
          fail(`json.${key}[${i}] is ${JSON.stringify(x)}; expected one of ${allowed.join(", ")}`);
        }
        return x as string;
      }),
    number: (key, range) => inRange(state.json[key], `json.${key}`, range),
    numbers: (key, n, range) => list(key, n).map((x, i) => inRange(x, `json.${key}[${i}]`, range)),
    floats: (key, n, options = {}) => {
      const a = array(key, "float32", n) as Float32Array;
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (Number.isNaN(v) || (!options.infinite && !Number.isFinite(v))) {
          fail(`arrays.${key}[${i}] is ${v}; expected a finite number`);
        }
      }
      return a;
    },
    ints: (key, n, range = {}) => {
      const a = array(key, "int32", n) as Int32Array;
      for (let i = 0; i < a.length; i++) {
        if (
          (range.min !== undefined && a[i] < range.min) ||
          (range.max !== undefined && a[i] > range.max)
        ) {
          fail(
            `arrays.${key}[${i}] is ${a[i]}, outside [${range.min ?? "…"}, ${range.max ?? "…"}]`,
          );
        }
      }
      return a;
    },
    part: (name) => {
      const p = state.parts[name];
      if (!p) fail(`part "${name}" is missing`);
      return p;
    },
    json: (key) => state.json[key],
  };
}
