import assert from "node:assert/strict";
import { join } from "node:path";
import {
  describeError,
  executeNotebook,
  findFirstError,
  installInstructions,
  jupyterStatus,
  listNotebooks,
  parseExecutionError,
} from "../lib/jupyter/run_notebooks.ts";
import { type Notebook, stripAnsi } from "../lib/jupyter/notebook_json.ts";
import { ensureDenoKernel } from "../lib/jupyter/jupyter_setup.ts";

const FIXTURES = new URL("./fixtures/notebooks/", import.meta.url).pathname;
const status = await jupyterStatus();
// A `deno` kernel registered from another checkout that is gone cannot start: it is registered
// again for this one, as `deno task report` does (a working registration is left alone).
if (status.nbconvert && status.denoKernel) await ensureDenoKernel();
const hasJupyter = status.nbconvert && status.denoKernel;
if (!hasJupyter) {
  console.warn(
    "Skipping notebook execution tests: Jupyter nbconvert and the deno kernel are needed.\n" +
      installInstructions(status),
  );
}

async function readNotebook(name: string): Promise<Notebook> {
  return JSON.parse(await Deno.readTextFile(join(FIXTURES, name)));
}

// ---------------------------------------------------------------------------------------------
// Pure parts (no Jupyter needed)

Deno.test("findFirstError returns the first cell with an error output", () => {
  const nb: Notebook = {
    cells: [
      { cell_type: "markdown", source: "# t" },
      { cell_type: "code", source: "ok()", execution_count: 1, outputs: [] },
      {
        cell_type: "code",
        source: ["const a = 1;\n", "boom();\n"],
        execution_count: 2,
        outputs: [
          { output_type: "stream", name: "stdout", text: "before\n" },
          {
            output_type: "error",
            ename: "ReferenceError",
            evalue: "boom is not defined",
            traceback: [
              "\x1b[31mReferenceError\x1b[0m: boom is not defined",
              "    at <anonymous>:2:1",
            ],
          },
        ],
      },
      {
        cell_type: "code",
        source: "later()",
        outputs: [{ output_type: "error", ename: "X", evalue: "y" }],
      },
    ],
  };
  const err = findFirstError(nb)!;
  assert.equal(err.cellIndex, 2);
  assert.equal(err.executionCount, 2);
  assert.equal(err.ename, "ReferenceError");
  assert.equal(err.evalue, "boom is not defined");
  assert.equal(err.sourceHead, "const a = 1;\nboom();");
  assert.equal(err.traceback[0], "ReferenceError: boom is not defined");
  assert.equal(findFirstError({ cells: nb.cells.slice(0, 2) }), undefined);
  const text = describeError("notebooks/02.ipynb", err);
  assert.ok(text.includes("cell 2 (In [2])") && text.includes("│ boom();"));
  assert.ok(text.includes("ReferenceError: boom is not defined"));
});

Deno.test("parseExecutionError reads nbconvert's stderr and finds the failing cell index", async () => {
  const stderr = await Deno.readTextFile(join(FIXTURES, "failing.nbconvert_stderr.txt"));
  const input = await readNotebook("failing.ipynb");
  // Colour codes as the kernel sends them must not matter.
  const coloured = stderr.replace("RangeError:", "\x1b[31mRangeError\x1b[0m:");
  for (const text of [stderr, coloured]) {
    const err = parseExecutionError(text, input)!;
    assert.equal(err.cellIndex, 2);
    assert.equal(err.ename, "RangeError");
    assert.equal(err.evalue, "threshold <0.5> & broken");
    assert.ok(err.sourceHead.startsWith("// this cell fails\nthrow new RangeError"));
  }
  assert.equal(parseExecutionError(stderr)!.cellIndex, -1, "no input → index unknown");
  assert.equal(parseExecutionError("[NbConvertApp] all good"), undefined);
  const timeout = parseExecutionError(
    "nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed, after 60 seconds.",
  )!;
  assert.equal(timeout.ename, "CellTimeoutError");
});

