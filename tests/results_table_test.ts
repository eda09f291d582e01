import assert from "node:assert/strict";
import { parseMetricsFile } from "../lib/pipeline/metrics_file.ts";
import { PUBLISHED_TEST_SCORES } from "../lib/report/study_reference.ts";
import {
  markdownTable,
  publishedCounterpart,
  readmeResults,
  RESULTS_END,
  RESULTS_START,
  type ResultsInput,
  resultsMarkdown,
  resultsTables,
  updateReadme,
  wrapParagraph,
} from "../lib/report/results_table.ts";

const metrics: ResultsInput = {
  best: "tfidf_logreg",
  models: {
    "random_forest": {
      f1_macro: 0.41,
      f1_micro: 0.55,
      f1_samples: 0.5,
      f1_weighted: 0.52,
      exact_match: 0.05,
      hamming_loss: 0.041,
      fit_seconds: 12.34,
    },
    "tfidf_logreg": {
      f1_macro: 0.45,
      f1_micro: 0.6,
      exact_match: 0.2,
      hamming_loss: 0.035,
      fit_seconds: 3,
    },
    "mlp | v2": { f1_macro: 0.3, f1_micro: 0.5, exact_match: 0.1 },
  },
};

function rowOf(table: string, start: string): string[] {
  const line = table.split("\n").find((l) => l.startsWith(`| ${start}`));
  assert.ok(line, `no row starting with ${start}`);
  return line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

Deno.test("published constants are the study's reported test scores", () => {
  assert.deepEqual({ ...PUBLISHED_TEST_SCORES["Logistic Regression"] }, {
    f1_macro: 0.2604,
    f1_micro: 0.5696,
    exact_match: 0.1926,
  });
  assert.deepEqual({ ...PUBLISHED_TEST_SCORES["Random Forest"] }, {
    f1_macro: 0.3783,
    f1_micro: 0.5329,
    exact_match: 0.016,
  });
  assert.ok(Object.isFrozen(PUBLISHED_TEST_SCORES["Random Forest"]));
});

Deno.test("model table lists every model best-first with all metrics and marks the selected one", () => {
  const { models } = resultsTables(metrics);
  const lines = models.split("\n");
  assert.equal(lines.length, 2 + 3);
  assert.ok(lines[2].startsWith("| **tfidf_logreg** ★"), lines[2]);
  assert.ok(lines[3].startsWith("| random_forest"));
  assert.deepEqual(rowOf(models, "random_forest"), [
    "random_forest",
    "0.4100",
    "0.5500",
    "0.5000",
    "0.5200",
    "5.00 %",
    "0.0410",
    "12.3",
  ]);
  // Missing optional metrics show a dash; a pipe in a model name is escaped.
  const mlp = rowOf(models, "mlp");
  assert.equal(mlp[0], "mlp \\| v2");
  assert.equal(mlp[3], "–");
});

Deno.test("comparison table puts ours beside the published scores with differences", () => {
  const { comparison } = resultsTables(metrics);
  assert.deepEqual(rowOf(comparison, "Logistic Regression (published)"), [
    "Logistic Regression (published)",
    "0.2604",
    "0.5696",
    "19.26 %",
  ]);
  assert.deepEqual(rowOf(comparison, "**tfidf_logreg**"), [
    "**tfidf_logreg** ★ (ours vs Logistic Regression)",
    "0.4500 (+0.1896)",
    "0.6000 (+0.0304)",
    "20.00 % (+0.74 pp)",
  ]);
  const rf = rowOf(comparison, "random_forest");
  assert.equal(rf[1], "0.4100 (+0.0317)");
  assert.equal(rf[2], "0.5500 (+0.0171)");
  assert.equal(rf[3], "5.00 % (+3.40 pp)");
  const mlp = rowOf(comparison, "mlp");
  assert.equal(mlp[1], "0.3000", "no counterpart → no difference");
});

Deno.test("counterparts can be given explicitly and are guessed from common names", () => {
  assert.equal(publishedCounterpart("LR"), "Logistic Regression");
  assert.equal(publishedCounterpart("embeddings_logistic"), "Logistic Regression");
  assert.equal(publishedCounterpart("rf_tuned"), "Random Forest");
  assert.equal(publishedCounterpart("mlp"), undefined);
  assert.equal(publishedCounterpart("transformer"), undefined, "'lr' inside a word is not LR");
  const { comparison } = resultsTables(metrics, { counterparts: { "mlp | v2": "Random Forest" } });
  assert.equal(rowOf(comparison, "mlp")[1], "0.3000 (−0.0783)");
});

Deno.test("parseMetricsFile names the broken field and the fix", () => {
  const entry = (m: object) => ({
    ...m,
    features: ["text"],
    features_id: "abc",
    hamming_loss: 0.1,
  });
  const ok = {
    best: "a",
    features_id: "abc",
    models: { a: entry({ f1_macro: 1, f1_micro: 0.5, exact_match: 0 }) },
  };
  assert.equal(parseMetricsFile(ok).best, "a");
  assert.throws(() => parseMetricsFile({ ...ok, best: "x" }), /"best" must name/);
  assert.throws(
    () =>
      parseMetricsFile({
        ...ok,
        models: { a: entry({ f1_macro: 1, f1_micro: "0.5", exact_match: 0 }) },
      }),
    /models\["a"\]\.f1_micro[\s\S]*npx deno task train/,
  );
  assert.throws(
    () =>
      parseMetricsFile({
        ...ok,
        models: {
          a: { f1_macro: 1, f1_micro: 0.5, exact_match: 0, hamming_loss: 0, features: [] },
        },
      }),
    /no features_id/,
  );
  assert.throws(() => parseMetricsFile([], { source: "m.json" }), /m\.json: expected an object/);
});

Deno.test("updateReadme replaces only the marked section and is idempotent", () => {
  const readme =
    `# Title\r\n\r\nIntro.\r\n\r\n${RESULTS_START}\r\nold table\r\n${RESULTS_END}\r\n\r\nAfter.\r\n`;
  const tables = resultsTables(metrics);
  const once = updateReadme(readme, tables);
  assert.ok(once.startsWith(`# Title\r\n\r\nIntro.\r\n\r\n${RESULTS_START}\r\n`));
  assert.ok(once.endsWith(`${RESULTS_END}\r\n\r\nAfter.\r\n`));
  assert.ok(!once.includes("old table"));
  assert.ok(/\| Logistic Regression \(published\) +\| +0\.2604 \|/.test(once));
  assert.ok(!/[^\r]\n/.test(once), "line endings stay CRLF");
  assert.equal(updateReadme(once, tables), once);
  assert.equal(updateReadme(readme, resultsMarkdown(tables)), once);
  assert.throws(() => updateReadme("# no markers", tables), /add the lines/);
  assert.throws(() => updateReadme(`${RESULTS_END}\n${RESULTS_START}`, tables), /before/);
  assert.throws(
    () => updateReadme(`${RESULTS_START}${RESULTS_END}${RESULTS_START}${RESULTS_END}`, tables),
    /more than one/,
  );
});

/** What `deno fmt` makes of a Markdown text (formatted from stdin with the project's config). */
async function denoFmt(markdown: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    cwd: new URL("..", import.meta.url),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(markdown));
  await writer.close();
  const out = await child.output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

const FIXTURE = new URL("./fixtures/metrics/readme_metrics.json", import.meta.url);

Deno.test("the README results section is generated exactly as deno fmt formats it", async () => {
  const raw = JSON.parse(await Deno.readTextFile(FIXTURE));
  const readme = `# Title\n\n${RESULTS_START}\n\nold\n\n${RESULTS_END}\n\nAfter.\n`;
  const body = readmeResults(raw, { source: "processed_data/metrics.json" });
  const generated = updateReadme(readme, body);
  assert.equal(generated, await denoFmt(generated));
  // Same numbers, same bytes.
  assert.equal(
    updateReadme(generated, readmeResults(raw, { source: "processed_data/metrics.json" })),
    generated,
  );
  assert.ok(body.includes("| **best** ★ |   0.6045 |"), "the selected model leads, aligned");
  assert.ok(body.includes("| text + categorical + metadata + credits |    1078 |"));
  assert.ok(body.endsWith("(2026-11-24T06:26:48.683Z)._"));
});

Deno.test("markdownTable pads like deno fmt, also with escaped pipes, wide values and signs", async () => {
  const table = markdownTable(
    ["Model", "F1 macro", "Exact match"],
    [["mlp \\| v2", "0.2960 (−0.0823)", "0.83 % (−0.77 pp)"], ["**lr** ★", "0.1", "1 %"], [
      "x",
      "",
      "–",
    ]],
    ["l", "r", "r"],
  );
  assert.equal(table, (await denoFmt(table + "\n")).trimEnd());
  assert.equal(table.split("\n")[1], "| --------- | ---------------: | ----------------: |");
  assert.equal(markdownTable(["a"], [], ["r"]), "|   a |\n| --: |");
});

Deno.test("deno task readme: same numbers give the same bytes; a wrong flag is named, exit 2", async () => {
  const script = new URL("../scripts/update_readme.ts", import.meta.url).pathname;
  const dir = await Deno.makeTempDir();
  const readme = `${dir}/README.md`;
  const run = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args],
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "piped",
    }).output();
  try {
    await Deno.writeTextFile(readme, `# R\n\n${RESULTS_START}\n\nold\n\n${RESULTS_END}\n`);
    const args = ["--metrics", "tests/fixtures/metrics/readme_metrics.json", "--readme", readme];
    assert.equal((await run(...args)).code, 0);
    const once = await Deno.readTextFile(readme);
    assert.ok(once.includes("| **best** ★ |   0.6045 |"));
    assert.equal(once, await denoFmt(once), "as deno fmt formats it");
    const again = await run(...args);
    assert.equal(again.code, 0);
    assert.match(new TextDecoder().decode(again.stdout), /left unchanged/);
    assert.equal(await Deno.readTextFile(readme), once);

    const bad = await run("--metric", "x.json");
    assert.equal(bad.code, 2);
    const err = new TextDecoder().decode(bad.stderr);
    assert.match(err.split("\n")[0], /^error: unknown flag --metric \(did you mean --metrics\?\)/);
    assert.ok(err.includes("Usage: deno task readme") && !err.includes("    at "), err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wrapParagraph breaks prose where deno fmt does, never inside a code span", async () => {
  const text =
    "_Generated by `deno task readme` from `some/very/long/path with spaces/metrics.json` " +
    "(2026-11-24T06:26:48.683Z), with enough words after it to need a second and a third line of " +
    "prose at one hundred columns._";
  const wrapped = wrapParagraph(text);
  assert.equal(wrapped + "\n", await denoFmt(text + "\n"));
  assert.ok(wrapped.includes("`some/very/long/path with spaces/metrics.json`"));
  assert.equal(wrapParagraph("short"), "short");
});

