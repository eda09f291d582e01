/** Small worker-pool tasks for tests/worker_pool_test.ts. */

/** Throws with the given message. */
// deno-lint-ignore require-await
export async function fail(args: { message: string }): Promise<never> {
  throw new Error(args.message);
}

/** Each value doubled. */
// deno-lint-ignore require-await
export async function twice(args: Float32Array): Promise<Float32Array> {
  return args.map((v) => 2 * v);
}
