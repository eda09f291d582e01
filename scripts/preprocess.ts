/**
 * `deno task preprocess [--embedder auto|lsa|ollama] [--features text,categorical,metadata]
 * [--input data/NetFlix.csv] [--out processed_data] [--sample N] [--dimensions 768]
 * [--model embeddinggemma] [--host URL]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { formatSummary, runPreprocess } from "../lib/preprocess.ts";
import { parseFeatures } from "../lib/processed_data.ts";
import type { EmbedderChoice } from "../lib/embedder_factory.ts";

const USAGE = `Usage: deno task preprocess [options]
  --embedder auto|lsa|ollama   text embeddings (default auto: Ollama if reachable, else lsa)
  --features LIST              blocks in X.npy (default text,categorical; add metadata)
  --input PATH                 NetFlix.csv (default data/NetFlix.csv, or $NETFLIX_CSV)
  --out DIR                    output folder (default processed_data)
  --sample N                   keep a seeded random subset of N titles (quick runs)
  --dimensions N               lsa dimensions (default 768)
  --model NAME --host URL      Ollama model (default embeddinggemma) and host ($OLLAMA_HOST)`;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      embedder: { type: "string", default: "auto" },
      features: { type: "string", default: "text,categorical" },
      input: { type: "string" },
      out: { type: "string", default: "processed_data" },
      sample: { type: "string" },
      dimensions: { type: "string" },
      model: { type: "string" },
      host: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  try {
    const embedder = values.embedder as EmbedderChoice;
    if (!["auto", "lsa", "ollama"].includes(embedder)) {
      throw new Error(`--embedder ${embedder}: use auto, lsa or ollama`);
    }
    const int = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const x = Number(v);
      if (!Number.isInteger(x) || x <= 0) {
        throw new Error(`--${name} ${v}: give a positive integer`);
      }
      return x;
    };
    const sample = int("sample", values.sample ?? (Deno.env.get("NETFLIX_SAMPLE") || undefined));
    const summary = await runPreprocess({
      input: values.input ?? (Deno.env.get("NETFLIX_CSV") || undefined),
      outDir: values.out,
      embedder,
      features: parseFeatures(values.features!),
      dimensions: int("dimensions", values.dimensions),
      model: values.model,
      host: values.host,
      sample,
    });
    console.log(formatSummary(summary));
  } catch (err) {
    console.error(`\nerror: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
