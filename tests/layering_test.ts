/**
 * The shape of `lib/`: folders are layers in the order `lib/README.md` lists them, and a file
 * may import only from its own folder or from a folder listed before it (imports point down).
 * Also: every folder has a README saying what lives there (naming each of its files), holds at
 * most 12 files, and no file is longer than 700 lines.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const LIB = fileURLToPath(new URL("../lib/", import.meta.url));
const MAX_FILES_PER_FOLDER = 12;
const MAX_LINES_PER_FILE = 700;

/** The layer order, from the numbered list of lib/README.md (`1. \`core/\` …`). */
function layerOrder(): string[] {
  const text = Deno.readTextFileSync(join(LIB, "README.md"));
  return [...text.matchAll(/^\d+\. `([a-z_]+)\/`/gm)].map((m) => m[1]);
}

function libFiles(dir = LIB): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...libFiles(path));
    else if (e.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** The top folder of a lib file (`models/forest/worker.ts` → `models`). */
function layerOf(path: string): string {
  return relative(LIB, path).split("/")[0];
}

/** Relative `.ts` specifiers a file imports (static, dynamic, re-exports, worker URLs). */
function relativeImports(source: string): string[] {
  // Code only: JSDoc examples are checked by `deno check --doc`, not here.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specs: string[] = [];
  const patterns = [
    /\bfrom\s+["'](\.\.?\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.\.?\/[^"']+)["']/g,
    /\bimport\s+["'](\.\.?\/[^"']+)["']/g,
    /new URL\(\s*["'](\.\.?\/[^"']+\.ts)["']/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.push(m[1]);
  return specs;
}

Deno.test("lib/README.md lists every lib folder once, in layer order", () => {
  const order = layerOrder();
  assert.equal(new Set(order).size, order.length, "a folder is listed twice");
  const folders = [...Deno.readDirSync(LIB)].filter((e) => e.isDirectory).map((e) => e.name);
  assert.deepEqual([...folders].sort(), [...order].sort());
  assert.deepEqual(libFiles().filter((f) => dirname(f) === resolve(LIB)), [], "files at lib/ top");
});

/** Imports that point up a layer or out of lib/, for files given as path → source. */
function upwardImports(files: Map<string, string>, order: string[]): string[] {
  const upward: string[] = [];
  for (const [file, source] of files) {
    const from = order.indexOf(layerOf(file));
    for (const spec of relativeImports(source)) {
      const rel = relative(LIB, resolve(dirname(file), spec));
      if (rel.startsWith("..")) {
        upward.push(`${relative(LIB, file)} imports ${spec}, outside lib/`);
      } else if (order.indexOf(layerOf(join(LIB, rel))) > from) {
        upward.push(`${relative(LIB, file)} (${layerOf(file)}) imports ${rel}`);
      }
    }
  }
  return upward;
}

Deno.test("imports in lib/ point down the layers, never up", () => {
  const files = new Map(libFiles().map((f) => [f, Deno.readTextFileSync(f)]));
  const upward = upwardImports(files, layerOrder());
  assert.deepEqual(upward, [], `imports that point up a layer:\n${upward.join("\n")}`);
});

Deno.test("the layering check fails on an import that points up, not on examples or same-layer ones", () => {
  const files = new Map([
    [join(LIB, "core/a.ts"), 'import { x } from "../pipeline/train_stage.ts";'],
    [join(LIB, "models/b.ts"), 'import { y } from "./forest/c.ts";\nimport "../core/a.ts";'],
    [join(LIB, "models/forest/c.ts"), 'export const y = () => import("../model_store.ts");'],
    [join(LIB, "io/d.ts"), '/**\n * import { z } from "../report/e.ts";\n */\nexport {};'],
    [join(LIB, "data/f.ts"), 'const w = new Worker(new URL("../charts/g.ts", import.meta.url));'],
    [join(LIB, "charts/h.ts"), 'import { v } from "../../scripts/x.ts";'],
  ]);
  assert.deepEqual(upwardImports(files, ["core", "io", "charts", "data", "models", "pipeline"]), [
    "core/a.ts (core) imports pipeline/train_stage.ts",
    "charts/h.ts imports ../../scripts/x.ts, outside lib/",
  ]);
});

Deno.test("every lib folder has a README, at most 12 files, and files of at most 700 lines", () => {
  const problems: string[] = [];
  const visit = (dir: string) => {
    const entries = [...Deno.readDirSync(dir)];
    const files = entries.filter((e) => e.isFile && e.name.endsWith(".ts"));
    if (dir !== resolve(LIB)) {
      let readme = "";
      try {
        readme = Deno.readTextFileSync(join(dir, "README.md"));
      } catch {
        problems.push(`${relative(LIB, dir)}/ has no README.md`);
      }
      for (const f of files) {
        if (readme && !readme.includes(`\`${f.name}\``)) {
          problems.push(`${relative(LIB, dir)}/README.md does not list ${f.name}`);
        }
      }
    }
    if (files.length > MAX_FILES_PER_FOLDER) {
      problems.push(`${relative(LIB, dir)}/ holds ${files.length} files`);
    }
    for (const f of files) {
      const lines = Deno.readTextFileSync(join(dir, f.name)).split("\n").length - 1;
      if (lines > MAX_LINES_PER_FILE) {
        problems.push(`${relative(LIB, join(dir, f.name))} has ${lines} lines`);
      }
    }
    for (const e of entries) if (e.isDirectory) visit(join(dir, e.name));
  };
  visit(resolve(LIB));
  assert.deepEqual(problems, []);
});

/**
 * Import circles among files of the same folder (a folder's sub-folders count as part of it),
 * each as its files in a cycle, e.g. `pipeline/a.ts → pipeline/b.ts → pipeline/a.ts`.
 */
function importCircles(files: Map<string, string>): string[] {
  const edges = new Map<string, string[]>();
  for (const [file, source] of files) {
    const targets = relativeImports(source)
      .map((spec) => resolve(dirname(file), spec))
      .filter((t) => files.has(t) && layerOf(t) === layerOf(file));
    edges.set(file, [...new Set(targets)]);
  }
  // Tarjan's strongly connected components; a component of two or more files is a circle.
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), circles: string[] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next), low.set(v, next++), stack.push(v), onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do component.push(w = stack.pop()!), onStack.delete(w); while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) {
        circles.push(component.map((f) => relative(LIB, f)).sort().join(" ↔ "));
      }
    }
  };
  for (const f of [...files.keys()].sort()) if (!index.has(f)) visit(f);
  return circles.sort();
}

