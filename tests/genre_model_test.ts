import assert from "node:assert/strict";
import { join } from "node:path";
import { GenreModel } from "../lib/pipeline/genre_model.ts";
import { readMetricsFile } from "../lib/pipeline/metrics_file.ts";
import { predictFile, predictTitles } from "../lib/pipeline/predict_titles.ts";
import { runPreprocess } from "../lib/pipeline/preprocess.ts";
import { featuresDir, readConfig } from "../lib/features/processed_data.ts";
import { runTraining } from "../lib/pipeline/train_stage.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";
import { lrSpec, smallGenreModel } from "./support/small_genre_model.ts";

const spec = (name: string) => lrSpec(name, ["text", "categorical", "credits"]);

async function project(n = 80): Promise<{ dir: string; input: string; out: string }> {
  const dir = await Deno.makeTempDir({ prefix: "genre-model-test-" });
  const input = join(dir, "titles.csv");
  await Deno.writeTextFile(input, syntheticCsv(n));
  const out = join(dir, "processed");
  await runPreprocess({ input, outDir: out, embedder: "lsa", dimensions: 6, verbose: false });
  return { dir, input, out };
}

/** Every file under `dir` with its bytes, for before/after comparisons. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.set(p.slice(dir.length), new TextDecoder().decode(await Deno.readFile(p)));
    }
  };
  await walk(dir);
  return out;
}

Deno.test("GenreModel: fit on title records, save, load, predict typed-in records", async () => {
  const { model } = await smallGenreModel();
  const dir = await Deno.makeTempDir();
  try {
    await model.save(join(dir, "m"), {
      name: "m",
      training: { features_id: "none", data_sha256: "x", published: false, rows: 80 },
    });
    const loaded = await GenreModel.load(join(dir, "m"));
    const records = [
      { title: "Ghost House", type: "Movie", description: "A haunted house full of ghost terror." },
      { title: "Pup", type: "TV Show", description: "A puppy adventure of friendship." },
    ];
    const a = await model.predict(records);
    const b = await loaded.predict(records);
    assert.deepEqual(b, a);
    assert.equal(b[0].title, "Ghost House");
    assert.ok(b[0].genres.some((g) => g.genre === "Horror Movies"), JSON.stringify(b[0]));
    for (const g of b.flatMap((p) => p.genres)) assert.ok(g.probability >= g.threshold);
    // No leftovers of the atomic save beside the model.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["m"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a model whose pieces do not belong together is refused with the fix", async () => {
  const { dir, out } = await project();
  try {
    await runTraining([spec("lr")], { dir: out, best: "lr", verbose: false });
    const modelDir = join(out, "models", "lr");
    const manifestPath = join(modelDir, "manifest.json");
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    // A manifest that claims another genre list than the estimator predicts.
    await Deno.writeTextFile(
      manifestPath,
      JSON.stringify({ ...manifest, genres: [...manifest.genres, "Extra Genre"] }),
    );
    await assert.rejects(
      () => GenreModel.load(modelDir),
      /genres[\s\S]*deno task train --models lr/,
    );
    // A block swapped for one with other columns.
    await Deno.writeTextFile(
      manifestPath,
      JSON.stringify({
        ...manifest,
        blocks: manifest.blocks.map((b: { kind: string; columns: number }) =>
          b.kind === "credits" ? { ...b, columns: b.columns + 1 } : b
        ),
      }),
    );
    await assert.rejects(() => GenreModel.load(modelDir), /credits columns/);
    await Deno.writeTextFile(manifestPath, JSON.stringify({ ...manifest, format: "old/1" }));
    await assert.rejects(() => GenreModel.load(modelDir), /format old\/1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("features rebuilt with one more genre, model not retrained: predict refuses", async () => {
  const { dir, input, out } = await project();
  try {
    await runTraining([spec("lr")], { dir: out, best: "lr", verbose: false });
    const csv = syntheticCsv(6, { withGenres: false });
    const before = await predictTitles(csv, { dir: out });
    assert.equal(before.model, "lr");
    // One title gains a fifth genre; preprocess is re-run, train is not.
    const text = await Deno.readTextFile(input);
    await Deno.writeTextFile(input, text.replace(/"?Comedies"?,/, '"Comedies, Stand-Up Comedy",'));
    const { config } = await runPreprocess({
      input,
      outDir: out,
      embedder: "lsa",
      dimensions: 6,
      verbose: false,
    });
    assert.equal(config.genres.length, 5);
    await assert.rejects(
      () => predictTitles(csv, { dir: out }),
      /model "lr"[\s\S]*trained on features[\s\S]*npx deno task train --models lr/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("training some models merges metrics.json, reuses what is up to date; the default stays", async () => {
  const { dir, out } = await project();
  try {
    await runTraining([spec("best"), spec("other")], {
      dir: out,
      best: "best",
      verbose: false,
    });
    const first = await readMetricsFile(out);
    // Nothing changed: the entry (and saved model) are reused, not retrained.
    await runTraining([spec("other")], { dir: out, best: "best", verbose: false });
    assert.deepEqual((await readMetricsFile(out)).models.other, first.models.other);
    await runTraining([spec("other")], { dir: out, best: "best", verbose: false, force: true });
    const second = await readMetricsFile(out);
    assert.equal(second.best, "best");
    assert.deepEqual(Object.keys(second.models).sort(), ["best", "other"]);
    assert.deepEqual(second.models.best, first.models.best);
    assert.notEqual(second.models.other.trained, first.models.other.trained);
    // A changed spec (another description, i.e. other options) is retrained without --force.
    const changed = { ...spec("other"), description: "test other, C=2" };
    await runTraining([changed], { dir: out, best: "best", verbose: false });
    assert.equal((await readMetricsFile(out)).models.other.description, "test other, C=2");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("predict: refuses --output equal to --input, lists models, streams batches", async () => {
  const { dir, out } = await project();
  try {
    await runTraining([spec("lr")], { dir: out, best: "lr", verbose: false });
    const newTitles = join(dir, "new.csv");
    await Deno.writeTextFile(newTitles, syntheticCsv(9, { withGenres: false }));
    const original = await Deno.readTextFile(newTitles);
    await assert.rejects(
      () => predictFile(newTitles, newTitles, { dir: out }),
      /is the input file/,
    );
    assert.equal(await Deno.readTextFile(newTitles), original);
    await assert.rejects(
      () => predictFile(newTitles, join(dir, "p.csv"), { dir: out, model: "nope" }),
      /no model "nope"[\s\S]*the models there are: lr/,
    );
    // Batches of 2 give the same file as one batch.
    await predictFile(newTitles, join(dir, "a.csv"), { dir: out, batchRows: 2 });
    const r = await predictFile(newTitles, join(dir, "b.csv"), { dir: out });
    assert.equal(r.predicted, 9);
    assert.equal(
      await Deno.readTextFile(join(dir, "a.csv")),
      await Deno.readTextFile(join(dir, "b.csv")),
    );
    assert.equal((await Deno.readTextFile(join(dir, "b.csv"))).trim().split("\n").length, 10);
    // As a user runs it: a file whose every row is bad exits non-zero, names the rows, writes nothing.
    const bad = join(dir, "bad.csv");
    await Deno.writeTextFile(
      bad,
      original.replace(/,[^,\n]*tale\.\n/g, ",\n").split("\n").map((l, i) =>
        i === 0 ? l : l.replace(/,[^,]*$/, ",")
      ).join("\n"),
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/predict.ts",
        "--input",
        bad,
        "--output",
        join(dir, "c.csv"),
        "--dir",
        out,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 1, stderr);
    assert.match(stderr, /no row of .*bad\.csv could be predicted/);
    assert.match(stderr, /row 1 .*field description/);
    assert.doesNotMatch(stderr, /\n\s+at /);
    await assert.rejects(() => Deno.stat(join(dir, "c.csv")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("preprocess killed while writing leaves the previous features exactly as they were", async () => {
  const { dir, input, out } = await project(60);
  try {
    const before = await snapshot(featuresDir(out));
    const { id } = await readConfig(out);
    // A child process runs preprocess on changed data and is killed (SIGKILL) after it has
    // written some of its files.
    await Deno.writeTextFile(input, syntheticCsv(70));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(import.meta.dirname!, "support", "preprocess_child.ts"), input, out],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("WROTE X.npy")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    assert.match(seen, /WROTE X\.npy/);
    // The next reader tidies the unfinished folder; the old features are untouched.
    assert.equal((await readConfig(out)).id, id);
    assert.deepEqual(await snapshot(featuresDir(out)), before);
    const leftovers = [...Deno.readDirSync(out)].map((e) => e.name).filter((n) =>
      n.startsWith(".")
    );
    assert.deepEqual(leftovers, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("preprocess with nothing changed reuses the features; --force or new data rebuilds", async () => {
  const { dir, input, out } = await project(50);
  try {
    const opts = { input, outDir: out, embedder: "lsa" as const, dimensions: 6, verbose: false };
    const before = await readConfig(out);
    const again = await runPreprocess(opts);
    assert.equal(again.upToDate, true);
    assert.equal(again.config.created, before.created);
    const forced = await runPreprocess({ ...opts, force: true });
    assert.equal(forced.upToDate, false);
    assert.equal(forced.config.id, before.id, "same inputs, same features id");
    await Deno.writeTextFile(input, syntheticCsv(55));
    const changed = await runPreprocess(opts);
    assert.equal(changed.upToDate, false);
    assert.notEqual(changed.config.id, before.id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeStreamAtomically: the old file stays on failure or when nothing is written", async () => {
  const { writeStreamAtomically } = await import("../lib/io/atomic_write.ts");
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "out.csv");
    await Deno.writeTextFile(path, "old\n");
    const enc = new TextEncoder();
    await assert.rejects(
      () =>
        writeStreamAtomically(path, async (file) => {
          await file.write(enc.encode("half"));
          throw new Error("broke halfway");
        }),
      /broke halfway/,
    );
    assert.equal(await Deno.readTextFile(path), "old\n");
    assert.equal(await writeStreamAtomically(path, () => Promise.resolve(false)), false);
    assert.equal(await Deno.readTextFile(path), "old\n");
    assert.equal(
      await writeStreamAtomically(path, async (file) => {
        await file.write(enc.encode("new\n"));
        return true;
      }),
      true,
    );
    assert.equal(await Deno.readTextFile(path), "new\n");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["out.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
