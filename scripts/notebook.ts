/**
 * `deno task notebook`: opens the notebooks in the installed Jupyter front end (JupyterLab, else
 * Notebook), after registering the Deno kernel for this checkout when it is missing. Prints the
 * URL to open; stops with Ctrl+C. Without a front end it says what to install.
 *
 * Usage: `deno task notebook [--port N] [--no-browser]`
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { intFlag, parseFlags, runCommand } from "../lib/io/cli_args.ts";
import {
  ensureDenoKernel,
  findFrontEnd,
  frontEndArgs,
  frontEndInstructions,
  serverUrl,
} from "../lib/jupyter/jupyter_setup.ts";

const USAGE = `Usage: deno task notebook [--port N] [--no-browser]
  --port N       port for the Jupyter server (default: Jupyter's, 8888 or the next free one)
  --no-browser   only print the URL, do not open a browser
  --help         show this help`;

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const flags = parseFlags(Deno.args, {
      port: { type: "string" },
      "no-browser": { type: "boolean", default: false },
    });
    const port = flags.port === undefined ? undefined : intFlag("port", flags.port, {
      min: 1,
      max: 65535,
    });
    const frontEnd = await findFrontEnd();
    if (!frontEnd) {
      console.error(frontEndInstructions());
      Deno.exit(2);
    }
    const kernel = await ensureDenoKernel();
    if (kernel.registered) console.log(kernel.message);
    const root = fileURLToPath(new URL("../", import.meta.url));
    const allowRoot = Deno.uid?.() === 0;
    const args = frontEndArgs(frontEnd, {
      dir: "notebooks",
      port,
      noBrowser: flags["no-browser"],
      allowRoot,
    });
    const name = frontEnd === "lab" ? "JupyterLab" : "Jupyter Notebook";
    console.log(
      `Starting ${name} on notebooks/ (jupyter ${args.join(" ")})` +
        `${allowRoot ? "; --allow-root because this runs as root" : ""}. Stop it with Ctrl+C.`,
    );
    const child = new Deno.Command("jupyter", {
      args,
      cwd: root,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "piped",
    }).spawn();
    const stop = () => child.kill("SIGINT");
    Deno.addSignalListener("SIGINT", stop);
    // Jupyter logs to stderr; pass it through and point out the URL once it appears.
    let shown = false;
    const lines = child.stderr.pipeThrough(new TextDecoderStream()).values();
    let rest = "";
    for await (const chunk of lines) {
      await Deno.stderr.write(new TextEncoder().encode(chunk));
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) {
        const url = shown ? undefined : serverUrl(line);
        if (url && /token=|\/(lab|tree)/.test(url)) {
          shown = true;
          console.log(`\n${name} is running. Open: ${url}\n`);
        }
      }
    }
    const status = await child.status;
    Deno.removeSignalListener("SIGINT", stop);
    if (!status.success && status.signal !== "SIGINT") {
      throw new Error(
        `${name} exited with code ${status.code}; its log is above. ` +
          `Try \`jupyter ${frontEnd}\` by hand to see why.`,
      );
    }
  });
}