Deno.test("no import circle inside a lib folder", () => {
  const files = new Map(libFiles().map((f) => [f, Deno.readTextFileSync(f)]));
  const circles = importCircles(files);
  assert.deepEqual(circles, [], `files that import each other:\n${circles.join("\n")}`);
});

Deno.test("the circle check finds a circle inside a folder, not a chain or one across folders", () => {
  const files = new Map([
    [join(LIB, "pipeline/a.ts"), 'import { b } from "./b.ts";'],
    [join(LIB, "pipeline/b.ts"), 'import { c } from "./c.ts";\nimport "../core/x.ts";'],
    [join(LIB, "pipeline/c.ts"), 'export const c = () => import("./a.ts");'],
    [join(LIB, "pipeline/d.ts"), 'import { a } from "./a.ts";'],
    [join(LIB, "models/e.ts"), 'const w = new URL("./forest/f.ts", import.meta.url);'],
    [join(LIB, "models/forest/f.ts"), 'import { e } from "../e.ts";'],
    [join(LIB, "core/x.ts"), "export {};"],
    [join(LIB, "core/y.ts"), '/**\n * import { y } from "./y.ts";\n */\nexport {};'],
  ]);
  assert.deepEqual(importCircles(files), [
    "models/e.ts ↔ models/forest/f.ts",
    "pipeline/a.ts ↔ pipeline/b.ts ↔ pipeline/c.ts",
  ]);
});