Deno.test("with temporal scores the README shows every model and the ablation on both splits", async () => {
  const raw = JSON.parse(await Deno.readTextFile(FIXTURE));
  // Temporal scores derived from the random ones (a model and an ablation row each lose 0.05).
  for (const m of Object.values(raw.models) as Record<string, unknown>[]) {
    const f1 = m.f1_macro as number;
    m.temporal = {
      ...m,
      f1_macro: f1 - 0.05,
      f1_micro: (m.f1_micro as number) - 0.05,
      n_train: 5661,
      n_test: 2126,
      per_genre: {},
    };
  }
  for (const r of Object.values(raw.ablation) as Record<string, unknown>[]) {
    r.temporal = { ...r, f1_macro: (r.f1_macro as number) - 0.05 };
  }
  raw.split = {
    train: 6229,
    test: 1558,
    seed: 42,
    temporal: { train: 5661, test: 2126, undated: 10, last_train_year: 2019 },
  };
  const metrics = parseMetricsFile(raw);
  const tables = resultsTables(metrics);
  const lines = tables.temporal!.split("\n");
  assert.equal(lines.length, 2 + Object.keys(raw.models).length, "one row per model");
  assert.ok(lines.slice(2).every((l) => l.includes("−0.0500")), tables.temporal!);
  const readme = `# Title\n\n${RESULTS_START}\n\nold\n\n${RESULTS_END}\n`;
  const generated = updateReadme(readme, readmeResults(raw, { source: "metrics.json" }));
  assert.equal(generated, await denoFmt(generated));
  assert.match(
    generated.replace(/\s+/g, " "),
    /trained on the 5,661 titles added through 2019 or undated, tested on the 2,126/,
  );
  const ablation = generated.slice(generated.indexOf("The ablation on both splits"));
  for (const key of [...Object.keys(raw.ablation), "text+categorical+metadata+credits"]) {
    assert.ok(ablation.includes(`| ${key.replaceAll("+", " + ")} `), key);
  }
  // Without temporal scores (older metrics.json): the tables of the random split only.
  assert.equal(
    resultsTables(parseMetricsFile(JSON.parse(await Deno.readTextFile(FIXTURE)))).temporal,
    undefined,
  );
});
