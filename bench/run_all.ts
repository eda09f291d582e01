/**
 * `deno task bench`: every benchmark, ours against scikit-learn on the same machine and arrays.
 *
 * 0. the default text embedder (the sentence encoder) on the worker pool and on one thread
 * 1. preprocess with lsa vs TfidfVectorizer + TruncatedSVD(768) (time, memory, quality)
 * 2. the whole preprocess stage with the default embedder, timed (nothing cached: it embeds every
 *    description, builds the lsa and credits blocks and writes every file)
 * 3. the train stage (study LR + RF + 5-fold CV thresholds) vs scikit-learn (F1, time, memory),
 *    and against the code before issue 20's redesign (same scores; time within 5 %)
 * 4. the best model's final fit vs the same model in scikit-learn (ratio, target ≤ 0.1×; F1)
 * 5. its parts: the MLP alone on OpenBLAS and on wasm, the LR's stopping tolerance, the LR's
 *    inner loops (fast exp, L-BFGS direction) against what they replaced
 * 6. predict: 1,000,000 titles streamed through the saved best model (titles/s, peak memory)
 *
 * Needs Debian's python3-sklearn and python3-numpy, and processed_data/ from `deno task preprocess`.
 *
 * @module
 */

async function run(label: string, args: string[]): Promise<boolean> {
  console.log(`\n=== ${label} ===`);
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  if (!status.success) console.error(`${label} failed (exit ${status.code})`);
  return status.success;
}

if (import.meta.main) {
  const python = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import sklearn, numpy"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ success: false }));
  if (!python.success) {
    console.error(
      "The benchmarks compare with scikit-learn: sudo apt-get install -y python3-sklearn python3-numpy",
    );
    Deno.exit(2);
  }
  try {
    await Deno.stat("processed_data/features/config.json");
  } catch {
    console.error("processed_data/ is missing: run `npx deno task preprocess` first.");
    Deno.exit(2);
  }
  const csv = Deno.env.get("NETFLIX_CSV") || "data/NetFlix.csv";
  let ok = await run("text embedding: the sentence encoder (target ≥ 120 descriptions/s)", [
    "bench/use_embed_bench.ts",
    csv,
  ]);
  ok = (await run("preprocess: lsa vs scikit-learn", [
    "bench/lsa_bench.ts",
    csv,
    "--repeats",
    "2",
  ])) && ok;
  const out = await Deno.makeTempDir({ prefix: "bench-preprocess-" });
  ok = (await run("whole preprocess stage (default embedder, lsa block, credits, .npy writes)", [
    "scripts/preprocess.ts",
    "--input",
    csv,
    "--out",
    out,
  ])) && ok;
  await Deno.remove(out, { recursive: true });
  ok = (await run("train stage: study LR + RF + CV thresholds vs scikit-learn", [
    "bench/train_stage_bench.ts",
  ])) && ok;
  ok = (await run("train stage: now vs the code before the redesign (target ≤ 1.05× its time)", [
    "bench/train_redesign_bench.ts",
    csv,
  ])) && ok;
  ok = (await run("best model final fit vs scikit-learn (target ≤ 0.1× its time)", [
    "bench/best_model_bench.ts",
  ])) && ok;
  ok = (await run("the best model's MLP alone (products on OpenBLAS when installed)", [
    "bench/mlp_bench.ts",
  ])) && ok;
  Deno.env.set("NETFLIX_GENRES_BLAS", "wasm");
  ok = (await run("the best model's MLP alone (products on tfjs wasm)", [
    "bench/mlp_bench.ts",
  ])) && ok;
  Deno.env.delete("NETFLIX_GENRES_BLAS");
  ok = (await run("the base LR's stopping tolerance (iterations, time, accuracy)", [
    "bench/lr_tolerance_bench.ts",
  ])) && ok;
  ok = (await run("the LR's inner loops: per-row loss, L-BFGS direction", [
    "bench/lr_inner_loops_bench.ts",
  ])) && ok;
  try {
    await Deno.stat("processed_data/models/best/manifest.json");
    ok = (await run("predict: 1,000,000 titles streamed through the best model", [
      "bench/predict_bench.ts",
      "--rows",
      Deno.env.get("PREDICT_BENCH_ROWS") ?? "1000000",
    ])) && ok;
  } catch {
    console.error("\npredict bench skipped: no trained best model (run `npx deno task train`).");
  }
  Deno.exit(ok ? 0 : 1);
}
