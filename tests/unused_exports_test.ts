/**
 * Nothing exported from `lib/` is unused: every name a lib file exports is imported by another
 * file — in lib, scripts, bench, tests, or a notebook's code cells. Imports are read from the
 * code (comments, and so JSDoc examples, do not count): named imports and re-exports, namespace
 * imports (`ns.name`), and dynamic `import("…")` (a name counts when the importing file uses it).
 *
 * A type or interface declared in a file and used in that file's signatures (an options object,
 * a result shape) counts as used: un-exporting it would hide part of a public signature. A
 * re-export (`export { … }`) counts only when something imports it from there.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const LIB = join(ROOT, "lib");
const NOTEBOOKS = join(ROOT, "notebooks");

function walk(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory && e.name !== "node_modules" && e.name !== "fixtures") {
      out.push(...walk(path, ext));
    } else if (e.isFile && e.name.endsWith(ext)) out.push(path);
  }
  return out.sort();
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

interface Export {
  name: string;
  isType: boolean;
  /** Listed in `export { … }` (a re-export or a list), not a declaration. */
  listed?: boolean;
}

/** Names a module exports (declarations and `export { … }` lists). */
function exportsOf(code: string): Export[] {
  const out: Export[] = [];
  const decl =
    /^export\s+(?:declare\s+)?(?:async\s+)?(function\*?|class|const|let|var|type|interface|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/gm;
  for (const m of code.matchAll(decl)) {
    out.push({ name: m[2], isType: m[1] === "type" || m[1] === "interface" });
  }
  for (const m of code.matchAll(/^export\s+(type\s+)?\{([^}]*)\}/gm)) {
    for (const part of m[2].split(",").map((p) => p.trim()).filter(Boolean)) {
      const isType = !!m[1] || part.startsWith("type ");
      const name = part.replace(/^type\s+/, "").split(/\s+as\s+/).pop()!.trim();
      out.push({ name, isType, listed: true });
    }
  }
  return out;
}

interface Usage {
  /** Module path → names imported from it ("*" = any name the importer uses). */
  names: Map<string, Set<string>>;
}

function record(usage: Usage, target: string, names: Iterable<string>): void {
  const set = usage.names.get(target) ?? new Set<string>();
  for (const n of names) set.add(n);
  usage.names.set(target, set);
}

function resolveSpec(fromDir: string, spec: string): string {
  const direct = resolve(fromDir, spec);
  try {
    Deno.statSync(direct);
    return direct;
  } catch {
    // Import lines a test writes into a scratch notebook resolve from notebooks/.
    const fromNotebooks = resolve(NOTEBOOKS, spec);
    try {
      Deno.statSync(fromNotebooks);
      return fromNotebooks;
    } catch {
      return direct;
    }
  }
}

/** Records what `code` (living in `fromDir`) imports from relative `.ts` modules. */
function collectImports(code: string, fromDir: string, usage: Usage): void {
  const stmt =
    /\b(?:import|export)\s+(type\s+)?([^;'"]*?)\s+from\s+(\\?["'])(\.\.?\/[^"'\\]+\.ts)\3/g;
  for (const m of code.matchAll(stmt)) {
    const target = resolveSpec(fromDir, m[4]);
    const clause = m[2];
    const names: string[] = [];
    const braces = /\{([^}]*)\}/.exec(clause);
    if (braces) {
      for (const part of braces[1].split(",").map((p) => p.trim()).filter(Boolean)) {
        names.push(part.replace(/^type\s+/, "").split(/\s+as\s+/)[0].trim());
      }
    }
    const ns = /\*\s+as\s+([A-Za-z_$][\w$]*)/.exec(clause);
    if (ns) {
      for (const u of code.matchAll(new RegExp(`\\b${ns[1]}\\.([A-Za-z_$][\\w$]*)`, "g"))) {
        names.push(u[1]);
      }
    }
    if (/^\*$/.test(clause.trim())) names.push("*"); // export * from
    record(usage, target, names);
  }
  for (const m of code.matchAll(/\bimport\(\s*(\\?["'])(\.\.?\/[^"'\\]+\.ts)\1\s*\)/g)) {
    const words = new Set(code.match(/[A-Za-z_$][\w$]*/g) ?? []);
    record(usage, resolveSpec(fromDir, m[2]), words);
  }
}

/**
 * Exports a module names as worker-pool tasks (`{ module: import.meta.url, name: "f" }`): a
 * worker imports them by name.
 */
function taskNames(code: string): string[] {
  const re = /\{\s*module:\s*import\.meta\.url,\s*name:\s*"([A-Za-z_$][\w$]*)"\s*\}/g;
  return [...code.matchAll(re)].map((m) => m[1]);
}

function notebookCode(path: string): string {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  return (nb.cells ?? [])
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { source: string | string[] }) =>
      Array.isArray(c.source) ? c.source.join("") : c.source
    )
    .join("\n");
}

/** Exported names of lib/ that nothing imports, as `file: name`. */
function unusedExports(): string[] {
  const usage: Usage = { names: new Map() };
  const sources = ["lib", "scripts", "bench", "tests"].flatMap((d) => walk(join(ROOT, d), ".ts"));
  for (const file of sources) {
    const code = stripComments(Deno.readTextFileSync(file));
    collectImports(code, dirname(file), usage);
    record(usage, file, taskNames(code));
  }
  for (const nb of walk(NOTEBOOKS, ".ipynb")) {
    collectImports(stripComments(notebookCode(nb)), NOTEBOOKS, usage);
  }
  const unused: string[] = [];
  for (const file of walk(LIB, ".ts")) {
    const code = stripComments(Deno.readTextFileSync(file));
    const used = usage.names.get(file) ?? new Set<string>();
    for (const ex of exportsOf(code)) {
      if (used.has(ex.name) || used.has("*")) continue;
      if (ex.isType && !ex.listed) {
        // Used in the file's own code beyond its declaration: part of a public signature.
        const uses = code.match(new RegExp(`\\b${ex.name.replace(/\$/g, "\\$")}\\b`, "g")) ?? [];
        if (uses.length > 1) continue;
      }
      unused.push(`${relative(LIB, file)}: ${ex.name}`);
    }
  }
  return unused;
}

Deno.test("every name exported from lib/ is imported somewhere", () => {
  const unused = unusedExports();
  assert.deepEqual(unused, [], `exported but never imported:\n${unused.join("\n")}`);
});

Deno.test("the unused-export check reads the import forms the project uses", () => {
  const usage: Usage = { names: new Map() };
  collectImports(
    [
      'import { a, type B, c as d } from "./m.ts";',
      'import * as ns from "./n.ts"; ns.e();',
      'export { f } from "./m.ts";',
      'const load = () => import("./p.ts").then((m) => m.G);',
    ].join("\n"),
    "/x",
    usage,
  );
  assert.deepEqual([...usage.names.get("/x/m.ts")!].sort(), ["B", "a", "c", "f"]);
  assert.deepEqual([...usage.names.get("/x/n.ts")!], ["e"]);
  assert.ok(usage.names.get("/x/p.ts")!.has("G"));
  assert.deepEqual(
    taskNames('export const T: TaskRef = { module: import.meta.url, name: "fitSpec" };'),
    ["fitSpec"],
  );
  assert.deepEqual(
    exportsOf("export const a = 1;\nexport async function b() {}\nexport { c, type D as E };"),
    [
      { name: "a", isType: false },
      { name: "b", isType: false },
      { name: "c", isType: false, listed: true },
      { name: "E", isType: true, listed: true },
    ],
  );
});
