import assert from "node:assert/strict";
import { join } from "node:path";
import {
  denoKernelSpec,
  frontEndArgs,
  frontEndInstructions,
  serverUrl,
} from "../lib/jupyter/jupyter_setup.ts";

const hasJupyter = await new Deno.Command("jupyter", { args: ["--version"], stdout: "null" })
  .output().then((o) => o.success, () => false);

const SETUP = new URL("../lib/jupyter/jupyter_setup.ts", import.meta.url).href;

/** Runs `ensureDenoKernel()` in a child whose HOME is `home` (so the user kernel folder is new). */
async function ensureIn(home: string): Promise<{ registered: boolean; message: string }> {
  const code = `import { ensureDenoKernel } from "${SETUP}";
    const r = await ensureDenoKernel();
    console.log(JSON.stringify({ registered: r.registered, message: r.message }));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { HOME: home, XDG_DATA_HOME: join(home, ".local/share") },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test({
  name: "ensureDenoKernel registers a missing or broken kernel and leaves a working one alone",
  ignore: !hasJupyter,
  async fn() {
    const home = await Deno.makeTempDir();
    try {
      const first = await ensureIn(home);
      assert.equal(first.registered, true);
      assert.match(first.message, /No Deno kernel was registered; registered it for this checkout/);
      const specFile = join(home, ".local/share/jupyter/kernels/deno/kernel.json");
      const spec = JSON.parse(await Deno.readTextFile(specFile));
      assert.equal(spec.argv[0], Deno.execPath());

      assert.equal((await ensureIn(home)).registered, false, "a working kernel is kept");

      spec.argv[0] = join(home, "gone/deno");
      await Deno.writeTextFile(specFile, JSON.stringify(spec));
      const again = await ensureIn(home);
      assert.equal(again.registered, true);
      assert.match(again.message, /pointed at a missing .*gone\/deno/);
      assert.equal(JSON.parse(await Deno.readTextFile(specFile)).argv[0], Deno.execPath());
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "denoKernelSpec reports the kernel's executable",
  ignore: !hasJupyter,
  async fn() {
    assert.equal(await denoKernelSpec("no-such-kernel-here"), undefined);
  },
});

Deno.test("frontEndArgs starts Lab or Notebook on a folder with the right app settings", () => {
  assert.deepEqual(
    frontEndArgs("notebook", { dir: "notebooks", port: 8890, noBrowser: true, token: "t" }),
    [
      "notebook",
      "--notebook-dir=notebooks",
      "--port=8890",
      "--no-browser",
      "--NotebookApp.token=t",
    ],
  );
  assert.deepEqual(frontEndArgs("lab", { dir: "nb", token: "", allowRoot: true }), [
    "lab",
    "--notebook-dir=nb",
    "--ServerApp.token=",
    "--allow-root",
  ]);
});

Deno.test("serverUrl finds the URL with its token in Jupyter's log", () => {
  assert.equal(
    serverUrl("[I 09:08:40 NotebookApp]  or http://127.0.0.1:8899/?token=b0a0 "),
    "http://127.0.0.1:8899/?token=b0a0",
  );
  assert.equal(
    serverUrl("[I 09:08:40 NotebookApp] Serving notebooks from local directory"),
    undefined,
  );
});

Deno.test("deno task notebook without a front end says what to install and exits 2", async () => {
  const empty = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../scripts/notebook.ts", import.meta.url).pathname],
      env: { PATH: empty },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2);
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(err.trim(), frontEndInstructions());
    for (
      const want of [
        "apt-get install -y jupyter-notebook",
        "brew install jupyterlab",
        "pip install jupyterlab",
      ]
    ) {
      assert.ok(err.includes(want), want);
    }
  } finally {
    await Deno.remove(empty);
  }
});
