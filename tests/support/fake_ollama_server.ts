/**
 * A loopback HTTP server that speaks the part of Ollama's API the embedder uses
 * (`POST /api/embed`, `GET /api/tags`), returning deterministic vectors derived from a hash of the
 * model and text, with knobs for failures, delays and stalls. For tests only.
 *
 * @module
 */

/** How the fake misbehaves; fields may be changed between runs through `server.options`. */
export interface FakeOllamaOptions {
  /** Model names the server "has" (default `["embeddinggemma:latest"]`). */
  models?: string[];
  /** Vector length (default 8). */
  dimensions?: number;
  /** Answer the first N `/api/embed` requests with `failStatus` (default 0). */
  failFirst?: number;
  /** HTTP status for those failures (default 503). */
  failStatus?: number;
  /** Milliseconds to wait before answering each `/api/embed` request (default 0). */
  delayMs?: number;
  /** `/api/embed` requests after the first N hang until `release()` or `close()`. */
  stallAfter?: number;
  /** The first N `/api/embed` requests hang until `release()` or `close()` (e.g. to force timeouts). */
  stallFirst?: number;
  /** `/api/tags` hangs until `release()` or `close()` (to test probe time-outs). */
  stallTags?: boolean;
  /** Hold the first responses until this many `/api/embed` requests are in flight (max 3 s). */
  gate?: number;
  /** Texts whose vector comes back broken. */
  badVectors?: Record<string, "nan" | "short" | "zero" | "missing" | "null">;
  /** A batch containing one of these texts is refused with HTTP 400. */
  rejectTexts?: string[];
}

/** One `/api/embed` request as received. */
export interface FakeEmbedRequest {
  model: string;
  input: string[];
  /** HTTP status the fake answered (0 while pending). */
  status: number;
}

/**
 * The vector the fake returns for `text` under `model`: xorshift32 values in [-1, 1) seeded with
 * FNV-1a of `model + "\n" + text`, rounded to float32.
 *
 * @example
 * ```ts
 * const v = fakeVector("embeddinggemma", "hello", 8); // Float32Array(8)
 * ```
 */
export function fakeVector(model: string, text: string, dimensions: number): Float32Array {
  const bytes = new TextEncoder().encode(`${model}\n${text}`);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  let x = h || 1;
  const out = new Float32Array(dimensions);
  for (let j = 0; j < dimensions; j++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[j] = (x / 2 ** 32) * 2 - 1;
  }
  return out;
}

/**
 * `n` distinct short texts for tests (`"description 0 …"`, …).
 *
 * @example
 * ```ts
 * const texts = sampleTexts(3);
 * ```
 */
export function sampleTexts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `description ${i}: a story about item number ${i}.`);
}

