/**
 * Throughput of the Universal Sentence Encoder lite ({@linkcode UseEncoder}) on the real
 * descriptions, on the current thread (one core: the wasm back end and OpenBLAS both run
 * single-threaded here): for each place the products run (OpenBLAS when installed, wasm), graph
 * batch size, and order (sorted by token count, or file order), descriptions per second by the
 * wall clock and by this process's CPU time (the second is steadier on a shared machine), plus
 * the tokenizer's own rate and the memory one loaded model takes.
 *
 * Usage:
 *   npx deno run -A bench/use_encoder_bench.ts [CSV] [--limit N] [--batch-sizes 16,32,64]
 *                                              [--orders sorted,file] [--products auto,wasm]
 *
 * CSV defaults to data/NetFlix.csv (column `description`, read with readTitles); `--limit` keeps
 * the first N descriptions (default all 7,787).
 *
 * @module
 */

import process from "node:process";
import { peakRssMiB } from "../lib/core/peak_rss.ts";
import { readTitles } from "../lib/data/netflix_csv.ts";
import { dataPath } from "../lib/io/project_paths.ts";
import { readUseWeights, UseEncoder } from "../lib/embedders/use_encoder.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const rssMiB = () => Deno.memoryUsage().rss / 2 ** 20;

if (import.meta.main) {
  const csv = Deno.args[0] && !Deno.args[0].startsWith("--") ? Deno.args[0] : dataPath();
  const { titles } = await readTitles(csv);
  const limit = Number(arg("--limit", String(titles.length)));
  const texts = titles.description.slice(0, limit);
  const batchSizes = arg("--batch-sizes", "16,32,64,128,256").split(",").map(Number);
  const orders = arg("--orders", "sorted,file").split(",");
  const products = arg("--products", "auto,wasm").split(",") as ("auto" | "wasm")[];

  const rss0 = rssMiB();
  const weights = await readUseWeights();
  let encoder = await UseEncoder.load({ weights });
  const rssLoaded = rssMiB();
  let started = performance.now();
  const ids = texts.map((t) => encoder.tokenize(t));
  const tokenizeMs = performance.now() - started;
  const tokens = ids.reduce((sum, x) => sum + x.length, 0);
  console.log(
    `${texts.length} descriptions, ${tokens} tokens (mean ${(tokens / texts.length).toFixed(1)}, ` +
      `max ${Math.max(...ids.map((x) => x.length))}); tokenizer ` +
      `${(texts.length / tokenizeMs * 1000).toFixed(0)} descriptions/s`,
  );
  await encoder.encode(texts.slice(0, 32)); // warm-up: the first call creates the XNNPACK operators
  const rssWarm = rssMiB();

  console.log(
    "\n| products | batch | order | wall s | descriptions/s (wall) | descriptions/s (CPU time) |",
  );
  console.log(
    "| :------- | ----: | :---- | -----: | --------------------: | ------------------------: |",
  );
  for (const product of products) {
    for (const batchSize of batchSizes) {
      for (const order of orders) {
        encoder.dispose();
        encoder = await UseEncoder.load({
          weights,
          batchSize,
          sortByLength: order === "sorted",
          products: product,
        });
        await encoder.encodeIds(ids.slice(0, batchSize));
        const cpu0 = process.cpuUsage();
        started = performance.now();
        await encoder.encodeIds(ids);
        const wall = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        console.log(
          `| ${encoder.products} | ${batchSize} | ${order} | ${wall.toFixed(1)} | ` +
            `${(texts.length / wall).toFixed(1)} | ${(texts.length / cpuSeconds).toFixed(1)} |`,
        );
      }
    }
  }
  encoder.dispose();
  console.log(
    `\nmemory: RSS ${rss0.toFixed(0)} MiB before, ${rssLoaded.toFixed(0)} MiB with the model ` +
      `loaded, ${rssWarm.toFixed(0)} MiB after the first batch; peak ${
        peakRssMiB().toFixed(0)
      } MiB`,
  );
}
