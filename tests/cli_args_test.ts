import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { intFlag, parseFlags, UsageError } from "../lib/io/cli_args.ts";

/**
 * Every `deno task` script, called with a misspelt flag as a user might type it. Add yours:
 * `args` must fail flag parsing before the script does any work; `flag` is the word the error
 * must name.
 */
const SCRIPTS: { script: string; args: string[]; flag: string }[] = [
  { script: "scripts/data.ts", args: ["--inptu", "x"], flag: "--inptu" },
  { script: "scripts/data.ts", args: ["--force=yes"], flag: "--force" },
  { script: "scripts/clean.ts", args: ["--al"], flag: "--al" },
  { script: "scripts/clean.ts", args: ["everything"], flag: "everything" },
  {
    script: "bench/make_big_csv.ts",
    args: ["--rows", "10", "--outptu", "x.csv"],
    flag: "--outptu",
  },
  { script: "scripts/preprocess.ts", args: ["--embeder", "lsa"], flag: "--embeder" },
  { script: "scripts/preprocess.ts", args: ["--sample"], flag: "--sample" },
  { script: "scripts/train.ts", args: ["--model", "best"], flag: "--model" },
  { script: "scripts/train.ts", args: ["--models", "bset"], flag: "bset" },
  { script: "scripts/predict.ts", args: ["--inptu", "new.csv"], flag: "--inptu" },
  { script: "scripts/predict.ts", args: ["--output", "x.csv"], flag: "--input" },
];

const SPECS = {
  input: { type: "string" },
  output: { type: "string", default: "data/NetFlix.csv" },
  force: { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
} as const;

function usageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${err}`);
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test("parseFlags: values, defaults, --x=v, short aliases", () => {
  const a = parseFlags(["--input", "a.csv", "--force"], SPECS);
  assert.deepEqual(a, { input: "a.csv", output: "data/NetFlix.csv", force: true, help: false });
  const b = parseFlags(["--output=x=y.csv", "-h"], SPECS);
  assert.equal(b.output, "x=y.csv", "only the first = splits");
  assert.equal(b.input, undefined);
  assert.equal(b.help, true);
  assert.equal(parseFlags(["--input", "-"], SPECS).input, "-", "a lone dash is a value");
  assert.deepEqual(parseFlags([], SPECS).force, false);
});

Deno.test("parseFlags: an unknown flag is named, with a suggestion and the valid flags", () => {
  usageError(
    () => parseFlags(["--inptu", "a.csv"], SPECS),
    /^unknown flag --inptu \(did you mean --input\?\); valid flags: --input VALUE, --output VALUE, --force, --help$/,
  );
  usageError(() => parseFlags(["--frce"], SPECS), /did you mean --force\?/);
  usageError(() => parseFlags(["--verbose"], SPECS), /^unknown flag --verbose; valid flags/);
  usageError(() => parseFlags(["-x"], SPECS), /^unknown flag -x; valid flags/);
  usageError(() => parseFlags(["--constructor"], SPECS), /unknown flag --constructor/);
});

Deno.test("parseFlags: a missing or empty value is named", () => {
  usageError(() => parseFlags(["--input"], SPECS), /^--input needs a value \(--input VALUE\)$/);
  usageError(() => parseFlags(["--input", "--force"], SPECS), /^--input needs a value/);
  usageError(() => parseFlags(["--input="], SPECS), /^--input needs a value.*got ""/);
  usageError(() => parseFlags(["--output", ""], SPECS), /^--output needs a value/);
});

Deno.test("parseFlags: repeated flags, stray positionals and booleans with values", () => {
  usageError(() => parseFlags(["--input", "a", "--input=b"], SPECS), /^--input is given twice/);
  usageError(() => parseFlags(["--force", "--force"], SPECS), /^--force is given twice/);
  usageError(
    () => parseFlags(["--input", "a.csv", "b.csv"], SPECS),
    /^unexpected argument "b\.csv" \(flags start with --\); valid flags: --input VALUE/,
  );
  usageError(
    () => parseFlags(["--force=yes"], SPECS),
    /^--force takes no value \(got "--force=yes"\)$/,
  );
  usageError(() => parseFlags(["--force", "yes"], SPECS), /^unexpected argument "yes"/);
});

Deno.test("intFlag: whole numbers within bounds, otherwise a usage error with an example", () => {
  assert.equal(intFlag("sample", "1500", { min: 10 }), 1500);
  assert.equal(intFlag("seed", "0", { min: 0 }), 0);
  assert.equal(intFlag("folds", "10", { min: 2, max: 10 }), 10);
  usageError(() => intFlag("sample", "15.5"), /^--sample 15\.5: give a whole number of at least 1/);
  usageError(() => intFlag("sample", "abc", { min: 10 }), /of at least 10 \(e\.g\. --sample 10\)/);
  usageError(() => intFlag("sample", ""), /give a whole number/);
  usageError(() => intFlag("sample", "5", { min: 10 }), /of at least 10/);
  usageError(() => intFlag("folds", "11", { min: 2, max: 10 }), /from 2 to 10/);
  usageError(() => intFlag("sample", "Infinity"), /whole number/);
  usageError(() => intFlag("sample", "-3"), /of at least 1/);
});

const ROOT = fileURLToPath(new URL("..", import.meta.url));

for (const { script, args, flag } of SCRIPTS) {
  Deno.test(`${script} ${args.join(" ")}: exit 2, names ${flag}, shows usage, no trace`, async () => {
    // Run from an empty folder so that a script that wrongly went ahead could touch nothing here.
    const cwd = await Deno.makeTempDir();
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", `${ROOT}deno.json`, `${ROOT}${script}`, ...args],
        cwd,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 2, `exit code (stderr:\n${stderr})`);
      assert.ok(stderr.includes(flag), `stderr names ${flag}:\n${stderr}`);
      assert.match(stderr, /^error: /m);
      assert.match(stderr, /Usage: /, "shows the usage");
      assert.doesNotMatch(stderr, /^ {4}at /m, "no stack trace");
      assert.doesNotMatch(stderr, /Uncaught/);
      const left = [];
      for await (const e of Deno.readDir(cwd)) left.push(e.name);
      assert.deepEqual(left, [], "did nothing");
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  });
}
