/**
 * Switches @tensorflow/tfjs to its WebAssembly back end, which runs dense matrix products
 * ~30× faster than the default pure-JavaScript `cpu` back end on this project's machines.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

let pending: Promise<void> | null = null;

/**
 * Makes `wasm` the active tfjs back end; safe to call any number of times (later calls await
 * the first one).
 *
 * @example
 * ```ts
 * import { useFastBackend } from "./tf_backend.ts";
 * await useFastBackend();
 * ```
 */
export function useFastBackend(): Promise<void> {
  if (pending === null) {
    pending = (async () => {
      if (tf.getBackend() !== "wasm") {
        const ok = await tf.setBackend("wasm");
        if (!ok) {
          throw new Error(
            "useFastBackend: tfjs could not start its wasm back end; check that " +
              "node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm is installed (deno task deps)",
          );
        }
      }
      await tf.ready();
    })();
    pending.catch(() => {
      pending = null;
    });
  }
  return pending;
}
