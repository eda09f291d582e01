import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EmbeddingCache, hashTexts } from "../lib/embedders/embedding_cache.ts";
import type { Matrix } from "../lib/core/matrix.ts";
import {
  OllamaEmbedder,
  type OllamaEmbedderOptions,
  OllamaEmbedError,
} from "../lib/embedders/ollama_embedder.ts";
import { modelMatches, probeOllama, resolveOllamaHost } from "../lib/embedders/ollama_probe.ts";
import {
  type FakeOllamaOptions,
  FakeOllamaServer,
  fakeVector,
  sampleTexts,
} from "./support/fake_ollama_server.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CHILD = join(ROOT, "tests", "support", "embed_child.ts");

/** Starts a fake server and a temp cache dir, runs `fn`, and always cleans both up. */
async function withServer(
  options: FakeOllamaOptions,
  fn: (server: FakeOllamaServer, cacheDir: string) => Promise<void>,
): Promise<void> {
  const server = FakeOllamaServer.start(options);
  const cacheDir = await Deno.makeTempDir({ prefix: "ollama_embedder_test_" });
  try {
    await fn(server, cacheDir);
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

function embedder(server: FakeOllamaServer, cacheDir: string, options: OllamaEmbedderOptions = {}) {
  return new OllamaEmbedder({
    host: server.url,
    cacheDir,
    retryBaseMs: 5,
    progress: false,
    ...options,
  });
}

/** The matrix the fake should produce for `texts`, built independently of the embedder. */
function expected(model: string, texts: string[], dims = 8): Matrix {
  const data = new Float32Array(texts.length * dims);
  texts.forEach((t, i) => data.set(fakeVector(model, t, dims), i * dims));
  return { rows: texts.length, cols: dims, data };
}

const titlesFor = (texts: string[]) => texts.map((_, i) => `Title ${i}`);

async function rejectsWith(
  fn: () => Promise<unknown>,
  code: string,
  ...patterns: RegExp[]
): Promise<OllamaEmbedError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof OllamaEmbedError, `expected OllamaEmbedError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

Deno.test("N texts go out in ceil(N / batchSize) requests and come back in input order", async () => {
  await withServer({}, async (server, cacheDir) => {
    const texts = sampleTexts(10);
    const e = embedder(server, cacheDir, { batchSize: 4, concurrency: 2 });
    const m = await e.embed(texts, { titles: titlesFor(texts) });
    assert.deepEqual(m, expected("embeddinggemma", texts));
    assert.equal(e.dimensions, 8);
    assert.equal(server.embedRequests.length, 3);
    assert.deepEqual(server.embedRequests.map((r) => r.input.length).sort(), [2, 4, 4]);
    assert.deepEqual([...server.embeddedTexts].sort(), [...texts].sort());
    assert.deepEqual(e.lastRun, {
      texts: 10,
      unique: 10,
      cached: 0,
      embedded: 10,
      requests: 3,
      retries: 0,
    });
  });
});

Deno.test("repeated texts are sent once and fill every row", async () => {
  await withServer({}, async (server, cacheDir) => {
    const texts = ["alpha", "beta", "alpha", "gamma", "beta"];
    const m = await embedder(server, cacheDir, { batchSize: 64 }).embed(texts);
    assert.deepEqual(m, expected("embeddinggemma", texts));
    assert.deepEqual(server.embeddedTexts, ["alpha", "beta", "gamma"]);
  });
});

Deno.test("no more than `concurrency` requests are in flight", async () => {
  for (const concurrency of [1, 3]) {
    // The gate holds the first answers until `concurrency` requests arrived (or 3 s passed), so a
    // client that ignored the bound would show more than `concurrency` in flight.
    await withServer({ gate: concurrency, delayMs: 20 }, async (server, cacheDir) => {
      const texts = sampleTexts(18);
      const m = await embedder(server, cacheDir, { batchSize: 2, concurrency }).embed(texts);
      assert.deepEqual(m, expected("embeddinggemma", texts));
      assert.equal(server.embedRequests.length, 9);
      assert.equal(server.maxInFlight, concurrency);
    });
  }
});

Deno.test("transient 503/500 answers are retried with back-off, then succeed", async () => {
  for (const failStatus of [503, 500]) {
    await withServer({ failFirst: 2, failStatus }, async (server, cacheDir) => {
      const texts = sampleTexts(3);
      const e = embedder(server, cacheDir, { maxRetries: 3 });
      const m = await e.embed(texts);
      assert.deepEqual(m, expected("embeddinggemma", texts));
      assert.deepEqual(server.embedRequests.map((r) => r.status), [failStatus, failStatus, 200]);
      assert.equal(e.lastRun?.retries, 2);
    });
  }
});

Deno.test("a request that times out is retried", async () => {
  await withServer({ stallFirst: 1 }, async (server, cacheDir) => {
    const texts = sampleTexts(2);
    const e = embedder(server, cacheDir, { timeoutMs: 1000, maxRetries: 3 });
    assert.deepEqual(await e.embed(texts), expected("embeddinggemma", texts));
    // The first request hangs until the client gives up; a retry then succeeds (more than one
    // retry is allowed in case a loaded machine is slow to answer within the limit).
    assert.equal(server.embedRequests[0].status, 0);
    assert.ok(server.embedRequests.length >= 2);
    assert.equal(e.lastRun?.retries, server.embedRequests.length - 1);
  });
});

Deno.test("exhausted retries give an error naming the batch and saying how to resume", async () => {
  await withServer({ failFirst: 1000 }, async (server, cacheDir) => {
    const texts = sampleTexts(3);
    await rejectsWith(
      () =>
        embedder(server, cacheDir, { maxRetries: 2 }).embed(texts, { titles: titlesFor(texts) }),
      "retries-exhausted",
      /failed 3 times/,
      /row 0 \(title "Title 0"\)/,
      /HTTP 503/,
      /rerun to resume/,
    );
    assert.equal(server.embedRequests.length, 3);
  });
});

Deno.test("a missing model says to run `ollama pull` and is not retried", async () => {
  await withServer({ models: ["nomic-embed-text:latest"] }, async (server, cacheDir) => {
    await rejectsWith(
      () => embedder(server, cacheDir).embed(["a text"]),
      "model-missing",
      /ollama pull embeddinggemma/,
      new RegExp(server.url.replaceAll(".", "\\.")),
    );
    assert.equal(server.embedRequests.length, 1);
  });
});

Deno.test("a server that is down says to start `ollama serve`", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const e = new OllamaEmbedder({ host: `127.0.0.1:${port}`, cacheDir: false, progress: false });
  assert.equal(e.host, `http://127.0.0.1:${port}`);
  await rejectsWith(
    () => e.embed(["a text"]),
    "unreachable",
    new RegExp(`not reachable at http://127\\.0\\.0\\.1:${port}`),
    /ollama serve/,
    /OLLAMA_HOST/,
  );
  const probe = await probeOllama({ host: `127.0.0.1:${port}` });
  assert.equal(probe.available, false);
  assert.match(probe.reason, /ollama serve/);
});

