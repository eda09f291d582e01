/**
 * Atomic file writes: write a temporary file beside the target, then rename it into place, so a
 * crash never leaves a half-written file where a finished one is expected.
 *
 * Every temporary file or folder is named `.NAME.partial-PID-RANDOM` (a folder being replaced is
 * moved aside as `.NAME.old-PID-RANDOM`): hidden, recognisable, and owned by the process `PID`.
 * A process killed outright (SIGKILL, a power cut) cannot remove its own, so every write first
 * tidies the folder it writes into ({@linkcode removeStaleTemporaries}): temporaries whose owner
 * is gone are removed (a `.old` one is put back when its target is missing), those of a running
 * process — this one included — are never touched.
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
  await prepareFileTarget(path);
  const tmp = temporaryPath(path, "partial");
  try {
    if (typeof content === "string") await Deno.writeTextFile(tmp, content);
    else await Deno.writeFile(tmp, content);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** `.NAME.partial-PID-RANDOM` (or `.old-`) beside `target`, owned by this process. */
function temporaryPath(target: string, kind: "partial" | "old", tag?: string): string {
  const id = tag ?? `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  return join(dirname(target), `.${basename(target)}.${kind}-${id}`);
}

/**
 * Before a file is written at `path`: refuses a path that is a folder (naming it, before
 * anything is written), creates the parent folder, and tidies stale temporaries there.
 */
async function prepareFileTarget(path: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (info?.isDirectory) {
    throw new Deno.errors.IsADirectory(
      `${path} is a folder, so no file can be written there; name a file (e.g. ` +
        `${join(path, "out.csv")}). Nothing was written.`,
    );
  }
  await Deno.mkdir(dirname(path), { recursive: true });
  await removeStaleTemporaries(dirname(path));
}

/** What a temporary's name says: its kind, target name and owner. */
interface Temporary {
  kind: "partial" | "old";
  target: string;
  pid: number;
}

/**
 * Reads a temporary's name: `.NAME.partial-PID-…` and `.NAME.old-PID-…`, and the names earlier
 * versions used for files (`.NAME.PID.partial`, `NAME.PID.RANDOM.tmp`); undefined for others.
 */
function parseTemporary(name: string): Temporary | undefined {
  let m = /^\.(.+)\.(partial|old)-(\d+)-[0-9a-f]{4,16}$/.exec(name);
  if (m) return { kind: m[2] as "partial" | "old", target: m[1], pid: Number(m[3]) };
  m = /^\.(.+)\.(\d+)\.partial$/.exec(name);
  if (m) return { kind: "partial", target: m[1], pid: Number(m[2]) };
  m = /^(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
  if (m) return { kind: "partial", target: m[1], pid: Number(m[2]) };
  return undefined;
}

/**
 * Removes the temporaries in `dir` that a killed process left behind (any target's: a killed
 * save of `best` is tidied by the next write of `lr` into the same folder). A temporary is stale
 * when the process in its name is no longer running; this process's own and a running
 * process's are kept. A stale `.NAME.old-…` folder is moved back to `NAME` when `NAME` is
 * missing (the kill fell between the two renames), else removed. Returns one line per action.
 *
 * @example
 * ```ts
 * const notes = await removeStaleTemporaries("processed_data/models");
 * for (const note of notes) console.log(note);
 * ```
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const found: { path: string; t: Temporary }[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const t = parseTemporary(e.name);
      if (t) found.push({ path: join(dir, e.name), t });
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const notes: string[] = [];
  // Partials first, then the newest `.old` of each target (names sort by pid, not time).
  found.sort((a, b) => (a.t.kind === b.t.kind ? 0 : a.t.kind === "partial" ? -1 : 1));
  for (const { path, t } of found) {
    if (processAlive(t.pid)) continue;
    const target = join(dir, t.target);
    if (t.kind === "old" && !(await exists(target))) {
      await Deno.rename(path, target).catch(() => {});
      notes.push(`restored ${target} from ${path} (a run was killed while replacing it)`);
      continue;
    }
    await Deno.remove(path, { recursive: true }).catch(() => {});
    notes.push(`removed the unfinished ${path} left by an interrupted run (process ${t.pid})`);
  }
  return notes;
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
  await Deno.mkdir(dirname(target), { recursive: true });
  await recoverDir(target);
  await removeStaleTemporaries(dirname(target));
  const tag = `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const tmp = temporaryPath(target, "partial", tag);
  await Deno.mkdir(tmp);
  await removedOnFailure(tmp, () => build(tmp));
  const old = temporaryPath(target, "old", tag);
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
    if (processAlive(parseTemporary(basename(p))?.pid ?? 0)) continue;
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
  await prepareFileTarget(path);
  const tmp = temporaryPath(path, "partial");
  const keep = await removedOnFailure(tmp, async () => {
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      return await write(file);
    } finally {
      file.close();
    }
  });
  try {
    if (keep) await Deno.rename(tmp, path);
    else await Deno.remove(tmp);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
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
 * Whether process `pid` (from a temporary's name) still runs: this process does; otherwise
 * `/proc` on Linux, `ps -p` on macOS and other Unix systems, `tasklist` on Windows. When none of
 * them can answer, the process counts as running, so a temporary another run may still be
 * filling is never removed (a later run that can check removes it). A pid of 0 (no pid in the
 * name) counts as gone.
 */
function processAlive(pid: number): boolean {
  if (!pid) return false;
  if (pid === Deno.pid) return true;
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