Deno.test("listNotebooks picks 0*.ipynb in name order and validates --notebooks names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const f of ["02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "03_c.txt"]) {
      await Deno.writeTextFile(join(dir, f), "{}");
    }
    assert.deepEqual(await listNotebooks(dir), [join(dir, "01_a.ipynb"), join(dir, "02_b.ipynb")]);
    assert.deepEqual(await listNotebooks(dir, { only: ["02_b", "01_a.ipynb"] }), [
      join(dir, "02_b.ipynb"),
      join(dir, "01_a.ipynb"),
    ]);
    await assert.rejects(() => listNotebooks(dir, { only: ["04_x"] }), /No notebook "04_x".*01_a/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("installInstructions names the Debian packages, pip and the kernel install", () => {
  const text = installInstructions({ nbconvert: false, denoKernel: false, kernels: ["python3"] });
  assert.ok(
    text.includes("sudo apt-get update && sudo apt-get install -y --no-install-recommends"),
  );
  assert.ok(text.includes("jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel"));
  assert.ok(text.includes("pip install nbconvert nbclient ipykernel"));
  assert.ok(text.includes("npx deno jupyter --install") && text.includes("found: python3"));
  assert.equal(installInstructions({ nbconvert: true, denoKernel: true, kernels: ["deno"] }), "");
  assert.equal(stripAnsi("\x1b[1;31mX\x1b[0m"), "X");
});

Deno.test("report script rejects bad options before touching Jupyter", async () => {
  const script = new URL("../scripts/report.ts", import.meta.url).pathname;
  for (
    const args of [["--sample", "abc"], ["--sample", "5", "--inplace"], ["--bogus"], [
      "--timeout",
      "0",
    ]]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2, `exit code for ${args.join(" ")}`);
    const err = new TextDecoder().decode(out.stderr);
    assert.match(err.split("\n")[0], /^error: /, err);
    assert.ok(err.includes("Usage: deno task report") && !err.includes("    at "), err);
  }
});

// ---------------------------------------------------------------------------------------------
// Real execution (needs Jupyter and the deno kernel)

Deno.test({
  name: "executeNotebook runs a good notebook, keeping every output and passing env vars",
  ignore: !hasJupyter,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const res = await executeNotebook(join(FIXTURES, "good.ipynb"), {
        outputDir: out,
        env: { NETFLIX_SAMPLE: "123" },
      });
      assert.equal(res.ok, true, res.stderr);
      assert.equal(res.outputPath, join(out, "good.ipynb"));
      const nb: Notebook = JSON.parse(await Deno.readTextFile(res.outputPath));
      const text = (i: number) =>
        (nb.cells[i].outputs ?? []).map((o) =>
          [o.text, (o.data ?? {})["text/plain"]].flat().filter(Boolean).join("")
        ).join("");
      assert.equal(text(1), "hello from deno, sample=123\n");
      assert.equal(text(2), "2 < 3 & 4 > 1");
      assert.equal(nb.cells[1].execution_count, 1);
      assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), ["good.ipynb"]);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "executeNotebook stops at the failing cell and reports it",
  ignore: !hasJupyter,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const res = await executeNotebook(join(FIXTURES, "failing.ipynb"), { outputDir: out });
      assert.equal(res.ok, false);
      assert.equal(res.error?.cellIndex, 2);
      assert.equal(res.error?.ename, "RangeError");
      assert.equal(res.error?.evalue, "threshold <0.5> & broken");
      assert.deepEqual([...Deno.readDirSync(out)], [], "no executed copy of a failed run");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("report names an unknown flag in one line", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../scripts/report.ts", import.meta.url).pathname, "--sampel", "5"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(
    new TextDecoder().decode(out.stderr).split("\n")[0],
    /^error: unknown flag --sampel \(did you mean --sample\?\)/,
  );
});
