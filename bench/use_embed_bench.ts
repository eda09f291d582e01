/**
 * The default text embedder end to end: every description of NetFlix.csv through the `use`
 * embedder as preprocess runs it — batches as tasks of the project's worker pool, one text per
 * graph call — on the pool's workers and on this thread alone, in the same run. Prints
 * descriptions per second for each (target: ≥ 120/s on 2 cores), their ratio, and a second pass
 * through the embedding cache, which must embed nothing.
 *
 * Usage: npx deno run -A bench/use_embed_bench.ts [CSV] [--workers N]
 *
 * @module
 */

import { readTitles } from "../lib/data/netflix_csv.ts";
import { dataPath } from "../lib/io/project_paths.ts";
import { defaultWorkers, WorkerPool } from "../lib/core/worker_pool.ts";
import { UseEmbedder } from "../lib/embedders/use_embedder.ts";
import { peakRssMiB } from "../lib/core/peak_rss.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

if (import.meta.main) {
  const csv = Deno.args[0] && !Deno.args[0].startsWith("--") ? Deno.args[0] : dataPath();
  const { titles } = await readTitles(csv);
  const texts = titles.description;
  const unique = new Set(texts).size;
  const workers = Number(arg("--workers", String(defaultWorkers())));
  const cache = await Deno.makeTempDir({ prefix: "use-embed-bench-" });
  try {
    const rate = async (label: string, pool: WorkerPool, cacheDir: string | false) => {
      const embedder = await UseEmbedder.create({ cacheDir, progress: false });
      const t0 = performance.now();
      const X = await embedder.embed(texts, { pool });
      const seconds = (performance.now() - t0) / 1000;
      const embedded = embedder.lastRun!.embedded;
      console.log(
        `${label}: ${embedded} of ${unique} distinct descriptions embedded in ${
          seconds.toFixed(1)
        } s` +
          (embedded > 0 ? ` = ${(embedded / seconds).toFixed(0)} descriptions/s` : ""),
      );
      return { X, seconds, perSecond: embedded / seconds, embedded };
    };
    let onPool;
    {
      using pool = WorkerPool.create(workers);
      onPool = await rate(`${workers} workers`, pool, cache);
      const again = await rate("again, through the cache", pool, cache);
      if (again.embedded !== 0) throw new Error("the second pass embedded texts: the cache failed");
      if (again.X.data.some((v, i) => v !== onPool.X.data[i])) {
        throw new Error("the cached vectors differ from the embedded ones");
      }
    }
    const here = await rate("this thread alone", WorkerPool.inline, false);
    const same = here.X.data.every((v, i) => v === onPool.X.data[i]);
    console.log(
      `\n| embedder | descriptions/s on ${workers} workers | on one thread | ratio | same vectors | peak MiB |`,
    );
    console.log("| --- | ---: | ---: | ---: | --- | ---: |");
    console.log(
      `| use (one text per graph call) | ${onPool.perSecond.toFixed(0)} (target ≥ 120) | ` +
        `${here.perSecond.toFixed(0)} | ${(onPool.perSecond / here.perSecond).toFixed(2)}× | ` +
        `${same ? "yes, bit for bit" : "NO"} | ${peakRssMiB().toFixed(0)} |`,
    );
    if (!same) Deno.exit(1);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}