Deno.test("a bad vector is an error naming the title and row, never a zero row", async () => {
  const cases = ["nan", "short", "missing", "zero", "null"] as const;
  for (const kind of cases) {
    const texts = sampleTexts(6);
    await withServer({ badVectors: { [texts[4]]: kind } }, async (server, cacheDir) => {
      const err = await rejectsWith(
        () =>
          embedder(server, cacheDir, { batchSize: 3 }).embed(texts, { titles: titlesFor(texts) }),
        "bad-vector",
        /row 4 \(title "Title 4"\)/,
      );
      assert.doesNotMatch(err.message, /Title [0-35]/, kind);
    });
  }
});

Deno.test("a text the server refuses is found by splitting the batch and named", async () => {
  const texts = sampleTexts(8);
  await withServer({ rejectTexts: [texts[5]] }, async (server, cacheDir) => {
    await rejectsWith(
      () => embedder(server, cacheDir, { batchSize: 8 }).embed(texts, { titles: titlesFor(texts) }),
      "rejected",
      /row 5 \(title "Title 5"\)/,
      /fake rejection/,
    );
    // Bisection runs halves in order: rows 0-3 pass, then 4 passes, then 5 fails alone; the
    // texts that passed are checkpointed and 6-7 are never tried.
    const cache = await EmbeddingCache.open(cacheDir, "embeddinggemma");
    try {
      const hashes = await hashTexts(texts);
      assert.deepEqual(
        hashes.map((h) => cache.get(h) !== undefined),
        [true, true, true, true, true, false, false, false],
      );
    } finally {
      await cache.close();
    }
  });
});

Deno.test("empty texts and mismatched titles are refused before any request", async () => {
  await withServer({}, async (server, cacheDir) => {
    const e = embedder(server, cacheDir);
    await rejectsWith(() => e.embed(["ok", "  "], { titles: ["A", "B"] }), "bad-text", /"B"/);
    await assert.rejects(() => e.embed(["a", "b"], { titles: ["A"] }), /2 texts but 1 titles/);
    assert.equal(server.embedRequests.length, 0);
  });
});

