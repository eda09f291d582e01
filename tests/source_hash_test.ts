import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { codeFingerprint, reachableModules } from "../lib/io/source_hash.ts";

const LIB = fileURLToPath(new URL("../lib/", import.meta.url));

/** The lib files (relative to lib/) a stage's entry module reaches. */
async function stageModules(entry: string): Promise<string[]> {
  return [...(await reachableModules(join(LIB, entry))).keys()].map((f) => relative(LIB, f));
}

Deno.test("each stage's fingerprint covers the code it runs, found from its imports", async () => {
  const train = await stageModules("pipeline/train_stage.ts");
  // What training runs, including what workers load by URL: the pool's worker, the fit task,
  // the forest's tree task. (The catalog is not code training runs: each model's spec is data,
  // part of its cache key.)
  for (
    const f of [
      "models/estimator_pool.ts",
      "models/model_store.ts",
      "core/pool_worker.ts",
      "models/forest/tree_task.ts",
      "models/logistic_regression.ts",
      "model_selection/cross_val_predict.ts",
    ]
  ) assert.ok(train.includes(f), `train's code includes ${f}`);
  // Not what it does not run: charts, reports, the notebooks' helpers, the explain stage.
  for (const f of train) {
    assert.ok(!/^(charts|report|jupyter)\//.test(f), `train's code includes ${f}`);
  }
  assert.ok(!train.includes("pipeline/explain_stage.ts"));
  assert.ok(!train.includes("pipeline/model_catalog.ts"), "the catalog is data, not code, here");
  const preprocess = await stageModules("pipeline/preprocess.ts");
  assert.ok(preprocess.includes("embedders/lsa_embedder.ts"));
  assert.ok(!preprocess.some((f) => f.startsWith("models/")), "preprocess fits no classifier");
});

Deno.test("editing a module a stage imports changes its fingerprint; editing another does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fingerprint-" });
  try {
    const write = (name: string, text: string) => Deno.writeTextFile(join(dir, name), text);
    await Deno.mkdir(join(dir, "charts"));
    await write(
      "stage.ts",
      'import { a } from "./a.ts";\nimport type { T } from "./types.ts";\nexport const run = () => a;',
    );
    await write("types.ts", "export type T = number;");
    // a.ts names a worker task by URL, as the pool's tasks are named.
    await write("a.ts", 'export const a = new URL("./task.ts", import.meta.url);');
    await write("task.ts", "export async function task() {}");
    await write("charts/bar.ts", 'import { a } from "../a.ts";\nexport const bar = a;');
    const entry = join(dir, "stage.ts");
    const fingerprint = async () => {
      // A fresh copy of the module each time: its fingerprints are cached per process.
      const { codeFingerprint: fresh } = await import(
        `../lib/io/source_hash.ts?${crypto.randomUUID()}`
      );
      return await fresh(new URL(`file://${entry}`));
    };
    const before = await fingerprint();
    assert.equal(await fingerprint(), before, "the same code, the same fingerprint");
    await write("charts/bar.ts", 'import { a } from "../a.ts";\nexport const bar = [a];');
    assert.equal(await fingerprint(), before, "a chart the stage does not import");
    await write("types.ts", "export type T = string;");
    assert.equal(await fingerprint(), before, "a type-only import: erased before the code runs");
    await write("task.ts", "export async function task() { return 1; }");
    const afterTask = await fingerprint();
    assert.notEqual(afterTask, before, "a task module named by URL");
    await write("a.ts", '// edited\nexport const a = new URL("./task.ts", import.meta.url);');
    assert.notEqual(await fingerprint(), afterTask, "a module the stage imports");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("codeFingerprint names a module it cannot read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fingerprint-" });
  try {
    await Deno.writeTextFile(join(dir, "stage.ts"), 'import "./gone.ts";');
    await assert.rejects(
      codeFingerprint(new URL(`file://${join(dir, "stage.ts")}`)),
      /cannot read .*gone\.ts/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
