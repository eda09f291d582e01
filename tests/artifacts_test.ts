import assert from "node:assert/strict";
import { join } from "node:path";
import { Artifacts } from "../lib/pipeline/artifacts.ts";
import { notebookArtifacts } from "../lib/pipeline/notebook_stages.ts";
import { runPreprocess } from "../lib/pipeline/preprocess.ts";
import { runTraining } from "../lib/pipeline/train_stage.ts";
import { figuresDir, projectPath, reportsDir } from "../lib/io/project_paths.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";
import { lrSpec } from "./support/small_genre_model.ts";

Deno.test("a sample run has its own processed and report folders; the full run's are never its", () => {
  assert.equal(Artifacts.forSample(undefined).dir, "processed_data");
  assert.equal(Artifacts.forSample(1500).dir, join("processed_data", "sample_1500"));
  assert.equal(reportsDir(undefined), projectPath("reports"));
  assert.equal(reportsDir(300), projectPath("reports", "sample_300"));
  const before = Deno.env.get("NETFLIX_SAMPLE");
  try {
    Deno.env.set("NETFLIX_SAMPLE", "300");
    assert.equal(notebookArtifacts().dir, projectPath("processed_data", "sample_300"));
    assert.equal(figuresDir(), projectPath("reports", "sample_300", "figures"));
    Deno.env.delete("NETFLIX_SAMPLE");
    assert.equal(notebookArtifacts().dir, projectPath("processed_data"));
  } finally {
    if (before === undefined) Deno.env.delete("NETFLIX_SAMPLE");
    else Deno.env.set("NETFLIX_SAMPLE", before);
  }
});

Deno.test("an unreadable metrics.json is refused with the fix and never silently replaced", async () => {
  const dir = await Deno.makeTempDir({ prefix: "artifacts-test-" });
  try {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(80));
    const out = join(dir, "processed");
    await runPreprocess({ input, outDir: out, embedder: "lsa", dimensions: 6, verbose: false });
    const artifacts = new Artifacts(out);
    assert.equal(await artifacts.readMetricsIfAny(), null, "no results yet");
    const spec = lrSpec("lr", ["text", "categorical"], 3);
    const options = { dir: out, best: "lr", splits: ["random" as const], verbose: false };
    await runTraining([spec], options);
    const whole = await Deno.readTextFile(artifacts.metrics);
    // Truncated (a disk filled up, an editor crashed): train refuses and leaves it as it was.
    const truncated = whole.slice(0, whole.length / 2);
    await Deno.writeTextFile(artifacts.metrics, truncated);
    await assert.rejects(
      runTraining([lrSpec("other", ["text"], 3)], options),
      /metrics\.json exists but cannot be used .*not replaced: restore it, or move it away and run `npx deno task train --force`/s,
    );
    assert.equal(await Deno.readTextFile(artifacts.metrics), truncated);
    // Valid JSON of the wrong shape is refused the same way.
    await Deno.writeTextFile(artifacts.metrics, '{"best": 3}');
    await assert.rejects(artifacts.readMetricsIfAny(), /cannot be used/);
    // The writer refuses to write what the reader would refuse.
    await assert.rejects(
      artifacts.writeMetrics({ best: "lr" } as never),
      /"models" must be an object/,
    );
    assert.equal(await Deno.readTextFile(artifacts.metrics), '{"best": 3}');
    // Restored, training goes on; the thresholds come from the saved model.
    await Deno.writeTextFile(artifacts.metrics, whole);
    const metrics = await runTraining([spec], options);
    const t = await artifacts.modelThresholds("lr");
    const perGenre = metrics.models.lr.thresholds as Record<string, number>;
    assert.deepEqual([...t], Object.values(perGenre));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFeatures reads each block set once while the features hold, and again after preprocess", async () => {
  const dir = await Deno.makeTempDir({ prefix: "artifacts-test-" });
  try {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(80));
    const out = join(dir, "processed");
    const preprocess = (dimensions: number) =>
      runPreprocess({ input, outDir: out, embedder: "lsa", dimensions, verbose: false });
    await preprocess(6);
    const artifacts = new Artifacts(out);
    const text = await artifacts.loadFeatures({ features: ["text"] });
    assert.equal(text.XTrain.cols, 6);
    assert.equal(await new Artifacts(out).loadFeatures({ features: ["text"] }), text, "read once");
    const temporal = await artifacts.loadFeatures({ features: ["text"], split: "temporal" });
    assert.notEqual(temporal, text);
    assert.equal(temporal.trainIdx.length + temporal.testIdx.length, 80);
    assert.equal(await artifacts.modelFeaturesId("lr"), undefined, "no saved model yet");
    await runTraining([lrSpec("lr", ["text"], 3)], {
      dir: out,
      best: "lr",
      splits: ["random"],
      verbose: false,
    });
    assert.equal(await artifacts.modelFeaturesId("lr"), text.config.id);
    // Preprocess again with other settings: new features id, new arrays.
    await preprocess(4);
    const again = await artifacts.loadFeatures({ features: ["text"] });
    assert.notEqual(again.config.id, text.config.id);
    assert.equal(again.XTrain.cols, 4);
    assert.equal(await artifacts.modelFeaturesId("lr"), text.config.id, "the model is older");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