Deno.test("a restart reuses the cache: zero requests and the same matrix", async () => {
  await withServer({}, async (server, cacheDir) => {
    const texts = sampleTexts(10);
    const first = await embedder(server, cacheDir, { batchSize: 4 }).embed(texts);
    assert.equal(server.embedRequests.length, 3);
    const e = embedder(server, cacheDir, { batchSize: 4 });
    const second = await e.embed(texts);
    assert.equal(server.embedRequests.length, 3);
    assert.deepEqual(second, first);
    assert.equal(e.lastRun?.cached, 10);
    assert.equal(e.dimensions, 8);
  });
});

Deno.test("a changed text or model misses the cache", async () => {
  const models = ["embeddinggemma:latest", "other-embed:latest"];
  await withServer({ models }, async (server, cacheDir) => {
    const texts = sampleTexts(6);
    await embedder(server, cacheDir).embed(texts);
    assert.equal(server.embeddedTexts.length, 6);

    const changed = [...texts];
    changed[2] = texts[2] + " (edited)";
    const m = await embedder(server, cacheDir).embed(changed);
    assert.deepEqual(server.embeddedTexts.slice(6), [changed[2]]);
    assert.deepEqual(m, expected("embeddinggemma", changed));

    const other = await embedder(server, cacheDir, { model: "other-embed" }).embed(texts);
    assert.deepEqual(server.embeddedTexts.slice(7), texts);
    assert.deepEqual(other, expected("other-embed", texts));
    assert.notDeepEqual(other.data, expected("embeddinggemma", texts).data);
  });
});

Deno.test("a changed vector size for the same model name is reported, not mixed", async () => {
  await withServer({}, async (server, cacheDir) => {
    await embedder(server, cacheDir).embed(["first"]);
    server.options.dimensions = 12;
    await rejectsWith(
      () => embedder(server, cacheDir).embed(["second"]),
      "dimension-mismatch",
      /returns 12-dimensional/,
      /Delete .*\.8\.bin/,
    );
  });
});

Deno.test("save and load round-trip; OLLAMA_HOST is honoured", async () => {
  await withServer({}, async (server, cacheDir) => {
    const e = embedder(server, cacheDir);
    await assert.rejects(() => e.save(cacheDir), /call embed\(\)/);
    await e.embed(["one"]);
    const dir = join(cacheDir, "model");
    await e.save(dir);
    const saved = JSON.parse(await Deno.readTextFile(join(dir, "ollama_embedder.json")));
    assert.deepEqual(saved, {
      kind: "ollama",
      model: "embeddinggemma",
      host: server.url,
      dimensions: 8,
    });

    const previous = Deno.env.get("OLLAMA_HOST");
    Deno.env.set("OLLAMA_HOST", `127.0.0.1:${server.port}`);
    try {
      assert.equal(new OllamaEmbedder().host, server.url);
      const loaded = await OllamaEmbedder.load(dir, { cacheDir, progress: false });
      assert.equal(loaded.model, "embeddinggemma");
      assert.equal(loaded.dimensions, 8);
      assert.deepEqual(await loaded.embed(["two"]), expected("embeddinggemma", ["two"]));
    } finally {
      if (previous === undefined) Deno.env.delete("OLLAMA_HOST");
      else Deno.env.set("OLLAMA_HOST", previous);
    }
    await assert.rejects(() => OllamaEmbedder.load(join(cacheDir, "nope")), /cannot read/);
  });
});

Deno.test("resolveOllamaHost normalises OLLAMA_HOST forms like the Ollama CLI", () => {
  assert.equal(resolveOllamaHost(""), "http://127.0.0.1:11434");
  assert.equal(resolveOllamaHost("0.0.0.0:11434"), "http://127.0.0.1:11434");
  assert.equal(resolveOllamaHost("0.0.0.0"), "http://127.0.0.1:11434");
  assert.equal(resolveOllamaHost("myhost"), "http://myhost:11434");
  assert.equal(resolveOllamaHost("myhost:8080"), "http://myhost:8080");
  assert.equal(resolveOllamaHost(":9999"), "http://127.0.0.1:9999");
  assert.equal(resolveOllamaHost("http://example.com"), "http://example.com:80");
  assert.equal(resolveOllamaHost("https://example.com/"), "https://example.com:443");
  assert.equal(resolveOllamaHost("https://example.com/ollama/"), "https://example.com:443/ollama");
  assert.equal(resolveOllamaHost("[::]:11434"), "http://[::1]:11434");
  assert.throws(() => resolveOllamaHost("ftp://x"), /only http: and https:/);
});

