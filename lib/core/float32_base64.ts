/**
 * Float32 arrays as base64 text (little-endian bytes), for model weights kept in JSON files.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/**
 * Encodes a float32 array as base64 of its little-endian bytes.
 *
 * @example
 * ```ts
 * const s = float32ToBase64(Float32Array.of(1, 2));
 * base64ToFloat32(s); // Float32Array [1, 2]
 * ```
 */
export function float32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

/**
 * Decodes {@linkcode float32ToBase64} output; `expected` checks the length.
 *
 * @example
 * ```ts
 * base64ToFloat32(float32ToBase64(Float32Array.of(3)), 1); // Float32Array [3]
 * ```
 */
export function base64ToFloat32(s: string, expected?: number): Float32Array {
  const b = Buffer.from(s, "base64");
  if (b.byteLength % 4 !== 0 || (expected !== undefined && b.byteLength !== expected * 4)) {
    throw new RangeError(
      `base64ToFloat32: decoded ${b.byteLength} bytes but expected ${
        expected === undefined ? "a multiple of 4" : expected * 4
      }; the saved model is truncated or was edited`,
    );
  }
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
