/**
 * Finding out whether an Ollama server is reachable and has a model, so the `auto` embedding
 * back end can choose between `ollama` and `lsa` (and say why). Also normalises `OLLAMA_HOST`
 * values the way the Ollama CLI reads them.
 *
 * @module
 */

import { Ollama } from "ollama";

/** Ollama's default port. */
const OLLAMA_DEFAULT_PORT = 11434;

/** Ollama's default address (what `ollama serve` listens on). */
const OLLAMA_DEFAULT_HOST = `http://127.0.0.1:${OLLAMA_DEFAULT_PORT}`;

/**
 * Turns an `OLLAMA_HOST`-style value into a full base URL without a trailing slash:
 * no value → `http://127.0.0.1:11434`; no scheme → `http://` and port 11434 (`myhost` →
 * `http://myhost:11434`); an explicit `http://`/`https://` without port → 80/443; `:8080` →
 * `http://127.0.0.1:8080`. The wildcard bind addresses `0.0.0.0` and `[::]` (common in
 * `OLLAMA_HOST` for `ollama serve`) are mapped to the loopback address so clients can connect.
 * Without an argument, reads `OLLAMA_HOST` from the environment.
 *
 * @example
 * ```ts
 * resolveOllamaHost("0.0.0.0:11434"); // "http://127.0.0.1:11434"
 * resolveOllamaHost("gpu-box");       // "http://gpu-box:11434"
 * ```
 */
export function resolveOllamaHost(host?: string): string {
  let s = (host ?? envHost() ?? "").trim();
  if (s === "") return OLLAMA_DEFAULT_HOST;
  const explicitScheme = s.includes("://");
  if (s.startsWith(":")) s = `127.0.0.1${s}`;
  if (!explicitScheme) s = `http://${s}`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new TypeError(
      `Ollama host "${host ?? envHost()}" is not a valid address; use e.g. ` +
        `"http://127.0.0.1:11434", "myhost:11434" or "myhost" (OLLAMA_HOST has the same form)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `Ollama host "${s}" uses ${url.protocol} but only http: and https: are supported`,
    );
  }
  let hostname = url.hostname;
  if (hostname === "0.0.0.0" || hostname === "") hostname = "127.0.0.1";
  if (hostname === "[::]") hostname = "[::1]";
  const port = url.port || (explicitScheme ? (url.protocol === "https:" ? "443" : "80") : "11434");
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ""}@` : "";
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${auth}${hostname}:${port}${path}`;
}

/**
 * Whether a model listed by the server (`/api/tags` names such as `embeddinggemma:latest`)
 * satisfies a requested name (`embeddinggemma` means `embeddinggemma:latest`).
 *
 * @example
 * ```ts
 * modelMatches("embeddinggemma:latest", "embeddinggemma"); // true
 * modelMatches("embeddinggemma:300m", "embeddinggemma");   // false
 * ```
 */
export function modelMatches(listed: string, wanted: string): boolean {
  const norm = (name: string) => {
    const n = name.trim().toLowerCase();
    const lastSlash = n.lastIndexOf("/");
    return n.indexOf(":", lastSlash + 1) >= 0 ? n : `${n}:latest`;
  };
  return norm(listed) === norm(wanted);
}

/** Options for {@linkcode probeOllama}. */
export interface ProbeOllamaOptions {
  /** Server address (default: `OLLAMA_HOST`, else `http://127.0.0.1:11434`). */
  host?: string;
  /** Model that must be present (default `"embeddinggemma"`). */
  model?: string;
  /** Give up after this many milliseconds (default 1500). */
  timeoutMs?: number;
}

/** Result of {@linkcode probeOllama}: whether the back end can be used, and a one-line reason. */
export interface ProbeResult {
  /** True when the server answered and lists the model. */
  available: boolean;
  /** Human-readable explanation (printed and recorded by the `auto` back end). */
  reason: string;
  /** The normalised server address that was probed. */
  host: string;
}

/**
 * Asks the server for its models (`GET /api/tags`) and reports whether `model` is among them.
 * Never throws for an unreachable or misbehaving server: that is `available: false` with a reason
 * saying what to do (`ollama serve`, `ollama pull <model>`).
 *
 * @example
 * ```ts
 * const probe = await probeOllama({ model: "embeddinggemma" });
 * console.log(probe.available ? "using ollama" : `using lsa: ${probe.reason}`);
 * ```
 */
export async function probeOllama(options: ProbeOllamaOptions = {}): Promise<ProbeResult> {
  const model = options.model ?? "embeddinggemma";
  let host: string;
  try {
    host = resolveOllamaHost(options.host);
  } catch (err) {
    return { available: false, reason: (err as Error).message, host: options.host ?? "" };
  }
  const timeoutMs = options.timeoutMs ?? 1500;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  try {
    const client = new Ollama({
      host,
      fetch: (input, init) => fetch(input, { ...init, signal: controller.signal }),
    });
    const listed = await client.list();
    const names = (listed?.models ?? []).flatMap((m) => [m.name, m.model]).filter(Boolean);
    const hit = names.find((n) => modelMatches(n, model));
    if (hit) return { available: true, reason: `Ollama at ${host} has model ${hit}`, host };
    return {
      available: false,
      reason: `Ollama at ${host} does not have model "${model}"; run \`ollama pull ${model}\``,
      host,
    };
  } catch (err) {
    return { available: false, reason: describeProbeError(err, host, timeoutMs), host };
  } finally {
    clearTimeout(timer);
  }
}

function describeProbeError(err: unknown, host: string, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; status_code?: number };
  if (e?.name === "TimeoutError") {
    return `Ollama at ${host} did not answer within ${timeoutMs} ms; is \`ollama serve\` running?`;
  }
  if (typeof e?.status_code === "number") {
    return `Ollama at ${host} answered HTTP ${e.status_code} (${e.message}) to GET /api/tags`;
  }
  return `Ollama is not reachable at ${host} (${rootCauseMessage(err)}); start it with ` +
    "`ollama serve` or set OLLAMA_HOST to where it runs";
}

/**
 * The innermost `cause` message of an error chain (fetch wraps socket errors in `cause`).
 *
 * @example
 * ```ts
 * rootCauseMessage(new TypeError("fetch failed", { cause: new Error("Connection refused") }));
 * // "Connection refused"
 * ```
 */
export function rootCauseMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  let message = String(e?.message ?? err);
  for (let depth = 0; depth < 5 && e?.cause; depth++) {
    e = e.cause as { message?: string; cause?: unknown };
    if (e?.message) message = e.message;
  }
  return message;
}

function envHost(): string | undefined {
  try {
    return Deno.env.get("OLLAMA_HOST") || undefined;
  } catch {
    return undefined; // no --allow-env: fall back to the default
  }
}
