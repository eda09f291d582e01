// Points node_modules/.bin/deno at the deno package's JavaScript launcher (bin.cjs) instead of
// the native binary. `deno task` runs a node_modules/.bin entry named deno as a script, so a
// binary there breaks every task that calls deno; the launcher works for both npx and deno task.
"use strict";
const fs = require("fs");
const path = require("path");

const binDir = path.join(__dirname, "..", "node_modules", ".bin");
const launcher = path.join(__dirname, "..", "node_modules", "deno", "bin.cjs");
if (process.platform !== "win32" && fs.existsSync(launcher) && fs.existsSync(binDir)) {
  const link = path.join(binDir, "deno");
  try {
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.relative(binDir, launcher), link);
  } catch (err) {
    console.warn(`could not relink ${link}: ${err.message}`);
  }
}
