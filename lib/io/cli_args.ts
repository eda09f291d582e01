/**
 * Command-line flags for the `deno task` scripts: one parser that names an unknown flag or a
 * flag without its value in one line, and one runner that turns user errors into a message and
 * an exit code instead of a stack trace.
 *
 * - {@linkcode UsageError} (a wrong flag, a bad flag value): the message, the usage, exit 2.
 * - any other `Error`: `error: <message>`, exit 1 (set `NETFLIX_DEBUG=1` for the stack).
 *
 * @module
 */

/** One flag a command accepts. */
export interface FlagSpec {
  /** `"string"` takes a value (`--input PATH` or `--input=PATH`); `"boolean"` does not. */
  type: "string" | "boolean";
  /** Value when the flag is not given. */
  default?: string | boolean;
  /** One-letter alias (`-h`). */
  short?: string;
}

/** The flags of one command, by long name (without `--`). */
export type FlagSpecs = Record<string, FlagSpec>;

/** Parsed values: strings for string flags, booleans for boolean flags. */
export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]: S[K]["type"] extends "boolean" ? boolean
    : S[K]["default"] extends string ? string
    : string | undefined;
};

/** A mistake in how a command was called; {@linkcode runCommand} prints it with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` against `specs`. Unknown flags, missing or empty values (`--input=`), repeated
 * flags and stray positional arguments throw a {@linkcode UsageError} that names them and lists
 * the valid flags.
 *
 * @example
 * ```ts
 * const values = parseFlags(["--input", "a.csv", "--force"], {
 *   input: { type: "string" },
 *   force: { type: "boolean", default: false },
 * });
 * values.input; // "a.csv"
 * values.force; // true
 * ```
 */
export function parseFlags<S extends FlagSpecs>(
  args: readonly string[],
  specs: S,
): FlagValues<S> {
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    values[name] = spec.default ?? (spec.type === "boolean" ? false : undefined);
  }
  const valid = () =>
    Object.entries(specs).map(([n, s]) => `--${n}${s.type === "string" ? " VALUE" : ""}`).join(
      ", ",
    );
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(arg)) {
      const found = Object.entries(specs).find(([, s]) => s.short === arg.slice(1));
      if (!found) throw new UsageError(`unknown flag ${arg}; valid flags: ${valid()}`);
      name = found[0];
    } else {
      throw new UsageError(
        `unexpected argument "${arg}" (flags start with --); valid flags: ${valid()}`,
      );
    }
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) {
      const hint = closest(name, Object.keys(specs));
      throw new UsageError(
        `unknown flag --${name}${
          hint ? ` (did you mean --${hint}?)` : ""
        }; valid flags: ${valid()}`,
      );
    }
    if (seen.has(name)) throw new UsageError(`--${name} is given twice; give it once`);
    seen.add(name);
    if (spec.type === "boolean") {
      if (inline !== undefined) {
        throw new UsageError(`--${name} takes no value (got "--${name}=${inline}")`);
      }
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new UsageError(`--${name} needs a value (--${name} VALUE)`);
      }
      value = next;
      i++;
    }
    if (value === "") throw new UsageError(`--${name} needs a value (--${name} VALUE), got ""`);
    values[name] = value;
  }
  return values as FlagValues<S>;
}

/**
 * Parses a flag value as a whole number within bounds, or throws a {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * intFlag("sample", "1500", { min: 10 }); // 1500
 * ```
 */
