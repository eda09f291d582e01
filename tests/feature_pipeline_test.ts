import assert from "node:assert/strict";
import { FeaturePipeline } from "../lib/features/feature_pipeline.ts";
import { LsaEmbedder } from "../lib/embedders/lsa_embedder.ts";
import { parseTitles } from "../lib/data/netflix_csv.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";

async function savedPipeline(): Promise<{ dir: string; full: FeaturePipeline }> {
  const { titles } = parseTitles(syntheticCsv(60));
  const full = await FeaturePipeline.create({
    embedder: new LsaEmbedder({ dimensions: 3, minDf: 1 }),
    blocks: ["text", "categorical", "metadata"],
  }).fit(titles);
  const dir = await Deno.makeTempDir({ prefix: "pipeline-" });
  await full.save(dir);
  return { dir, full };
}

Deno.test("FeaturePipeline.load with blocks loads those blocks only, in the order asked", async () => {
  const { dir, full } = await savedPipeline();
  try {
    const { titles } = parseTitles(syntheticCsv(10));
    const some = await FeaturePipeline.load(dir, { blocks: ["metadata", "text"] });
    assert.deepEqual(some.kinds, ["metadata", "text"]);
    assert.deepEqual(some.featureNames, full.select(["metadata", "text"]).featureNames);
    const a = await some.transform(titles);
    const b = await full.select(["metadata", "text"]).transform(titles);
    assert.deepEqual([a.rows, a.cols], [b.rows, b.cols]);
    assert.deepEqual(a.data, b.data);
    // A block left out is never read: removing its folder does not matter.
    await Deno.remove(`${dir}/categorical`, { recursive: true });
    assert.deepEqual((await FeaturePipeline.load(dir, { blocks: ["text"] })).kinds, ["text"]);
    await assert.rejects(() => FeaturePipeline.load(dir), /categorical/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FeaturePipeline.load names a block the saved pipeline does not have", async () => {
  const { dir } = await savedPipeline();
  try {
    await assert.rejects(
      () => FeaturePipeline.load(dir, { blocks: ["text", "credits"] }),
      (err: Error) =>
        /no "credits" block/.test(err.message) && /text, categorical, metadata/.test(err.message) &&
        /preprocess/.test(err.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
