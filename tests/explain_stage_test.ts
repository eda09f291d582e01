import assert from "node:assert/strict";
import { join } from "node:path";
import { runExplain } from "../lib/pipeline/explain_stage.ts";
import { explainFile, explainTitles, openExplainer } from "../lib/pipeline/explain_title.ts";
import { readMetricsFile } from "../lib/pipeline/metrics_file.ts";
import { runPreprocess } from "../lib/pipeline/preprocess.ts";
import { runTraining } from "../lib/pipeline/train_stage.ts";
import { Artifacts } from "../lib/pipeline/artifacts.ts";
import { modelSpecs } from "../lib/pipeline/model_catalog.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";

Deno.test("explain stage end to end: metrics.json explanations, explainFile, predict --explain", async () => {
  const dir = await Deno.makeTempDir({ prefix: "explain-stage-test-" });
  try {
    const input = join(dir, "titles.csv");
    await Deno.writeTextFile(input, syntheticCsv(100));
    const out = join(dir, "processed");
    await runPreprocess({ input, outDir: out, embedder: "lsa", dimensions: 6, verbose: false });
    // The catalog's best model, its CV folds fitted on workers: train keeps the fold models.
    const best = modelSpecs().find((s) => s.name === "best")!;
    await runTraining([{ ...best, features: ["text", "categorical"] }], {
      dir: out,
      best: "best",
      verbose: false,
      splits: ["random"],
      ablation: false,
    });
    const artifacts = new Artifacts(out);
    assert.equal((await artifacts.readSavedFolds("best"))?.folds, 5);
    await assert.rejects(openExplainer({ dir: out }), /npx deno task explain/);
    const e = await runExplain({ dir: out, repeats: 2, verbose: false, maxTerms: 50 });
    assert.equal(e.data.folds_from_train, true, "explain reuses train's fold models");
    // Fold models of another training are not used: the folds are fitted again, same numbers.
    const foldsJson = join(artifacts.foldModels("best"), "folds.json");
    const kept = JSON.parse(await Deno.readTextFile(foldsJson));
    await Deno.writeTextFile(foldsJson, JSON.stringify({ ...kept, trained: "another time" }));
    const again = await runExplain({
      dir: out,
      repeats: 2,
      verbose: false,
      maxTerms: 50,
      force: true,
    });
    assert.equal(again.data.folds_from_train, false);
    assert.deepEqual(again.permutation.per_genre, e.permutation.per_genre);
    const metrics = await readMetricsFile(out);
    assert.deepEqual(metrics.explanations, again);
    assert.deepEqual(e.permutation.groups, ["text", "type", "rating"]);
    // The synthetic genres follow description words: permuting the text costs F1.
    assert.ok(e.permutation.macro.text.mean > 0.1, JSON.stringify(e.permutation.macro));
    assert.ok(e.terms.per_genre["Horror Movies"].positive.some((t) => t.term === "haunted"));
    assert.deepEqual(Object.keys(e.calibration.models), ["best"]);
    assert.equal(e.claims.length, 3);

    const explainer = await openExplainer({ dir: out });
    const [one] = await explainTitles(explainer, [{
      type: "Movie",
      description: "A ghost haunted the blood terror.",
    }]);
    assert.ok(one.predicted.includes("Horror Movies"), JSON.stringify(one.predicted));
    const csv = join(dir, "new.csv");
    await Deno.writeTextFile(csv, syntheticCsv(3, { withGenres: false }));
    const r = await explainFile(csv, join(dir, "expl.json"), { dir: out });
    assert.equal(r.explained, 3);
    assert.equal(JSON.parse(await Deno.readTextFile(join(dir, "expl.json"))).length, 3);
    await assert.rejects(explainFile(csv, csv, { dir: out }), /is the input file/);

    const cli = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/predict.ts",
        "--dir",
        out,
        "--explain",
        "--type",
        "Movie",
        "--description",
        "A haunted house of ghost terror.",
      ],
      cwd: new URL("..", import.meta.url),
    }).output();
    const text = new TextDecoder().decode(cli.stdout);
    assert.equal(cli.code, 0, new TextDecoder().decode(cli.stderr));
    assert.match(text, /Horror Movies[\s\S]*blocks \(points of probability[\s\S]*for: /);
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/predict.ts", "--dir", out, "--description", "x"],
      cwd: new URL("..", import.meta.url),
    }).output();
    assert.equal(bad.code, 2);
    assert.match(new TextDecoder().decode(bad.stderr), /need --explain/);
    // Block means made for another model are refused with the fix.
    const meansPath = join(out, "explain", "block_means.json");
    const means = JSON.parse(await Deno.readTextFile(meansPath));
    await Deno.writeTextFile(meansPath, JSON.stringify({ ...means, model: "other" }));
    await assert.rejects(
      openExplainer({ dir: out }),
      /made for model "other"[\s\S]*npx deno task explain/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
