/**
 * A fingerprint of the project's library code, so stage outputs can be reused only while the code
 * that made them is unchanged.
 *
 * @module
 */

import { join, relative } from "node:path";
import { projectPath } from "./project_paths.ts";
import { sha256Hex } from "../core/sha256.ts";

let cached: Promise<string> | undefined;

/**
 * SHA-256 over every `.ts` file under `lib/` (paths and contents, in path order). Computed once
 * per process.
 *
 * @example
 * ```ts
 * const code = await libSourceHash(); // "3f2a…"
 * ```
 */
export function libSourceHash(): Promise<string> {
  cached ??= (async () => {
    const root = projectPath("lib");
    const files: string[] = [];
    const walk = async (dir: string) => {
      for await (const e of Deno.readDir(dir)) {
        const p = join(dir, e.name);
        if (e.isDirectory) await walk(p);
        else if (e.name.endsWith(".ts")) files.push(p);
      }
    };
    await walk(root);
    files.sort();
    const parts: string[] = [];
    for (const f of files) {
      parts.push(`${relative(root, f)}:${await sha256Hex(await Deno.readFile(f))}`);
    }
    return await sha256Hex(parts.join("\n"));
  })();
  return cached;
}
