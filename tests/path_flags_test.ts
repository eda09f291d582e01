/**
 * Every flag that takes a path is checked before any work: a folder where a file is expected, a
 * file where a folder is, a missing input — each named with its flag and path, exit 2, no stack
 * trace, and nothing written (no hidden temporary left either).
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dirFlag, inputFileFlag, outputFileFlag, UsageError } from "../lib/io/cli_args.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

Deno.test("the shared path checks name the flag, the path and the fix", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "a.csv");
    await Deno.writeTextFile(file, "x\n");
    assert.equal(inputFileFlag("input", file), file);
    assert.throws(() => inputFileFlag("input", dir), UsageError);
    assert.throws(
      () => inputFileFlag("input", dir, { example: "new.csv" }),
      new RegExp(`^UsageError: --input ${dir}: is a folder, not a file; .*--input new\\.csv`),
    );
    assert.throws(
      () => inputFileFlag("input", join(dir, "none.csv")),
      /--input .*none\.csv: no such file/,
    );
    assert.throws(
      () => inputFileFlag("input", dir, { env: "NETFLIX_CSV" }),
      /^UsageError: NETFLIX_CSV=.* \(used for --input\): is a folder/,
    );
    assert.equal(outputFileFlag("output", join(dir, "new", "p.csv")), join(dir, "new", "p.csv"));
    assert.throws(
      () => outputFileFlag("output", dir, { example: "predictions.csv" }),
      new RegExp(
        `--output ${dir}: is an existing folder; name the file to write \\(e\\.g\\. --output ${dir}/predictions\\.csv\\)`,
      ),
    );
    assert.throws(
      () => outputFileFlag("output", join(file, "p.csv")),
      /a\.csv is a file, so nothing/,
    );
    assert.throws(() => dirFlag("dir", file), /--dir .*a\.csv: is a file, not a folder/);
    assert.throws(
      () => dirFlag("dir", join(dir, "none"), { mustExist: true, hint: "run x" }),
      /no such folder; run x/,
    );
    assert.equal(dirFlag("out", join(dir, "new")), join(dir, "new"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const CASES: { script: string; args: (d: string) => string[]; pattern: RegExp }[] = [
  {
    script: "predict.ts",
    args: (d) => ["--input", d],
    pattern: /--input .*: is a folder, not a file/,
  },
  {
    script: "predict.ts",
    args: (d) => ["--input", join(d, "in.csv"), "--output", join(d, "sub")],
    pattern: /--output .*sub: is an existing folder; name the file to write/,
  },
  {
    script: "predict.ts",
    args: (d) => ["--input", join(d, "in.csv"), "--dir", join(d, "in.csv")],
    pattern: /--dir .*in\.csv: is a file, not a folder/,
  },
  { script: "preprocess.ts", args: (d) => ["--input", d], pattern: /--input .*: is a folder/ },
  {
    script: "preprocess.ts",
    args: (d) => ["--input", join(d, "in.csv"), "--out", join(d, "in.csv")],
    pattern: /--out .*in\.csv: is a file, not a folder/,
  },
  { script: "data.ts", args: (d) => ["--input", d], pattern: /--input .*: is a folder/ },
  {
    script: "data.ts",
    args: (d) => ["--input", join(d, "in.csv"), "--output", join(d, "sub")],
    pattern: /--output .*sub: is an existing folder/,
  },
  { script: "train.ts", args: (d) => ["--dir", join(d, "in.csv")], pattern: /--dir .*: is a file/ },
  {
    script: "explain.ts",
    args: (d) => ["--dir", join(d, "none")],
    pattern: /--dir .*none: no such folder; run `npx deno task train`/,
  },
  {
    script: "update_readme.ts",
    args: (d) => ["--metrics", d],
    pattern: /--metrics .*: is a folder/,
  },
  {
    script: "report.ts",
    args: (d) => ["--out", join(d, "sub")],
    pattern: /--out .*sub: is an existing folder/,
  },
];

for (const c of CASES) {
  Deno.test(`${c.script} ${c.args("DIR").join(" ")}: exit 2, names flag and path, writes nothing`, async () => {
    const d = await Deno.makeTempDir({ prefix: "path-flags-" });
    try {
      await Deno.writeTextFile(join(d, "in.csv"), "show_id,description\ns1,A story.\n");
      await Deno.mkdir(join(d, "sub"));
      const before = [...Deno.readDirSync(d)].map((e) => e.name).sort();
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(ROOT, "scripts", c.script), ...c.args(d)],
        cwd: d,
        env: { NETFLIX_CSV: "" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 2, stderr);
      assert.match(stderr, c.pattern);
      assert.doesNotMatch(stderr, /os error|\n\s+at /);
      assert.deepEqual([...Deno.readDirSync(d)].map((e) => e.name).sort(), before);
      assert.deepEqual([...Deno.readDirSync(join(d, "sub"))], []);
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  });
}
