/**
 * Fingerprints of the code a stage runs, so a stage's outputs are reused only while that code is
 * unchanged — and only that code: editing a chart does not retrain a model. Nothing is listed by
 * hand: the fingerprint covers the stage's entry module and every project module it reaches
 * through its imports (static, dynamic, re-exports, and the `new URL("./x.ts", import.meta.url)`
 * by which worker-pool tasks and workers are named; not type-only imports, which the code never
 * runs), read from the source files themselves.
 *
 * @module
 */

import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../core/sha256.ts";
import { PROJECT_ROOT } from "./project_paths.ts";

const cache = new Map<string, Promise<string>>();

/**
 * SHA-256 over the modules `entry` reaches through its imports (their paths relative to the
 * project and their contents, in path order); computed once per process and entry.
 *
 * @example
 * ```ts
 * const code = await codeFingerprint(import.meta.url); // "3f2a…"
 * ```
 */
export function codeFingerprint(entry: string | URL): Promise<string> {
  const path = fileURLToPath(entry);
  let p = cache.get(path);
  if (!p) {
    p = hashModules(path);
    cache.set(path, p);
  }
  return p;
}

async function hashModules(entry: string): Promise<string> {
  const files = await reachableModules(entry);
  const lines: string[] = [];
  for (const [file, source] of files) {
    lines.push(`${relative(PROJECT_ROOT, file)}:${await sha256Hex(source)}`);
  }
  return await sha256Hex(lines.join("\n"));
}

/**
 * The project modules `entry` (a file path) reaches through relative imports, with their
 * sources, sorted by path. Package imports (`npm:`, bare names) are outside the project and
 * pinned by the lock file.
 *
 * @example
 * ```ts
 * import { fileURLToPath } from "node:url";
 * const files = await reachableModules(fileURLToPath(import.meta.url));
 * files.has(fileURLToPath(import.meta.url)); // true
 * ```
 */
export async function reachableModules(entry: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (found.has(file)) continue;
    let source: string;
    try {
      source = await Deno.readTextFile(file);
    } catch (err) {
      throw new Error(
        `codeFingerprint: cannot read ${file}, imported by the stage's code (${err})`,
      );
    }
    found.set(file, source);
    for (const spec of relativeSpecifiers(source)) queue.push(resolve(dirname(file), spec));
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Relative module specifiers in a source file's code: comments and doc examples left out, and
 * type-only imports too (`import type … from`, erased before the code runs: they cannot change
 * what a stage computes).
 */
function relativeSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
    .replace(/\b(?:import|export)\s+type\s+(?:\{[^}]*\}|[\w$]+)\s+from\s+["'][^"']+["'];?/g, "");
  const patterns = [
    /\bfrom\s+["'](\.\.?\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.\.?\/[^"']+)["']/g,
    /\bimport\s+["'](\.\.?\/[^"']+)["']/g,
    /new URL\(\s*["'](\.\.?\/[^"']+\.ts)["']/g,
  ];
  const specs: string[] = [];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.push(m[1]);
  return specs;
}