Deno.test("probeOllama reports availability, a missing model, and matches :latest", async () => {
  assert.ok(modelMatches("embeddinggemma:latest", "embeddinggemma"));
  assert.ok(modelMatches("embeddinggemma", "embeddinggemma:latest"));
  assert.ok(!modelMatches("embeddinggemma:300m", "embeddinggemma"));
  assert.ok(!modelMatches("embeddinggemma-large:latest", "embeddinggemma"));
  await withServer({}, async (server) => {
    const ok = await probeOllama({ host: server.url, model: "embeddinggemma" });
    assert.equal(ok.available, true, ok.reason);
    assert.match(ok.reason, /embeddinggemma:latest/);
    const missing = await probeOllama({ host: server.url, model: "nomic-embed-text" });
    assert.equal(missing.available, false);
    assert.match(missing.reason, /ollama pull nomic-embed-text/);
    assert.equal(server.tagsRequests, 2);
  });
  await withServer({ stallTags: true }, async (server) => {
    const slow = await probeOllama({ host: server.url, timeoutMs: 200 });
    assert.equal(slow.available, false);
    assert.match(slow.reason, /did not answer within 200 ms/);
    const bad = await probeOllama({ host: `${server.url}/nothing` });
    assert.equal(bad.available, false);
    assert.match(bad.reason, /HTTP 404/);
  });
});

Deno.test("kill -9 halfway, rerun: only the missing texts are requested", async () => {
  // The first 3 requests are answered, the 4th hangs, so exactly 3 batches get checkpointed
  // before the child is killed, however slow the machine is.
  await withServer({ stallAfter: 3 }, async (server, cacheDir) => {
    const n = 40, batch = 4, dims = 8, model = "embeddinggemma";
    const texts = sampleTexts(n);
    const out = join(cacheDir, "result.json");
    const args = [
      "run",
      "-A",
      CHILD,
      "--host",
      server.url,
      "--cache-dir",
      join(cacheDir, "cache"),
      "--out",
      out,
      "--n",
      String(n),
      "--batch",
      String(batch),
      "--concurrency",
      "1",
    ];
    const child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let exited = false;
    const outcome = child.output().finally(() => (exited = true));

    // Wait until 3 batches are on disk and the 4th request is hanging (documented file layout).
    const headerBytes = Math.ceil((16 + model.length) / 8) * 8;
    const target = headerBytes + 3 * batch * (32 + 4 * dims);
    const deadline = Date.now() + 45_000;
    const cacheDirPath = join(cacheDir, "cache");
    let size = 0;
    while (!exited && Date.now() < deadline) {
      size = 0;
      try {
        for await (const f of Deno.readDir(cacheDirPath)) {
          if (f.name.endsWith(".bin")) size = (await Deno.stat(join(cacheDirPath, f.name))).size;
        }
      } catch { /* not created yet */ }
      if (size >= target && server.embedRequests.length >= 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (exited) {
      const early = await outcome;
      assert.fail(`child exited early (${early.code}): ${new TextDecoder().decode(early.stderr)}`);
    }
    assert.equal(size, target, "exactly three batches checkpointed before the kill");
    child.kill("SIGKILL");
    const killed = await outcome;
    assert.equal(killed.success, false);

    const cache = await EmbeddingCache.open(cacheDirPath, model);
    const hashes = await hashTexts(texts);
    const notCached = texts.filter((_, i) => cache.get(hashes[i]) === undefined);
    await cache.close();
    assert.equal(notCached.length, n - 3 * batch);

    server.options.stallAfter = undefined;
    const before = server.embedRequests.length;
    const rerun = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT }).output();
    assert.ok(rerun.success, new TextDecoder().decode(rerun.stderr));
    const second = server.embedRequests.slice(before);
    assert.equal(second.length, Math.ceil(notCached.length / batch));
    assert.deepEqual(second.flatMap((r) => r.input).sort(), [...notCached].sort());

    const result = JSON.parse(await Deno.readTextFile(out));
    assert.equal(result.stats.cached, 3 * batch);
    const clean = await new OllamaEmbedder({ host: server.url, cacheDir: false, progress: false })
      .embed(texts);
    assert.deepEqual(
      { rows: result.rows, cols: result.cols, data: Float32Array.from(result.data) },
      clean,
    );
    assert.deepEqual(clean, expected(model, texts));
  });
});

