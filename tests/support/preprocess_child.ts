/**
 * Runs preprocess on `Deno.args[0]` into `Deno.args[1]`, printing `WROTE <file>` after each file
 * it writes and then waiting a little, so a test can kill it in the middle of its writes.
 *
 * @module
 */

import { runPreprocess } from "../../lib/pipeline/preprocess.ts";

const [input, outDir] = Deno.args;
await runPreprocess({
  input,
  outDir,
  embedder: "lsa",
  dimensions: 6,
  verbose: false,
  onFileWritten: (name) => {
    console.log(`WROTE ${name}`);
    const until = Date.now() + 200;
    while (Date.now() < until) { /* give the test time to kill us mid-write */ }
  },
});
