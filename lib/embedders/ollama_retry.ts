/**
 * How the `ollama` back end waits and retries: which failures are worth another attempt
 * ({@linkcode classify}), the words for an error ({@linkcode errorDetail}), the per-request time
 * limit from `NETFLIX_OLLAMA_TIMEOUT` ({@linkcode envTimeoutMs}), and a back-off sleep that a
 * stopped run cuts short.
 *
 * @module
 */

import { rootCauseMessage } from "./ollama_probe.ts";

/** Environment variable with the per-request time limit in seconds (like `--ollama-timeout`). */
export const OLLAMA_TIMEOUT_ENV = "NETFLIX_OLLAMA_TIMEOUT";

/** What to change to give a slow server more time, for messages. */
export const TIMEOUT_HINT =
  `preprocess --ollama-timeout SECONDS (or ${OLLAMA_TIMEOUT_ENV}=SECONDS; the timeoutMs option)`;

/** What a failed request was: worth a retry (`transient`) or not, and why. */
export type ErrorKind = "unreachable" | "model-missing" | "rejected" | "transient" | "fatal";

/**
 * Sorts a failed request: HTTP 408/429/5xx, a time-out, a reset or truncated answer are
 * `transient` (retried); a refused connection is `unreachable`; HTTP 404 naming the model is
 * `model-missing`; other 4xx (and 5xx "NaN" answers) are `rejected` (the text is at fault).
 *
 * @example
 * ```ts
 * classify(new DOMException("no answer", "TimeoutError")); // "transient"
 * ```
 */
export function classify(err: unknown): ErrorKind {
  const e = err as { name?: string; message?: string; status_code?: number };
  if (typeof e?.status_code === "number") {
    const status = e.status_code;
    const message = String(e.message ?? "");
    if (status === 404 && /not found|pull/i.test(message)) return "model-missing";
    if (status === 408 || status === 429) return "transient";
    // Ollama answers 500 "json: unsupported value: NaN" when the model produced NaN for a text.
    if (status >= 500 && /unsupported value|NaN|Inf/.test(message)) return "rejected";
    if (status >= 500) return "transient";
    if (status >= 400) return "rejected";
    return "fatal";
  }
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return "transient";
  if (err instanceof SyntaxError) return "transient"; // truncated JSON body
  if (err instanceof TypeError) {
    const cause = rootCauseMessage(err);
    if (
      /connection refused|os error 111|ECONNREFUSED|dns error|failed to lookup|not known|no such host/i
        .test(cause)
    ) return "unreachable";
    return "transient"; // connection reset, incomplete message, ...
  }
  return "fatal";
}

/**
 * A failed request in words: `HTTP 503: busy`, or the innermost cause of a network error.
 *
 * @example
 * ```ts
 * errorDetail(new TypeError("fetch failed", { cause: new Error("connection reset") }));
 * // "connection reset"
 * ```
 */
export function errorDetail(err: unknown): string {
  const e = err as { status_code?: number; message?: string };
  if (typeof e?.status_code === "number") return `HTTP ${e.status_code}: ${e.message}`;
  return rootCauseMessage(err);
}

/**
 * A duration in ms for messages: `0.5 s` below ten seconds, `120 s` above.
 *
 * @example
 * ```ts
 * seconds(120_000); // "120 s"
 * ```
 */
export function seconds(ms: number): string {
  return `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
}

/**
 * The time limit set by `NETFLIX_OLLAMA_TIMEOUT` (seconds) in ms, or undefined when unset (or
 * without permission to read the environment); a value that is not a positive number throws.
 *
 * @example
 * ```ts
 * const timeoutMs = envTimeoutMs() ?? 120_000;
 * ```
 */
export function envTimeoutMs(): number | undefined {
  let text: string | undefined;
  try {
    text = Deno.env.get(OLLAMA_TIMEOUT_ENV)?.trim() || undefined;
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  const secs = Number(text);
  if (!(secs > 0) || !Number.isFinite(secs)) {
    throw new TypeError(
      `${OLLAMA_TIMEOUT_ENV}=${text}: give the Ollama time limit per request in seconds, a ` +
        `positive number (e.g. ${OLLAMA_TIMEOUT_ENV}=120), or unset it`,
    );
  }
  return Math.max(1, Math.round(secs * 1000));
}

/**
 * Waits `ms`, or less when `signal` aborts (a stopped run does not sleep on).
 *
 * @example
 * ```ts
 * await sleep(10, new AbortController().signal);
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
