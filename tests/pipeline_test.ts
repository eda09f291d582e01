import assert from "node:assert/strict";
import { join } from "node:path";
import { lrSpec } from "./support/small_genre_model.ts";
import { GenreModel } from "../lib/pipeline/genre_model.ts";
import { parseTitles, selectTitles } from "../lib/data/netflix_csv.ts";
import { writeNpy } from "../lib/io/npy.ts";
import { predictionsCsv, predictTitles } from "../lib/pipeline/predict_titles.ts";
import { runPreprocess } from "../lib/pipeline/preprocess.ts";
import {
  BLOCK_FILES,
  featuresDir,
  loadArray,
  loadProcessed,
  parseFeatures,
  readConfig,
} from "../lib/features/processed_data.ts";
import { runTraining, trainModel } from "../lib/pipeline/train_stage.ts";
import { Artifacts } from "../lib/pipeline/artifacts.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";

async function withProject(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "netflix-genres-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("preprocess → train → predict on a small synthetic data set", async () => {
  await withProject(async (dir) => {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(120));
    const out = join(dir, "processed");
    const { config } = await runPreprocess({
      input,
      outDir: out,
      embedder: "lsa",
      dimensions: 8,
      verbose: false,
    });
    // Split sizes follow scikit-learn's rule: test = ceil(0.2 n).
    assert.deepEqual(config.counts, {
      titles: 120,
      train: 96,
      test: 24,
      genres: 4,
      features: 8 + 7,
    });
    assert.deepEqual(config.genres, ["Comedies", "Dramas", "Horror Movies", "Kids' TV"]);
    assert.equal(config.embedder.kind, "lsa");
    const categorical = config.pipeline.find((b) => b.kind === "categorical")!;
    const categories = categorical.details.categories as Record<string, string[]>;
    assert.deepEqual(categories.type, ["Movie", "TV Show"]);
    assert.ok(categories.rating.includes("Unknown"));
    assert.equal(config.files["X.npy"].dtype, "float32");
    assert.deepEqual(config.files["y.npy"], { shape: [120, 4], dtype: "uint8" });

    // Blocks combine by name.
    const full = await loadProcessed(out, {
      features: parseFeatures("text,categorical,metadata,credits"),
    });
    assert.equal(
      full.XTrain.cols,
      8 + 7 + config.blocks.metadata.names.length + config.blocks.credits.names.length,
    );
    assert.equal(full.XTrain.rows, 96);

    // Same input, same bytes out.
    const again = join(dir, "again");
    await runPreprocess({ input, outDir: again, embedder: "lsa", dimensions: 8, verbose: false });
    for (const f of ["embeddings.npy", "X.npy", "credits.npy", "train_idx.npy"]) {
      assert.deepEqual(
        await Deno.readFile(join(featuresDir(out), f)),
        await Deno.readFile(join(featuresDir(again), f)),
        f,
      );
    }

    // Train a model with CV thresholds; it must learn this easy problem.
    const metrics = await runTraining([lrSpec("lr", ["text", "categorical", "credits"])], {
      dir: out,
      best: "lr",
      splits: ["random"],
      verbose: false,
    });
    assert.ok(metrics.models.lr.f1_macro > 0.7, `F1 macro ${metrics.models.lr.f1_macro}`);
    assert.equal(metrics.models.lr.cv_curve.length, 9);
    // One spec on one split's arrays, as the stage trains it: the same scores, nothing read or
    // written; arrays of other blocks are refused.
    const lr = lrSpec("lr", ["text", "categorical", "credits"]);
    const arrays = await new Artifacts(out).loadFeatures({ features: lr.features });
    const alone = await trainModel(lr, arrays, { verbose: false, workers: 1 });
    assert.equal(alone.metrics.f1_macro, metrics.models.lr.f1_macro);
    assert.deepEqual(alone.metrics.thresholds, metrics.models.lr.thresholds);
    await assert.rejects(
      () => trainModel(lr, full, { verbose: false, workers: 1 }),
      /reads text \+ categorical \+ credits, but the arrays given are of text \+ categorical \+ metadata \+ credits/,
    );

    // The saved genre model, applied to the raw titles, rebuilds every saved feature block bit for
    // bit, and predicts the test titles exactly as the train stage did, title by title.
    const model = await GenreModel.load(join(out, "models", "lr"), { featuresId: config.id });
    assert.deepEqual(model.genres, config.genres);
    assert.equal(model.manifest!.training.features_id, config.id);
    const { titles } = parseTitles(await Deno.readTextFile(input));
    const blocks = await model.pipeline.transformBlocks(titles);
    for (const [kind, m] of blocks) {
      const saved = await loadArray(config, BLOCK_FILES[kind], { dir: out });
      assert.deepEqual(m.data, saved.data, `${kind} block rebuilt from the titles`);
    }
    const data = await loadProcessed(out, { features: ["text", "categorical", "credits"] });
    const testTitles = parseTitles(await Deno.readTextFile(input)).titles;
    const rows = Array.from(data.testIdx);
    const p = await model.predictProba(selectTitles(testTitles, rows));
    assert.deepEqual(p.data, (await new Artifacts(out).readPredictions("lr")).test.data);

    // Predict new titles: no genres column, an unseen rating, one bad row.
    const fresh = syntheticCsv(6, { withGenres: false })
      .replace(",TV-MA,", ",NEW-RATING,")
      .replace(/\n(s3,[^\n]*),A [^\n]*tale\.\n/, "\n$1,\n");
    const result = await predictTitles(fresh, { dir: out, source: "new.csv" });
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].row, 3);
    assert.equal(result.problems[0].field, "description");
    assert.equal(result.titles.length, 5);
    assert.equal(result.model, "lr");
    const csv = predictionsCsv(result);
    assert.match(csv.split("\n")[0], /^show_id,title,predicted_genres,probabilities$/);
    assert.equal(csv.trim().split("\n").length, 6);
    // Each row predicts exactly the genres whose probability reaches that genre's threshold.
    const thresholds = await new Artifacts(out).modelThresholds("lr");
    for (let i = 0; i < result.titles.length; i++) {
      const expected = result.genres.filter((_, j) =>
        result.proba.data[i * 4 + j] >= thresholds[j]
      );
      assert.deepEqual(result.predicted[i].map((g) => g.genre).sort(), expected.sort());
    }
    assert.ok(result.predicted.some((r) => r.length > 0));
  });
});

