/**
 * Benchmarks the `lsa` embedder ({@linkcode LsaEmbedder}: fit on the training descriptions, embed
 * all of them) against scikit-learn's TfidfVectorizer + TruncatedSVD(768, random_state=42) +
 * normalize (bench/lsa_reference.py), run alternately on the same texts, and prints times, peak
 * memory, the ratio, and how much of the TF-IDF matrix each SVD captures.
 *
 * Usage:
 *   npx deno run -A bench/lsa_bench.ts [CSV] [--repeats N] [--dimensions K] [--n-iter Q]
 *                                      [--sklearn-stop-words] [--no-reference]
 *
 * CSV defaults to /work/shared/data/NetFlix.csv (column `description`). Train rows are those of
 * scikit-learn's `train_test_split(test_size=0.2, random_state=42)`. The reference uses our own
 * stop-word list (so both sides factor the same TF-IDF matrix) unless `--sklearn-stop-words`.
 *
 * @module
 */

import process from "node:process";
import pl from "nodejs-polars";
import { LsaEmbedder } from "../lib/embedders/lsa_embedder.ts";
import { csrMatMul } from "../lib/text/sparse_matrix.ts";
import { ENGLISH_STOP_WORDS } from "../lib/data/stop_words.ts";
import { useFastBackend } from "../lib/core/tf_backend.ts";
import { TfidfVectorizer } from "../lib/text/tfidf_vectorizer.ts";
import { trainTestSplit } from "../lib/model_selection/train_test_split.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const positional = Deno.args.filter((a, i) =>
  !a.startsWith("--") && (i === 0 || !Deno.args[i - 1].startsWith("--") ||
    ["--sklearn-stop-words", "--no-reference"].includes(Deno.args[i - 1]))
);
const csvPath = positional[0] ?? "/work/shared/data/NetFlix.csv";
const repeats = Number(arg("--repeats", "3"));
const dimensions = Number(arg("--dimensions", "768"));
const nIter = Number(arg("--n-iter", "5"));
const sklearnStopWords = Deno.args.includes("--sklearn-stop-words");
const withReference = !Deno.args.includes("--no-reference");

const df = pl.readCSV(csvPath);
const texts = (df.getColumn("description").toArray() as (string | null)[]).map((t) => t ?? "");
const { train } = trainTestSplit(texts.length, { testSize: 0.2, seed: 42 });
const trainTexts = Array.from(train, (i) => texts[i]);
console.log(`${csvPath}: ${texts.length} descriptions, ${trainTexts.length} train rows`);

/** Peak resident set size of this process so far (VmHWM), in MiB. */
function peakRssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const m = status.match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : Deno.memoryUsage().rss / 2 ** 20;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Reference input, written once.
const input = await Deno.makeTempFile({ suffix: ".json" });
await Deno.writeTextFile(
  input,
  JSON.stringify({
    texts,
    train: Array.from(train),
    stopWords: sklearnStopWords ? null : [...ENGLISH_STOP_WORDS],
    dimensions,
  }),
);

interface Reference {
  seconds: number[];
  cpuSeconds: number[];
  peakRssMiB: number;
  tfidfShape: [number, number];
  tfidfNnz: number;
  singularValues: number[];
  capturedFrobenius: number;
  explainedVarianceRatio: number;
}

async function runReference(): Promise<Reference> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["bench/lsa_reference.py", input],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("bench/lsa_reference.py failed (see its output above)");
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

await useFastBackend(); // wasm start-up is not part of the timing (like Python's imports)
const ours: number[] = [];
const oursCpu: number[] = [];
const refs: Reference[] = [];
let lsa: LsaEmbedder | null = null;
let embedding = null;
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  lsa = new LsaEmbedder({ dimensions, nIter });
  await lsa.fit(trainTexts);
  embedding = await lsa.embed(texts, { progress: false });
  ours.push((performance.now() - t0) / 1000);
  const c1 = process.cpuUsage(c0);
  oursCpu.push((c1.user + c1.system) / 1e6);
  let line = `repeat ${r + 1}: ours ${ours[r].toFixed(2)} s (CPU ${oursCpu[r].toFixed(2)} s)`;
  if (withReference) {
    refs.push(await runReference());
    line += `, scikit-learn ${refs[r].seconds[0].toFixed(2)} s (CPU ${
      refs[r].cpuSeconds[0].toFixed(2)
    } s)`;
  }
  console.log(line);
}
const peak = peakRssMiB();
await Deno.remove(input);

