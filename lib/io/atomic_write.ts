/**
 * Atomic file writes: write a temporary file beside the target, then rename it into place, so a
 * crash never leaves a half-written file where a finished one is expected.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";

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

/**
 * Builds a folder as one unit: `build` fills a hidden temporary folder beside `target`, which
 * then replaces `target` by two renames. When `build` fails, or the process is interrupted with
 * Ctrl-C, the temporary folder is removed and `target` is left exactly as it was. A process killed
 * outright (SIGKILL) can leave a hidden `.NAME.partial-*` or `.NAME.old-*` folder;
 * {@linkcode recoverDir} (called here first, and by readers) tidies it and restores the previous
 * `target` when the kill fell between the two renames.
 *
 * @example
 * ```ts
 * const root = await Deno.makeTempDir();
 * await writeDirAtomically(`${root}/features`, async (tmp) => {
 *   await Deno.writeTextFile(`${tmp}/a.txt`, "one unit");
 * });
 * ```
 */
export async function writeDirAtomically(
  target: string,
  build: (tmp: string) => Promise<void>,
): Promise<void> {
  const parent = dirname(target);
  const name = basename(target);
  await Deno.mkdir(parent, { recursive: true });
  await recoverDir(target);
  const tag = `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const tmp = join(parent, `.${name}.partial-${tag}`);
  await Deno.mkdir(tmp);
  await removedOnFailure(tmp, () => build(tmp));
  const old = join(parent, `.${name}.old-${tag}`);
  const hadOld = await exists(target);
  if (hadOld) await Deno.rename(target, old);
  await Deno.rename(tmp, target);
  if (hadOld) await Deno.remove(old, { recursive: true });
}

/**
 * Tidies what an interrupted {@linkcode writeDirAtomically} left beside `target`: restores the
 * previous folder when `target` is missing, and removes unfinished temporary folders.
 * Returns what it did, one line per action (empty when there was nothing to do).
 *
 * @example
 * ```ts
 * const notes = await recoverDir("processed_data/features");
 * ```
 */
export async function recoverDir(target: string): Promise<string[]> {
  const parent = dirname(target);
  const name = basename(target);
  const partials: string[] = [];
  const olds: string[] = [];
  try {
    for await (const e of Deno.readDir(parent)) {
      if (e.name.startsWith(`.${name}.partial-`)) partials.push(join(parent, e.name));
      if (e.name.startsWith(`.${name}.old-`)) olds.push(join(parent, e.name));
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const notes: string[] = [];
  for (const p of partials) {
    if (processAlive(p)) continue;
    await Deno.remove(p, { recursive: true }).catch(() => {});
    notes.push(`removed the unfinished ${p} left by an interrupted run`);
  }
  if (!(await exists(target)) && olds.length > 0) {
    const keep = olds.sort().at(-1)!;
    await Deno.rename(keep, target);
    notes.push(`restored ${target} from ${keep} (a run was killed while replacing it)`);
  }
  for (const o of olds) {
    if (await exists(o)) {
      await Deno.remove(o, { recursive: true }).catch(() => {});
    }
  }
  return notes;
}

/**
 * Streams a file into place: `write` fills a hidden temporary file beside `path` (through the
 * open file), which is renamed over `path` when `write` resolves to true. When it resolves to
 * false (nothing worth writing), fails, or the process is interrupted with Ctrl-C, the temporary
 * file is removed and `path` is left exactly as it was. Returns what `write` returned.
 *
 * @example
 * ```ts
 * const dir = await Deno.makeTempDir();
 * await writeStreamAtomically(`${dir}/out.csv`, async (file) => {
 *   await file.write(new TextEncoder().encode("a,b\n"));
 *   return true;
 * });
 * ```
 */
export async function writeStreamAtomically(
  path: string,
  write: (file: Deno.FsFile) => Promise<boolean>,
): Promise<boolean> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${Deno.pid}.partial`);
  const keep = await removedOnFailure(tmp, async () => {
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      return await write(file);
    } finally {
      file.close();
    }
  });
  if (keep) await Deno.rename(tmp, path);
  else await Deno.remove(tmp);
  return keep;
}

/** Runs `fn`; when it fails or the process is interrupted meanwhile, `tmp` is removed. */
async function removedOnFailure<T>(tmp: string, fn: () => Promise<T>): Promise<T> {
  const remove = () => Deno.remove(tmp, { recursive: true }).catch(() => {});
  const onInterrupt = () => {
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch { /* already gone */ }
    Deno.exit(130);
  };
  const signals = Deno.build.os === "windows" ? [] : (["SIGINT", "SIGTERM"] as const);
  for (const s of signals) Deno.addSignalListener(s, onInterrupt);
  try {
    return await fn();
  } catch (err) {
    await remove();
    throw err;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onInterrupt);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * Whether the process whose pid is in a `.NAME.partial-PID-…` folder name still runs: `/proc` on
 * Linux, `ps -p` on macOS and other Unix systems, `tasklist` on Windows. When none of them can
 * answer, the process counts as running, so a folder another run may still be filling is never
 * removed (a later run that can check removes it).
 */
function processAlive(path: string): boolean {
  const pid = Number(/partial-(\d+)-/.exec(path)?.[1]);
  if (!pid || pid === Deno.pid) return false;
  if (Deno.build.os === "linux") {
    try {
      Deno.statSync(`/proc/${pid}`);
      return true;
    } catch {
      return false;
    }
  }
  try {
    if (Deno.build.os === "windows") {
      const out = new Deno.Command("tasklist", {
        args: ["/FI", `PID eq ${pid}`, "/FO", "CSV", "/NH"],
        stdout: "piped",
        stderr: "null",
      }).outputSync();
      return !out.success || new TextDecoder().decode(out.stdout).includes(`"${pid}"`);
    }
    const out = new Deno.Command("ps", {
      args: ["-p", String(pid)],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success;
  } catch {
    return true; // no way to tell here (no ps / tasklist, or no permission to run it)
  }
}