Deno.test("loaders say which file does not match config.json", async () => {
  await withProject(async (dir) => {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(40));
    const out = join(dir, "processed");
    await runPreprocess({ input, outDir: out, embedder: "lsa", dimensions: 4, verbose: false });
    await writeNpy(join(featuresDir(out), "y.npy"), { rows: 3, cols: 4, data: new Uint8Array(12) });
    await assert.rejects(
      () => loadProcessed(out),
      /y\.npy[\s\S]*re-run `npx deno task preprocess`/,
    );
    await Deno.remove(join(featuresDir(out), "config.json"));
    await assert.rejects(
      () => readConfig(out),
      /config\.json not found: run `npx deno task preprocess`/,
    );
  });
});

Deno.test("preprocess --embedder ollama embeds through the server once; auto is the sentence encoder", async () => {
  const { FakeOllamaServer } = await import("./support/fake_ollama_server.ts");
  const server = FakeOllamaServer.start({ dimensions: 12 });
  try {
    await withProject(async (dir) => {
      const input = join(dir, "titles.csv");
      await Deno.writeTextFile(input, syntheticCsv(60));
      const out = join(dir, "processed");
      const { config } = await runPreprocess({
        input,
        outDir: out,
        embedder: "ollama",
        host: server.url,
        verbose: false,
      });
      assert.equal(config.embedder.kind, "ollama");
      assert.equal(config.embedder.model, "embeddinggemma");
      assert.equal(config.embedder.dimensions, 12);
      assert.match(config.embedder.reason, /^ollama requested/);
      assert.equal(config.files["embeddings.npy"].shape.join("x"), "60x12");
      // Titles embedded once; a second run is served from the cache (no new texts sent).
      const sent = server.embeddedTexts.length;
      assert.ok(sent > 0 && sent <= 60);
      await runPreprocess({
        input,
        outDir: out,
        embedder: "ollama",
        host: server.url,
        verbose: false,
        force: true,
      });
      assert.equal(server.embeddedTexts.length, sent);
    });
  } finally {
    await server.close();
  }
  await withProject(async (dir) => {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(60));
    // auto (the default) is the sentence encoder, the measured winner; no server is asked.
    const { config } = await runPreprocess({ input, outDir: join(dir, "p"), verbose: false });
    assert.equal(config.embedder.kind, "use");
    assert.match(config.embedder.reason, /^auto: the Universal Sentence Encoder/);
    assert.equal(config.files["embeddings.npy"].shape.join("x"), "60x512");
    assert.equal(config.files["lsa.npy"].shape[0], 60, "the LSA block beside it");
    await assert.rejects(
      () =>
        runPreprocess({
          input,
          outDir: join(dir, "q"),
          embedder: "ollama",
          host: "http://127.0.0.1:9",
          verbose: false,
        }),
      /ollama serve/,
    );
  });
});
