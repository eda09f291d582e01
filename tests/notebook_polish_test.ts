import assert from "node:assert/strict";
import { joinSource, type Notebook, stripAnsi } from "../lib/jupyter/notebook_json.ts";

const DIR = new URL("../notebooks/", import.meta.url);

async function notebooks(): Promise<[string, Notebook][]> {
  const out: [string, Notebook][] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (entry.name.endsWith(".ipynb")) {
      out.push([entry.name, JSON.parse(await Deno.readTextFile(new URL(entry.name, DIR)))]);
    }
  }
  assert.ok(out.length >= 5, "the five notebooks are there");
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

Deno.test("committed notebooks show no empty Out[n] and no stray true/undefined results", async () => {
  for (const [name, nb] of await notebooks()) {
    nb.cells.forEach((cell, i) => {
      for (const out of cell.outputs ?? []) {
        if (out.output_type !== "execute_result") continue;
        const data = out.data ?? {};
        assert.notDeepEqual(Object.keys(data), [], `${name} cell ${i}: an empty Out[n]`);
        const plain = stripAnsi(joinSource(data["text/plain"])).trim();
        assert.ok(
          !["true", "false", "undefined", "null", "{}"].includes(plain),
          `${name} cell ${i}: a stray "${plain}" result`,
        );
      }
    });
  }
});

Deno.test("a notebook cell that displays something shows no result after it", async () => {
  for (const [name, nb] of await notebooks()) {
    nb.cells.forEach((cell, i) => {
      const outs = cell.outputs ?? [];
      const lastDisplay = outs.findLastIndex((o) => o.output_type === "display_data");
      const result = outs.findIndex((o) => o.output_type === "execute_result");
      assert.ok(
        lastDisplay < 0 || result < 0,
        `${name} cell ${i}: a result follows the display`,
      );
    });
  }
});

Deno.test("notebook cells carry no type casts that silence the checker", async () => {
  for (const [name, nb] of await notebooks()) {
    nb.cells.forEach((cell, i) => {
      if (cell.cell_type !== "code") return;
      const source = joinSource(cell.source);
      for (const cast of [/\bas never\b/, /\bas unknown\b/, /\bas any\b/, /<any>/]) {
        assert.ok(!cast.test(source), `${name} cell ${i}: ${cast.source} in the source`);
      }
    });
  }
});

Deno.test("committed notebooks name where their charts stay, never a report run's temporary folder", async () => {
  for (const [name, nb] of await notebooks()) {
    nb.cells.forEach((cell, i) => {
      for (const out of cell.outputs ?? []) {
        const plain = joinSource((out.data ?? {})["text/plain"]);
        assert.ok(!/\.partial-|\.old-/.test(plain), `${name} cell ${i}: "${plain}"`);
      }
    });
  }
});