/**
 * The fake server. Always `await server.close()` (tests check for leaked resources).
 *
 * @example
 * ```ts
 * const server = FakeOllamaServer.start({ dimensions: 4 });
 * try {
 *   await fetch(`${server.url}/api/tags`).then((r) => r.json());
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export class FakeOllamaServer {
  /** Behaviour knobs (mutable). */
  readonly options: FakeOllamaOptions;
  /** Every `/api/embed` request, in arrival order. */
  readonly embedRequests: FakeEmbedRequest[] = [];
  /** Number of `/api/tags` requests. */
  tagsRequests = 0;
  /** Largest number of `/api/embed` requests in flight at once. */
  maxInFlight = 0;
  #inFlight = 0;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #release!: () => void;
  #released: Promise<void>;
  #gateOpen!: () => void;
  #gate: Promise<void>;
  #gateTimer: ReturnType<typeof setTimeout> | undefined;
  #gateOpened = false;

  private constructor(options: FakeOllamaOptions) {
    this.options = options;
    this.#released = new Promise((resolve) => (this.#release = resolve));
    this.#gate = new Promise((resolve) => (this.#gateOpen = resolve));
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
  }

  /**
   * Starts a server on 127.0.0.1 with a free port.
   *
   * @example
   * ```ts
   * const server = FakeOllamaServer.start({ failFirst: 2 });
   * await server.close();
   * ```
   */
  static start(options: FakeOllamaOptions = {}): FakeOllamaServer {
    return new FakeOllamaServer(options);
  }

  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The port the server listens on. */
  get port(): number {
    return this.#server.addr.port;
  }

  /** All texts sent to `/api/embed` that got a 200 answer, in request order. */
  get embeddedTexts(): string[] {
    return this.embedRequests.filter((r) => r.status === 200).flatMap((r) => r.input);
  }

  /** Lets stalled requests proceed. */
  release(): void {
    this.#release();
  }

  /**
   * Releases stalled requests and shuts the server down.
   *
   * @example
   * ```ts
   * const server = FakeOllamaServer.start();
   * await server.close();
   * ```
   */
  async close(): Promise<void> {
    this.release();
    this.#openGate();
    await this.#server.shutdown();
  }

  #openGate(): void {
    this.#gateOpened = true;
    clearTimeout(this.#gateTimer);
    this.#gateOpen();
  }

  async #handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/api/tags") {
      this.tagsRequests++;
      if (this.options.stallTags) await this.#released;
      return json(200, {
        models: this.#models().map((name) => ({
          name,
          model: name,
          modified_at: "2025-01-01T00:00:00Z",
          size: 1000,
          digest: "0".repeat(64),
          details: { format: "gguf", family: "fake", parameter_size: "1M" },
        })),
      });
    }
    if (req.method === "POST" && path === "/api/embed") return await this.#embed(req);
    return json(404, { error: `no route ${req.method} ${path}` });
  }

  async #embed(req: Request): Promise<Response> {
    const body = await req.json() as { model?: string; input?: string | string[] };
    const input = typeof body.input === "string" ? [body.input] : body.input ?? [];
    const record: FakeEmbedRequest = { model: String(body.model), input, status: 0 };
    const index = this.embedRequests.push(record) - 1;
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    try {
      const o = this.options;
      if (o.gate && !this.#gateOpened) {
        if (this.#inFlight >= o.gate) this.#openGate();
        else {
          this.#gateTimer ??= setTimeout(() => this.#openGate(), 3000);
          await this.#gate;
        }
      }
      if (index < (o.stallFirst ?? 0) || index >= (o.stallAfter ?? Infinity)) await this.#released;
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      const response = this.#answer(record, index);
      record.status = response.status;
      return response;
    } finally {
      this.#inFlight--;
    }
  }

  #answer(record: FakeEmbedRequest, index: number): Response {
    const o = this.options;
    if (index < (o.failFirst ?? 0)) {
      return json(o.failStatus ?? 503, { error: "server busy (fake failure)" });
    }
    const model = record.model;
    if (!this.#models().some((m) => m === model || m === `${model}:latest`)) {
      return json(404, { error: `model "${model}" not found, try pulling it first` });
    }
    if (record.input.some((t) => o.rejectTexts?.includes(t))) {
      return json(400, { error: "input is not allowed (fake rejection)" });
    }
    const dims = o.dimensions ?? 8;
    const embeddings: (number | null)[][] = [];
    for (const text of record.input) {
      const v: (number | null)[] = Array.from(fakeVector(model, text, dims));
      switch (o.badVectors?.[text]) {
        case "missing":
          continue;
        case "nan":
          v[1] = null; // JSON has no NaN: Ollama-style clients see null
          break;
        case "null":
          embeddings.push(null as unknown as number[]);
          continue;
        case "short":
          v.pop();
          break;
        case "zero":
          v.fill(0);
          break;
      }
      embeddings.push(v);
    }
    return json(200, { model, embeddings, total_duration: 1, load_duration: 0 });
  }

  #models(): string[] {
    return this.options.models ?? ["embeddinggemma:latest"];
  }
}

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