export function intFlag(
  name: string,
  value: string,
  options: { min?: number; max?: number } = {},
): number {
  const x = Number(value);
  const min = options.min ?? 1;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (value.trim() === "" || !Number.isInteger(x) || x < min || x > max) {
    throw new UsageError(
      `--${name} ${value}: give a whole number ${
        max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`
      } (e.g. --${name} ${Math.max(min, 1)})`,
    );
  }
  return x;
}

/** Options for the path checks ({@linkcode inputFileFlag}, {@linkcode outputFileFlag}, …). */
export interface PathFlagOptions {
  /**
   * The environment variable the value came from instead of the flag (e.g. `NETFLIX_CSV`), so
   * the message names where to change it.
   */
  env?: string;
  /** An example of a good value, shown in the message (e.g. `data/NetFlix.csv`). */
  example?: string;
  /** What to do when the path does not exist (e.g. "run `npx deno task train` first"). */
  hint?: string;
}

/** `--name PATH`, or `NETFLIX_CSV=PATH (used for --name)` when the value came from a variable. */
function pathLabel(name: string, path: string, options: PathFlagOptions): string {
  return options.env ? `${options.env}=${path} (used for --${name})` : `--${name} ${path}`;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Checks that a flag's path names an existing file that can be read (not a folder), before any
 * work starts; otherwise throws a {@linkcode UsageError} naming the flag (or variable), the path
 * and the fix. Returns the path.
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/in.csv`, "a,b\n");
 * inputFileFlag("input", `${dir}/in.csv`); // the path
 * // inputFileFlag("input", dir) throws: --input …: is a folder, not a file; …
 * ```
 */
export function inputFileFlag(name: string, path: string, options: PathFlagOptions = {}): string {
  const label = pathLabel(name, path, options);
  const example = options.example ? ` (e.g. --${name} ${options.example})` : "";
  const info = statOrUndefined(path);
  if (!info) {
    throw new UsageError(
      `${label}: no such file; ${options.hint ?? `give the path of a file${example}`}`,
    );
  }
  if (info.isDirectory) {
    throw new UsageError(
      `${label}: is a folder, not a file; give the path of a file inside it${example}`,
    );
  }
  try {
    Deno.openSync(path, { read: true }).close();
  } catch (err) {
    throw new UsageError(`${label}: cannot be read (${(err as Error).message})`);
  }
  return path;
}

/**
 * Checks that a flag's path can receive a file, before anything is written: not an existing
 * folder, and no existing file where a parent folder would be (a missing parent folder is
 * created by the writer). Throws a {@linkcode UsageError} naming the flag, the path and the fix;
 * returns the path.
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * outputFileFlag("output", `${dir}/predictions.csv`); // the path
 * // outputFileFlag("output", dir) throws: --output …: is an existing folder; …
 * ```
 */
export function outputFileFlag(name: string, path: string, options: PathFlagOptions = {}): string {
  const label = pathLabel(name, path, options);
  const example = options.example ?? "out.csv";
  const info = statOrUndefined(path);
  if (info?.isDirectory) {
    throw new UsageError(
      `${label}: is an existing folder; name the file to write (e.g. --${name} ` +
        `${path.replace(/\/+$/, "")}/${example.split("/").at(-1)})`,
    );
  }
  checkParents(label, path);
  return path;
}

/**
 * Checks that a flag's path is a folder, or (with `mustExist: false`, the default) can become
 * one: not an existing file, and no file where a parent folder would be. Throws a
 * {@linkcode UsageError} naming the flag, the path and the fix; returns the path.
 *
 * @example
 * ```ts
 * dirFlag("dir", Deno.makeTempDirSync(), { mustExist: true }); // the path
 * ```
 */
export function dirFlag(
  name: string,
  path: string,
  options: PathFlagOptions & { mustExist?: boolean } = {},
): string {
  const label = pathLabel(name, path, options);
  const example = options.example ? ` (e.g. --${name} ${options.example})` : "";
  const info = statOrUndefined(path);
  if (info && !info.isDirectory) {
    throw new UsageError(`${label}: is a file, not a folder; give a folder${example}`);
  }
  if (!info && options.mustExist) {
    throw new UsageError(
      `${label}: no such folder; ${options.hint ?? `give an existing folder${example}`}`,
    );
  }
  if (!info) checkParents(label, path);
  return path;
}

/** Throws when a parent of `path` exists as a file (nothing could be created below it). */
function checkParents(label: string, path: string): void {
  const parts = path.split(/[\\/]+/);
  for (let k = parts.length - 1; k >= 1; k--) {
    const parent = parts.slice(0, k).join("/") || "/";
    const info = statOrUndefined(parent);
    if (!info) continue;
    if (!info.isDirectory) {
      throw new UsageError(`${label}: ${parent} is a file, so nothing can be written below it`);
    }
    return;
  }
}

/**
 * Runs a command's `main`: prints `-h`/`--help` usage, turns a {@linkcode UsageError} into its
 * message plus the usage and exit code 2, and any other error into `error: <message>` and exit
 * code 1 — never a stack trace unless `NETFLIX_DEBUG=1`.
 *
 * @example
 * ```ts
 * const USAGE = "Usage: deno task hello [--name NAME]";
 * await runCommand(USAGE, () => {
 *   const { name } = parseFlags(Deno.args, { name: { type: "string", default: "you" } });
 *   console.log(`hello ${name}`);
 * });
 * ```
 */
export async function runCommand(
  usage: string,
  main: () => Promise<void> | void,
  options: { args?: readonly string[] } = {},
): Promise<void> {
  const args = options.args ?? Deno.args;
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    return;
  }
  try {
    await main();
  } catch (err) {
    const debug = Deno.env.get("NETFLIX_DEBUG") === "1";
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${usage}`);
      Deno.exit(2);
    }
    const message = err instanceof Error ? err.message : String(err);
    console.error(`\nerror: ${message}`);
    if (debug && err instanceof Error && err.stack) console.error(err.stack);
    Deno.exit(1);
  }
}

function closest(name: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestDistance) {
      best = n;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}