/** A loopback port that accepts connections and never answers (nor reads); closed by `close`. */
function blackHole(): { url: string; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const conn of listener) held.push(conn);
    } catch { /* closed */ }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    close: () => {
      for (const c of held) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      listener.close();
    },
  };
}

Deno.test("a server that accepts and never answers: retries are printed, the deadline ends the wait", async () => {
  const hole = blackHole();
  const cacheDir = await Deno.makeTempDir({ prefix: "ollama_embedder_test_" });
  try {
    const lines: string[] = [];
    const texts = sampleTexts(3);
    const t0 = performance.now();
    const e = new OllamaEmbedder({
      host: hole.url,
      cacheDir,
      progress: false,
      timeoutMs: 300,
      retryBaseMs: 5,
      log: (line) => lines.push(line),
    });
    const err = await rejectsWith(
      () => e.embed(texts, { titles: titlesFor(texts) }),
      "deadline",
      /did not embed batch 1 of 1 \(3 texts from row 0 \(title "Title 0"\)\) within the deadline of 0\.9 s/,
      /each limited to 0\.3 s/,
      /--ollama-timeout SECONDS/,
      /NETFLIX_OLLAMA_TIMEOUT/,
    );
    const seconds = (performance.now() - t0) / 1000;
    assert.ok(seconds < 5, `gave up after ${seconds} s (deadline 0.9 s)`);
    // The opening line states the limits; then one line per retry.
    assert.match(lines[0], /embedding 3 text\(s\) in 1 batch\(es\)/);
    assert.match(lines[0], /each request waits at most 0\.3 s, a batch gives up 0\.9 s after/);
    const retries = lines.slice(1);
    assert.ok(retries.length >= 1, lines.join("\n"));
    retries.forEach((line, k) => {
      assert.match(
        line,
        new RegExp(
          `^ollama: batch 1 of 1 \\(3 texts from row 0 \\(title "Title 0"\\)\\): attempt ${
            k + 1
          } of 6 failed \\(.*\\); retrying in \\d+\\.\\d s`,
        ),
      );
    });
    assert.equal(e.lastRun?.retries, retries.length);
    assert.match(err.message, /attempts?, each limited/);
  } finally {
    hole.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("NETFLIX_OLLAMA_TIMEOUT sets the time limit; a bad value names the variable", async () => {
  const before = Deno.env.get("NETFLIX_OLLAMA_TIMEOUT");
  const hole = blackHole();
  try {
    Deno.env.set("NETFLIX_OLLAMA_TIMEOUT", "soon");
    assert.throws(() => new OllamaEmbedder({ cacheDir: false }), /NETFLIX_OLLAMA_TIMEOUT=soon/);
    Deno.env.set("NETFLIX_OLLAMA_TIMEOUT", "0.2");
    const lines: string[] = [];
    const e = new OllamaEmbedder({
      host: hole.url,
      cacheDir: false,
      maxRetries: 0,
      log: (l) => lines.push(l),
    });
    await rejectsWith(() => e.embed(["a text"]), "retries-exhausted", /no answer within 200 ms/);
    assert.match(lines[0], /waits at most 0\.2 s, a batch gives up 0\.6 s/);
  } finally {
    if (before === undefined) Deno.env.delete("NETFLIX_OLLAMA_TIMEOUT");
    else Deno.env.set("NETFLIX_OLLAMA_TIMEOUT", before);
    hole.close();
  }
});

Deno.test("preprocess --ollama-timeout: a hung embed endpoint ends with an error naming the flag", async () => {
  await withServer({ stallFirst: 1000 }, async (server, cacheDir) => {
    const { syntheticCsv } = await import("./support/synthetic_titles.ts");
    const input = join(cacheDir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(20));
    const t0 = performance.now();
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(ROOT, "scripts", "preprocess.ts"),
        "--input",
        input,
        "--out",
        join(cacheDir, "out"),
        "--embedder",
        "ollama",
        "--host",
        server.url,
        "--ollama-timeout",
        "1",
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const seconds = (performance.now() - t0) / 1000;
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 1, stderr);
    assert.match(stderr, /each request waits at most 1\.0 s, a batch gives up 3\.0 s after/);
    assert.match(stderr, /attempt 1 of 6 failed \(.*1000 ms.*\); retrying in/);
    assert.match(stderr, /error: Ollama at .* did not embed batch 1 of 1 .*deadline of 3\.0 s/);
    assert.match(stderr, /--ollama-timeout SECONDS/);
    assert.ok(seconds < 30, `took ${seconds} s`);
    assert.ok(server.embedRequests.length >= 2, "the request was retried");
  });
});
