import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Datum,
  fieldRef,
  VEGA_LITE_V5_SCHEMA,
  type VegaLiteSpec,
} from "../lib/charts/spec.ts";
import { barChart, groupedBarChart } from "../lib/charts/bar_charts.ts";
import { heatmap } from "../lib/charts/heatmap.ts";
import { lineWithBand } from "../lib/charts/line_charts.ts";
import { scatter } from "../lib/charts/scatter.ts";
import { estimateTextWidth } from "../lib/charts/text_width.ts";
import {
  chartTitle,
  compileChart,
  interactiveSpec,
  renderSvg,
  saveChart,
  showChart,
} from "../lib/charts/render.ts";
import { joinSource, type Notebook } from "../lib/jupyter/notebook_json.ts";
import { compileWithVegaLite5 } from "./support/vega_lite_5.ts";

/** Minimal XML well-formedness check for generated SVG: tags balanced, text and attributes escaped. */
function assertWellFormedSvg(svg: string): void {
  assert.ok(svg.startsWith("<svg"), "SVG must start with <svg");
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g;
  const stack: string[] = [];
  let last = 0;
  for (const m of svg.matchAll(tag)) {
    const text = svg.slice(last, m.index);
    assert.ok(!/[<>]/.test(text), `unescaped < or > in text: ${text.slice(0, 80)}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(text), `bare & in: ${text}`);
    for (const a of m[3].matchAll(/="([^"]*)"/g)) {
      assert.ok(!a[1].includes("<"), `< inside attribute: ${a[1].slice(0, 80)}`);
      assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(a[1]), `bare & in ${a[1]}`);
    }
    if (m[1]) assert.equal(stack.pop(), m[2], `unbalanced </${m[2]}>`);
    else if (!m[4]) stack.push(m[2]);
    last = m.index! + m[0].length;
  }
  assert.equal(stack.length, 0, `unclosed tags: ${stack.join(", ")}`);
  assert.equal(svg.slice(last).trim(), "", "trailing text after </svg>");
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const GENRES = [
  "International TV Shows",
  "Stand-Up Comedy & Talk Shows",
  "Children & Family Movies",
  "Spanish-Language TV Shows",
  "TV Sci-Fi & Fantasy",
  "Dramas",
  "Anime Features",
];

function specs(): Record<string, VegaLiteSpec> {
  const counts = GENRES.map((g, i) => ({ genre: g, titles: 100 + 37 * i }));
  const models = ["LR", "RF", "MLP"];
  return {
    bar: barChart(counts, {
      x: "genre",
      y: "titles",
      title: "Titles per genre",
      yTitle: "titles (count)",
      horizontal: true,
      labels: true,
    }),
    vbar: barChart(counts, { x: "genre", y: "titles", title: "Vertical bars", sort: "ascending" }),
    grouped: groupedBarChart(
      GENRES.flatMap((g, i) => models.map((m, j) => ({ genre: g, model: m, f1: (i + j) / 10 }))),
      { category: "genre", value: "f1", group: "model", title: "F1 per genre", valueTitle: "F1" },
    ),
    heat: heatmap(
      GENRES.flatMap((a, i) => GENRES.map((b, j) => ({ a, b, v: i === j ? 1 : (i + j) / 20 }))),
      { x: "a", y: "b", value: "v", title: "Co-occurrence", valueTitle: "Jaccard" },
    ),
    line: lineWithBand(
      [0.1, 0.2, 0.3, 0.4].map((t) => ({ t, m: 0.5 - t / 4, lo: 0.45 - t / 4, hi: 0.55 - t / 4 })),
      {
        x: "t",
        y: "m",
        lower: "lo",
        upper: "hi",
        title: "F1 vs threshold",
        xTitle: "threshold",
        yTitle: "F1 (mean ± std)",
        mark: { x: 0.2, label: "chosen t = 0.20" },
      },
    ),
    scatter: scatter(
      counts.map((c, i) => ({ ...c, f1: i / 10 })),
      { x: "titles", y: "f1", label: "genre", title: "F1 vs support", xScale: "log" },
    ),
  };
}

Deno.test("every builder's spec is v5, JSON-serialisable, compiles cleanly and renders its title", async () => {
  for (const [name, spec] of Object.entries(specs())) {
    assert.equal(spec.$schema, VEGA_LITE_V5_SCHEMA, name);
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, `${name} is not plain JSON`);
    const { warnings } = compileChart(spec);
    assert.deepEqual(warnings, [], `${name} compiled with warnings`);
    const svg = await renderSvg(spec);
    assertWellFormedSvg(svg);
    assert.ok(svg.includes(`>${escapeXml(chartTitle(spec))}</text>`), `${name}: title missing`);
  }
});

Deno.test("axes carry the given titles and every genre label is drawn in full", async () => {
  const svg = await renderSvg(specs().bar);
  assert.ok(svg.includes(">titles (count)</text>"));
  for (const g of GENRES) assert.ok(svg.includes(`>${escapeXml(g)}</text>`), `label ${g} missing`);
  assert.ok(!svg.includes("…"), "a label was truncated");
});

Deno.test("a 42 × 42 heatmap with long genre names keeps every label whole and apart", async () => {
  const names = Array.from(
    { length: 42 },
    (_, i) => `${String(i).padStart(2, "0")} International Stand-Up Comedy & Talk Shows`,
  );
  const cells: Datum[] = [];
  for (const a of names) for (const b of names) cells.push({ a, b, v: a === b ? 1 : 0.1 });
  const spec = heatmap(cells, { x: "a", y: "b", value: "v", title: "42 genres", cellSize: 14 });
  assert.deepEqual(compileChart(spec).warnings, []);
  const svg = await renderSvg(spec);
  assertWellFormedSvg(svg);
  assert.ok(!svg.includes("…"), "a label was truncated");
  // Column labels: rotated text; their anchor x positions must be one cell (14 px) apart.
  const xs: number[] = [];
  const ys: number[] = [];
  const re =
    /<text[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)( rotate\(270\))?[^"]*"[^>]*>(\d\d) Intern/g;
  for (const m of svg.matchAll(re)) (m[3] ? xs : ys).push(Number(m[m[3] ? 1 : 2]));
  assert.equal(xs.length, 42, "every column label drawn");
  assert.equal(ys.length, 42, "every row label drawn");
  for (const list of [xs, ys]) {
    list.sort((p, q) => p - q);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i] - list[i - 1] >= 13.9, "labels overlap");
    }
  }
  const fontSizes = [...svg.matchAll(/font-size="(\d+)px"[^>]*>\d\d Intern/g)].map((m) => +m[1]);
  assert.ok(fontSizes.every((s) => s >= 10 && s <= 14), `label font ${fontSizes[0]}px`);
  const [, w, h] = /<svg[^>]*width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
  assert.ok(w >= 42 * 14 && h >= 42 * 14, `plot too small: ${w}×${h}`);
});

Deno.test("quotes, <, > and & in titles and data values are escaped, not interpreted", async () => {
  const nasty = `Tom & Jerry's "<b>best</b>" ${"${x}"}`;
  const spec = barChart(
    [{ name: nasty, n: 3 }, { name: "a.b[0]", n: 2 }],
    {
      x: "name",
      y: "n",
      title: `Title with "quotes" & <tags>`,
      description: `<script>"x"</script>`,
    },
  );
  const svg = await renderSvg(spec);
  assertWellFormedSvg(svg);
  assert.ok(!svg.includes("<b>") && !svg.includes("<script>"));
  assert.ok(
    svg.includes(escapeXml(nasty).replace(/"/g, "&quot;")) || svg.includes(escapeXml(nasty)),
  );
  assert.ok(
    svg.includes("Title with &quot;quotes&quot; &amp; &lt;tags&gt;") ||
      svg.includes(`Title with "quotes" &amp; &lt;tags&gt;`),
  );
  assert.ok(svg.includes(">a.b[0]</text>"), "value with dots and brackets drawn literally");
});

Deno.test("field names with dots and brackets are escaped for Vega-Lite", async () => {
  assert.equal(fieldRef("f1.macro[0]"), "f1\\.macro\\[0\\]");
  const spec = barChart([{ "model.name": "lr", "f1.macro": 0.26 }, {
    "model.name": "rf",
    "f1.macro": 0.38,
  }], {
    x: "model.name",
    y: "f1.macro",
    title: "Dotted fields",
  });
  assert.deepEqual(compileChart(spec).warnings, []);
  const svg = await renderSvg(spec);
  assert.ok(svg.includes(">lr</text>") && svg.includes(">rf</text>"));
});

Deno.test("builders reject a missing title or a field that is not in the data", () => {
  assert.throws(() => barChart([{ a: "x", b: 1 }], { x: "a", y: "c", title: "t" }), /field "c"/);
  assert.throws(() => barChart([{ a: "x", b: 1 }], { x: "a", y: "b", title: " " }), /title/);
  assert.throws(
    () =>
      lineWithBand([{ t: 1, m: 1, lo: 0, hi: 2 }], {
        x: "t",
        y: "m",
        lower: "lo",
        upper: "hi",
        title: "t",
        mark: { x: NaN, label: "?" },
      }),
    /mark\.x/,
  );
});

Deno.test("threshold chart draws the band, the line and the labelled rule", async () => {
  const svg = await renderSvg(specs().line);
  assert.ok(svg.includes(">chosen t = 0.20</text>"));
  assert.ok(svg.includes('aria-roledescription="area mark"'));
  assert.ok(svg.includes('aria-roledescription="line mark"'));
  assert.ok(svg.includes('stroke-dasharray="5,4"'));
});

Deno.test("scatter labels of coinciding points are moved apart", () => {
  const spec = scatter(
    [
      { g: "Dramas", n: 10, f1: 0.5 },
      { g: "Comedies", n: 10, f1: 0.5 },
      { g: "Thrillers", n: 10, f1: 0.5 },
      { g: "Anime", n: 1000, f1: 0.1 },
    ],
    { x: "n", y: "f1", label: "g", title: "F1 vs support" },
  );
  const rows = (spec.data as { values: Record<string, unknown>[] }).values.slice(0, 3);
  const places = new Set(rows.map((r) => `${r.__label_align},${r.__label_dy}`));
  assert.equal(places.size, 3, "three labels at one point got distinct placements");
});

Deno.test("large scatter drops per-point aria labels to keep the SVG small", async () => {
  const pts = Array.from({ length: 2000 }, (_, i) => ({
    x: Math.cos(i),
    y: Math.sin(i * 1.3),
    genre: GENRES[i % GENRES.length],
  }));
  const spec = scatter(pts, {
    x: "x",
    y: "y",
    color: "genre",
    title: "Projection",
    xTitle: "PC 1",
  });
  const svg = await renderSvg(spec);
  assert.equal((svg.match(/aria-roledescription="circle"/g) ?? []).length, 0);
  // One circle per point plus one legend symbol per genre.
  const circles = svg.match(/<path[^>]*d="M[^"]*A[^"]*"[^>]*opacity="0.6"/g) ?? [];
  assert.equal(circles.length, 2000 + GENRES.length);
  for (const g of GENRES) assert.ok(svg.includes(`>${escapeXml(g)}</text>`), `legend ${g}`);
});

Deno.test("text width estimate is proportional and tighter than Vega's 0.8 em fallback", () => {
  const text = "International TV Shows";
  const w = estimateTextWidth(text, 10);
  assert.ok(w < 0.8 * 10 * text.length, "tighter than 0.8 em per char");
  assert.ok(w > 0.5 * 10 * text.length, "still generous enough for wide fonts");
  assert.ok(estimateTextWidth("WWWW", 10) > estimateTextWidth("iiii", 10) * 2);
  assert.ok(estimateTextWidth("abc", 10, { bold: true }) > estimateTextWidth("abc", 10));
});

Deno.test("showChart writes the SVG atomically and prints its path outside Jupyter", async () => {
  const dir = await Deno.makeTempDir();
  const logged: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => logged.push(a.join(" "));
  try {
    const spec = { ...specs().vbar, $schema: "https://vega.github.io/schema/vega-lite/v6.json" };
    assert.equal(await showChart(spec, { name: "vertical_bars", dir }), undefined);
    const path = join(dir, "vertical_bars.svg");
    assert.equal(await Deno.readTextFile(path), await renderSvg(spec));
    assert.ok(logged.some((l) => l.includes(path)));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["vertical_bars.svg"]);
    assert.equal(interactiveSpec(spec).$schema, VEGA_LITE_V5_SCHEMA);
    assert.equal(spec.$schema.endsWith("v6.json"), true, "input spec not mutated");
    await assert.rejects(() => showChart(spec, { name: "../escape", dir }), /invalid figure name/);
    const saved = await saveChart(spec, { name: "saved", dir });
    assert.equal(saved.path, join(dir, "saved.svg"));
    assert.equal(await Deno.readTextFile(saved.path), saved.svg);
    assert.equal(
      logged.filter((l) => l.includes("saved.svg")).length,
      0,
      "saveChart prints nothing",
    );
  } finally {
    console.log = orig;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lineChart draws one line per series and compiles", async () => {
  const { lineChart } = await import("../lib/charts/line_charts.ts");
  const { renderSvg } = await import("../lib/charts/render.ts");
  const rows = [0.1, 0.2, 0.3].flatMap((t) => [
    { threshold: t, value: t, metric: "recall" },
    { threshold: t, value: 1 - t, metric: "precision" },
  ]);
  const spec = lineChart(rows, {
    x: "threshold",
    y: "value",
    color: "metric",
    title: "Precision & recall <vs> threshold",
    mark: { x: 0.2, label: "chosen" },
  });
  const svg = await renderSvg(spec);
  if (!svg.includes("Precision &amp; recall &lt;vs&gt; threshold")) {
    throw new Error("title missing");
  }
  if (!svg.includes("chosen")) throw new Error("mark label missing");
  let threw = false;
  try {
    lineChart(rows, { x: "threshold", y: "nope", color: "metric", title: "t" });
  } catch {
    threw = true;
  }
  if (!threw) throw new Error("a missing field must throw");
});

Deno.test("every builder's interactive spec compiles cleanly with Vega-Lite 5 (JupyterLab's renderer)", async () => {
  const { lineChart } = await import("../lib/charts/line_charts.ts");
  const all = {
    ...specs(),
    lines: lineChart(
      [0.1, 0.2].flatMap((t) => ["precision", "recall"].map((m) => ({ t, v: t * 2, m }))),
      { x: "t", y: "v", color: "m", title: "Lines", mark: { x: 0.1, label: "t" } },
    ),
  };
  for (const [name, spec] of Object.entries(all)) {
    const { messages } = await compileWithVegaLite5(interactiveSpec(spec));
    assert.deepEqual(messages, [], `${name} does not compile cleanly with Vega-Lite 5`);
  }
  // The check can fail: a mark Vega-Lite 5 does not know is reported.
  const bad = await compileWithVegaLite5({
    data: { values: [{ a: 1 }] },
    mark: "sparkle",
    encoding: { x: { field: "a", type: "quantitative" } },
  });
  assert.match(bad.messages.join("\n"), /^error: /);
  const dropped = await compileWithVegaLite5({
    data: { values: [{ a: 1 }] },
    mark: "bar",
    encoding: { x: { field: "a", type: "quantitative" }, shape: { field: "a" } },
  });
  assert.notDeepEqual(dropped.messages, [], "a channel Vega-Lite 5 drops is reported");
});

Deno.test("every Vega-Lite bundle in the committed notebooks compiles cleanly with Vega-Lite 5", async () => {
  const dir = new URL("../notebooks/", import.meta.url);
  let bundles = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const nb: Notebook = JSON.parse(await Deno.readTextFile(new URL(entry.name, dir)));
    for (const [i, cell] of nb.cells.entries()) {
      for (const out of cell.outputs ?? []) {
        const spec = out.data?.["application/vnd.vegalite.v5+json"];
        if (spec === undefined) continue;
        bundles++;
        const parsed = typeof spec === "string" || Array.isArray(spec)
          ? JSON.parse(joinSource(spec))
          : spec;
        const { messages } = await compileWithVegaLite5(parsed);
        assert.deepEqual(messages, [], `${entry.name} cell ${i}: Vega-Lite 5 reports problems`);
      }
    }
  }
  assert.ok(bundles >= 5, `expected the notebooks to carry Vega-Lite bundles, found ${bundles}`);
});