// Quality: share of the training TF-IDF matrix captured by the SVD.
const x = new TfidfVectorizer().fitTransform(trainTexts);
let frob = 0;
for (const v of x.data) frob += v * v;
const s = lsa!.singularValues;
let captured = 0;
for (const v of s) captured += v * v;
// Explained variance ratio as scikit-learn defines it: variance of X·Vᵀ columns / total variance.
const proj = csrMatMul(x, {
  rows: x.cols,
  cols: dimensions,
  data: (() => {
    const c = lsa!.components;
    const t = new Float32Array(c.cols * c.rows);
    for (let j = 0; j < c.rows; j++) {
      for (let i = 0; i < c.cols; i++) t[i * c.rows + j] = c.data[j * c.cols + i];
    }
    return t;
  })(),
});
const colVar = (get: (j: number) => Float64Array, ncols: number, n: number) => {
  let total = 0;
  for (let j = 0; j < ncols; j++) {
    const [sum, sumSq] = get(j);
    total += sumSq / n - (sum / n) ** 2;
  }
  return total;
};
const xSums = new Float64Array(x.cols * 2);
for (let k = 0; k < x.data.length; k++) {
  xSums[x.indices[k] * 2] += x.data[k];
  xSums[x.indices[k] * 2 + 1] += x.data[k] * x.data[k];
}
const zSums = new Float64Array(dimensions * 2);
for (let i = 0; i < proj.rows; i++) {
  for (let j = 0; j < dimensions; j++) {
    const v = proj.data[i * dimensions + j];
    zSums[j * 2] += v;
    zSums[j * 2 + 1] += v * v;
  }
}
const evr = colVar((j) => zSums.subarray(j * 2, j * 2 + 2), dimensions, x.rows) /
  colVar((j) => xSums.subarray(j * 2, j * 2 + 2), x.cols, x.rows);

const fmt = (xs: ArrayLike<number>) => Array.from(xs, (v) => v.toFixed(4)).join(", ");
console.log(`\nTF-IDF (ours): ${x.rows}×${x.cols}, ${x.indptr[x.rows]} non-zeros`);
console.log(`embedding: ${embedding!.rows}×${embedding!.cols}`);
console.log(
  `ours:         median ${median(ours).toFixed(2)} s (${fmt(ours)}), CPU ${
    median(oursCpu).toFixed(2)
  } s, peak RSS ${peak.toFixed(0)} MiB (whole process)`,
);
console.log(`  singular values top ${fmt(s.subarray(0, 5))} … last ${fmt(s.subarray(-3))}`);
console.log(
  `  captured ‖X_k‖²/‖X‖² ${(captured / frob).toFixed(4)}, explained variance ratio ${
    evr.toFixed(4)
  }`,
);
if (withReference) {
  const ref = refs[refs.length - 1];
  const refTimes = refs.map((r) => r.seconds[0]);
  const rs = ref.singularValues;
  console.log(
    `scikit-learn: median ${median(refTimes).toFixed(2)} s (${fmt(refTimes)}), CPU ${
      median(refs.map((r) => r.cpuSeconds[0])).toFixed(2)
    } s, peak RSS ${ref.peakRssMiB.toFixed(0)} MiB; TF-IDF ${
      ref.tfidfShape.join("×")
    }, ${ref.tfidfNnz} non-zeros` +
      (sklearnStopWords ? " (scikit-learn's stop words)" : " (our stop words)"),
  );
  console.log(`  singular values top ${fmt(rs.slice(0, 5))} … last ${fmt(rs.slice(-3))}`);
  console.log(
    `  captured ${ref.capturedFrobenius.toFixed(4)}, explained variance ratio ${
      ref.explainedVarianceRatio.toFixed(4)
    }`,
  );
  if (rs.length === s.length) {
    let maxRel = 0;
    for (let i = 0; i < s.length; i++) maxRel = Math.max(maxRel, Math.abs(s[i] - rs[i]) / rs[i]);
    console.log(
      `  max relative singular value difference ours vs scikit-learn: ${maxRel.toFixed(4)}`,
    );
  }
  console.log(
    `time ratio ours / scikit-learn (medians): ${(median(ours) / median(refTimes)).toFixed(2)}`,
  );
}
