/**
 * Atomic file writes: write a temporary file beside the target, then rename it into place, so a
 * crash never leaves a half-written file where a finished one is expected.
 *
 * @module
 */

import { dirname } from "node:path";

/**
 * Writes bytes or text to `path` atomically (temp file in the same folder, then rename).
 * Creates the parent folder when missing.
 *
 * @example
 * ```ts
 * await atomicWrite("processed_data/config.json", JSON.stringify({ ok: true }));
 * ```
 */
export async function atomicWrite(path: string, content: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    if (typeof content === "string") await Deno.writeTextFile(tmp, content);
    else await Deno.writeFile(tmp, content);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Writes a value as pretty JSON to `path` atomically.
 *
 * @example
 * ```ts
 * await atomicWriteJson("processed_data/metrics.json", { best: "lr" });
 * ```
 */
export async function atomicWriteJson(path: string, value: unknown): Promise<void> {
  await atomicWrite(path, JSON.stringify(value, null, 2) + "\n");
}
