/**
 * Notebook JSON, the nbformat 4 subset the project reads: the document's types and the two
 * helpers every reader needs (multiline strings, ANSI colour codes).
 *
 * @module
 */

/** One output of a code cell (nbformat 4). */
export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error" | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
}

/** One cell (nbformat 4). */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw" | string;
  source: string | string[];
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
}

/** A notebook document (nbformat 4). */
export interface Notebook {
  cells: NotebookCell[];
  metadata?: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
}

/**
 * Joins a multiline nbformat string (stored as a string or a list of lines).
 *
 * @example
 * ```ts
 * joinSource(["a\n", "b"]); // "a\nb"
 * ```
 */
export function joinSource(text: string | string[] | undefined | unknown): string {
  if (Array.isArray(text)) return text.join("");
  return typeof text === "string" ? text : "";
}

/**
 * Removes ANSI colour codes (the Deno kernel colours results and tracebacks).
 *
 * @example
 * ```ts
 * stripAnsi("\x1b[33m42\x1b[39m"); // "42"
 * ```
 */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}
