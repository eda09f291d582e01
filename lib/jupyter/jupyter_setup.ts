/**
 * The Jupyter pieces a checkout needs and how to get them: the Deno kernel registered for this
 * checkout (registered on demand), and the browser front end (JupyterLab or Notebook) to start on
 * the notebooks, with what to install when there is none.
 *
 * @module
 */

/** A command's exit code and output. */
export interface CapturedRun {
  /** Exit code (127 when the command is not found). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without input and captures its output; a missing command gives code 127
 * instead of throwing.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runCaptured("jupyter", ["--version"]);
 * ```
 */
export async function runCaptured(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CapturedRun> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${cmd}: not found` };
    }
    throw err;
  }
}

/** The registered Deno kernel, as `jupyter kernelspec list --json` describes it. */
export interface DenoKernelSpec {
  /** Folder of the kernel spec (`~/.local/share/jupyter/kernels/deno` for a user install). */
  resourceDir: string;
  /** The executable the kernel starts (`argv[0]` of `kernel.json`). */
  executable: string;
  /** The executable exists. */
  runnable: boolean;
}

/**
 * The registered kernel named `name` (default `deno`), or undefined when Jupyter lists none.
 *
 * @example
 * ```ts
 * const spec = await denoKernelSpec();
 * if (!spec?.runnable) console.log("the deno kernel needs registering");
 * ```
 */
export async function denoKernelSpec(name = "deno"): Promise<DenoKernelSpec | undefined> {
  const list = await runCaptured("jupyter", ["kernelspec", "list", "--json"]);
  if (list.code !== 0) return undefined;
  let spec: { resource_dir?: string; spec?: { argv?: string[] } } | undefined;
  try {
    spec = JSON.parse(list.stdout).kernelspecs?.[name];
  } catch {
    return undefined;
  }
  if (!spec) return undefined;
  const executable = spec.spec?.argv?.[0] ?? "";
  let runnable = false;
  try {
    runnable = executable !== "" && Deno.statSync(executable).isFile;
  } catch {
    runnable = false;
  }
  return { resourceDir: spec.resource_dir ?? "", executable, runnable };
}

/** What {@linkcode ensureDenoKernel} did. */
export interface KernelSetup {
  /** True when this call registered the kernel. */
  registered: boolean;
  /** Why it registered (or why not), in one sentence. */
  message: string;
  /** The kernel spec afterwards. */
  spec?: DenoKernelSpec;
}

/**
 * Registers the Deno kernel with `deno jupyter --install --force` (using the Deno that runs this
 * code, i.e. this checkout's) when Jupyter lists no `deno` kernel or its executable is gone.
 * A working registration is left alone. Throws, saying what to run, when registering fails.
 *
 * @example
 * ```ts
 * const setup = await ensureDenoKernel();
 * if (setup.registered) console.log(setup.message);
 * ```
 */
export async function ensureDenoKernel(
  options: { deno?: string; name?: string } = {},
): Promise<KernelSetup> {
  const name = options.name ?? "deno";
  const before = await denoKernelSpec(name);
  if (before?.runnable) {
    return {
      registered: false,
      message: `The Deno kernel is registered (${before.executable}).`,
      spec: before,
    };
  }
  const deno = options.deno ?? Deno.execPath();
  const res = await runCaptured(deno, ["jupyter", "--install", "--force"]);
  const after = await denoKernelSpec(name);
  if (res.code !== 0 || !after?.runnable) {
    throw new Error(
      `could not register the Deno Jupyter kernel (${deno} jupyter --install --force: ` +
        `${res.stderr.trim().split("\n").pop() || `exit code ${res.code}`}). ` +
        "Run `npx deno jupyter --install --force` in the project folder and check that " +
        "`jupyter kernelspec list` lists `deno`.",
    );
  }
  return {
    registered: true,
    message: `${
      before
        ? `The Deno kernel pointed at a missing ${before.executable}`
        : "No Deno kernel was registered"
    }; registered it for this checkout (${after.executable}, spec in ${after.resourceDir}).`,
    spec: after,
  };
}

/** A Jupyter browser front end. */
export type FrontEnd = "lab" | "notebook";

/**
 * The installed front end, JupyterLab preferred over Notebook, or undefined when neither
 * `jupyter lab --version` nor `jupyter notebook --version` runs.
 *
 * @example
 * ```ts
 * const frontEnd = await findFrontEnd(); // "lab" | "notebook" | undefined
 * ```
 */
export async function findFrontEnd(): Promise<FrontEnd | undefined> {
  for (const frontEnd of ["lab", "notebook"] as const) {
    if ((await runCaptured("jupyter", [frontEnd, "--version"])).code === 0) return frontEnd;
  }
  return undefined;
}

/** Options for {@linkcode frontEndArgs}. */
export interface FrontEndOptions {
  /** Folder the front end opens (its root directory). */
  dir: string;
  /** Port (default: Jupyter's own, 8888 or the next free one). */
  port?: number;
  /** Do not open a browser window. */
  noBrowser?: boolean;
  /** Fixed access token (default: Jupyter makes one and prints it in the URL). */
  token?: string;
  /** Add `--allow-root` (Jupyter refuses to run as root otherwise). */
  allowRoot?: boolean;
}

/**
 * The `jupyter` arguments that start `frontEnd` on `dir`. Uses the `ServerApp` settings for
 * JupyterLab and the `NotebookApp` ones for Notebook 6.
 *
 * @example
 * ```ts
 * frontEndArgs("notebook", { dir: "notebooks", port: 8890, noBrowser: true });
 * // ["notebook", "--notebook-dir=notebooks", "--port=8890", "--no-browser"]
 * ```
 */
export function frontEndArgs(frontEnd: FrontEnd, options: FrontEndOptions): string[] {
  const app = frontEnd === "lab" ? "ServerApp" : "NotebookApp";
  const args = [frontEnd, `--notebook-dir=${options.dir}`];
  if (options.port !== undefined) args.push(`--port=${options.port}`);
  if (options.noBrowser) args.push("--no-browser");
  if (options.token !== undefined) args.push(`--${app}.token=${options.token}`);
  if (options.allowRoot) args.push("--allow-root");
  return args;
}

/**
 * The first Jupyter server URL in a line of its log (the one with the token), if any.
 *
 * @example
 * ```ts
 * serverUrl("[I 10:00] http://localhost:8888/?token=abc"); // "http://localhost:8888/?token=abc"
 * ```
 */
export function serverUrl(line: string): string | undefined {
  return /\bhttps?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|[\w.-]+):\d+\/\S*/.exec(line)?.[0];
}

/**
 * What to install when no front end is found: Debian/Ubuntu, macOS and pip.
 *
 * @example
 * ```ts
 * console.error(frontEndInstructions());
 * ```
 */
export function frontEndInstructions(): string {
  return [
    "No Jupyter front end is installed (neither `jupyter lab` nor `jupyter notebook` runs).",
    "Install one, then run `npx deno task notebook` again:",
    "  Debian/Ubuntu:  sudo apt-get install -y jupyter-notebook",
    "  macOS:          brew install jupyterlab",
    "  pip:            python3 -m pip install jupyterlab",
  ].join("\n");
}
