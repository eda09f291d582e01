/**
 * Reading a JSON file with an error that names the file and says what to do.
 *
 * @module
 */

/**
 * Reads and parses a JSON file. A missing file or bad JSON throws naming the path and `hint`
 * (default: re-run `npx deno task train`).
 *
 * @example
 * ```ts
 * const meta = await readJsonFile<{ kind: string }>("processed_data/models/best/estimator.json");
 * ```
 */
export async function readJsonFile<T = never>(
  path: string,
  options: { hint?: string } = {},
): Promise<T> {
  const hint = options.hint ?? "re-run `npx deno task train`";
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "not found" : (err as Error).message;
    throw new Error(`${path}: ${why}; ${hint}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message}); ${hint}`);
  }
}
