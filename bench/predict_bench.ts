/**
 * `deno run -A bench/predict_bench.ts [--rows 1000000] [--model best] [--dir processed_data]`
 *
 * Streams NetFlix.csv's rows repeated with new ids (1,000,000 titles by default) through
 * `deno task predict` with the saved model, as a user runs it, and prints titles per second and
 * the predict process's peak memory against the targets (≥ 5,000 titles/s, < 1 GiB).
 *
 * @module
 */

import { join } from "node:path";
import { intFlag, parseFlags, runCommand } from "../lib/io/cli_args.ts";
import { makeBigCsv } from "./make_big_csv.ts";

const USAGE = "Usage: deno run -A bench/predict_bench.ts [--rows N] [--model NAME] [--dir DIR]";

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const values = parseFlags(Deno.args, {
      rows: { type: "string", default: "1000000" },
      model: { type: "string", default: "best" },
      dir: { type: "string", default: "processed_data" },
      input: { type: "string", default: Deno.env.get("NETFLIX_CSV") || "data/NetFlix.csv" },
      help: { type: "boolean", short: "h" },
    });
    const rows = intFlag("rows", values.rows);
    const tmp = await Deno.makeTempDir({ prefix: "predict-bench-" });
    try {
      const big = join(tmp, "titles.csv");
      const t0 = performance.now();
      await makeBigCsv({ input: values.input, output: big, rows });
      const size = (await Deno.stat(big)).size;
      console.log(
        `input: ${rows} titles, ${(size / 2 ** 20).toFixed(0)} MiB, written in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
      const t1 = performance.now();
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "scripts/predict.ts",
          "--input",
          big,
          "--output",
          join(tmp, "predictions.csv"),
          "--model",
          values.model,
          "--dir",
          values.dir,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      const wall = (performance.now() - t1) / 1000;
      const text = new TextDecoder().decode(out.stdout);
      console.log(text.trim());
      if (!out.success) throw new Error(`predict failed (exit ${out.code})`);
      const peak = Number(/peak memory (\d+) MiB/.exec(text)?.[1]);
      const rate = rows / wall;
      console.log(
        `predict, whole process: ${wall.toFixed(1)} s → ${rate.toFixed(0)} titles/s ` +
          `(${(rate / 5000).toFixed(2)}× the 5,000 titles/s target); peak memory ${peak} MiB ` +
          `(${(peak / 1024).toFixed(2)}× the 1 GiB limit)`,
      );
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}
