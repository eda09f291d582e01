/**
 * Child process for the kill-and-resume test: embeds `sampleTexts(n)` with an
 * {@linkcode OllamaEmbedder} against `--host`, caching in `--cache-dir`, and writes the matrix and
 * run counts as JSON to `--out`.
 *
 * ```sh
 * deno run -A tests/support/embed_child.ts --host http://127.0.0.1:PORT --cache-dir DIR \
 *   --out result.json --n 40 --batch 4 --concurrency 1
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { OllamaEmbedder } from "../../lib/embedders/ollama_embedder.ts";
import { sampleTexts } from "./fake_ollama_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    host: { type: "string" },
    "cache-dir": { type: "string" },
    out: { type: "string" },
    n: { type: "string", default: "40" },
    batch: { type: "string", default: "4" },
    concurrency: { type: "string", default: "1" },
    model: { type: "string", default: "embeddinggemma" },
  },
});
if (!values.host || !values["cache-dir"] || !values.out) {
  console.error("usage: embed_child.ts --host URL --cache-dir DIR --out FILE [--n 40 --batch 4]");
  Deno.exit(2);
}

const texts = sampleTexts(Number(values.n));
const embedder = new OllamaEmbedder({
  host: values.host,
  model: values.model,
  cacheDir: values["cache-dir"],
  batchSize: Number(values.batch),
  concurrency: Number(values.concurrency),
  retryBaseMs: 10,
  progress: false,
});
const m = await embedder.embed(texts, { titles: texts.map((_, i) => `Title ${i}`) });
await Deno.writeTextFile(
  values.out,
  JSON.stringify({ rows: m.rows, cols: m.cols, data: Array.from(m.data), stats: embedder.lastRun }),
);
