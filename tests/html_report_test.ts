import assert from "node:assert/strict";
import type { Notebook } from "../lib/jupyter/notebook_json.ts";
import { notebooksToHtml } from "../lib/report/html_report.ts";
import { markdownToHtml } from "../lib/report/markdown.ts";

Deno.test("markdownToHtml escapes text and renders the common constructs", () => {
  const headings: { level: number; text: string; id: string }[] = [];
  const html = markdownToHtml(
    [
      "# Results & <notes>",
      "",
      "F1 **0.52** for `a<b>` and *italic*, see [docs](https://example.org/?a=1&b=2).",
      "Bad [link](javascript:alert(1)) stays text.",
      "",
      "- one",
      "- two <i>",
      "",
      "| model | F1 |",
      "| --- | ---: |",
      "| lr \\| v1 | 0.26 |",
      "",
      "```ts",
      "if (a < b && c) {}",
      "```",
      "<script>alert('x')</script>",
    ].join("\n"),
    { idPrefix: "nb1-", headings },
  );
  assert.ok(html.includes('<h2 id="nb1-results-notes">Results &amp; &lt;notes&gt;</h2>'));
  assert.ok(html.includes("<strong>0.52</strong>") && html.includes("<em>italic</em>"));
  assert.ok(html.includes("<code>a&lt;b&gt;</code>"));
  assert.ok(html.includes('<a href="https://example.org/?a=1&amp;b=2">docs</a>'));
  assert.ok(!html.includes("javascript") && html.includes("Bad link stays text."));
  assert.ok(html.includes("<ul><li>one</li><li>two &lt;i&gt;</li></ul>"));
  assert.ok(html.includes('<td style="text-align:left">lr | v1</td>'));
  assert.ok(html.includes('<td style="text-align:right">0.26</td>'));
  assert.ok(html.includes('<code class="language-ts">if (a &lt; b &amp;&amp; c) {}</code>'));
  assert.ok(!html.includes("<script>") && html.includes("<p>&lt;script&gt;alert("));
  assert.deepEqual(headings, [{ level: 1, text: "Results & <notes>", id: "nb1-results-notes" }]);
});

Deno.test("notebooksToHtml stitches notebooks with a contents list, inline figures and escaping", () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>A&amp;B</text></svg>';
  const nb = (title: string): Notebook => ({
    cells: [
      { cell_type: "markdown", source: `# ${title}\n\n## Setup` },
      {
        cell_type: "code",
        source: 'console.log("<b>hi</b>")',
        execution_count: 1,
        outputs: [
          { output_type: "stream", name: "stdout", text: ["<b>hi</b> & \x1b[33m42\x1b[39m\n"] },
          {
            output_type: "display_data",
            data: {
              "image/svg+xml": svg,
              "application/vnd.vegalite.v5+json": { mark: "bar" },
              "text/plain": 'Chart "x" <y>',
            },
          },
          { output_type: "execute_result", data: { "text/plain": "1 < 2" }, execution_count: 1 },
          { output_type: "display_data", data: { "text/markdown": "**done** <ok>" } },
        ],
      },
    ],
  });
  const html = notebooksToHtml(
    [
      { name: "01_a<b>.ipynb", notebook: nb("Load & clean"), seconds: 1.5 },
      { name: "02_b.ipynb", notebook: nb("Load & clean") },
    ],
    { title: "Report <1>", notes: ['sample "50"'] },
  );
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.includes("<title>Report &lt;1&gt;</title>"));
  assert.ok(html.includes("sample &quot;50&quot;"));
  // Contents: both notebooks and their headings, with ids unique across notebooks.
  assert.ok(html.includes('<a href="#nb1-top">01_a&lt;b&gt;.ipynb</a>'));
  assert.ok(html.includes('href="#nb1-load-clean"') && html.includes('href="#nb2-load-clean"'));
  assert.ok(html.includes('id="nb1-setup"') && html.includes('id="nb2-setup"'));
  assert.ok(html.includes("executed in 1.5 s"));
  // Code and outputs are escaped, ANSI colours removed.
  assert.ok(html.includes("console.log(&quot;&lt;b&gt;hi&lt;/b&gt;&quot;)"));
  assert.ok(html.includes("&lt;b&gt;hi&lt;/b&gt; &amp; 42\n"));
  assert.ok(!html.includes("\x1b"));
  assert.ok(html.includes('<pre class="result">1 &lt; 2</pre>'));
  assert.ok(html.includes("<strong>done</strong> &lt;ok&gt;"));
  // The SVG is embedded as a data URI (isolated from the page), its title as alt text.
  const b64 = btoa(svg);
  assert.ok(
    html.includes(`alt="Chart &quot;x&quot; &lt;y&gt;" src="data:image/svg+xml;base64,${b64}"`),
  );
  assert.ok(!html.includes("<svg") && !html.includes('"mark"'));
  assert.ok(!/<b>hi/.test(html), "no unescaped markup from outputs");
});
