/**
 * Detects the Deno Jupyter kernel and displays rich output there; a no-op elsewhere.
 *
 * @module
 */

/** A Jupyter MIME bundle: MIME type → payload. */
export type MimeBundle = Record<string, string | object>;

/** Options for {@linkcode display}. */
export interface DisplayOptions {
  /** Identifier of a display to create or update in place. */
  displayId?: string;
  /** Replace the display with `displayId` instead of adding a new output. */
  update?: boolean;
}

type JupyterApi = {
  display(obj: unknown, opts?: { raw?: boolean; update?: boolean; display_id?: string }): Promise<
    void
  >;
};

function jupyterApi(): JupyterApi | undefined {
  try {
    // Accessing Deno.jupyter outside `deno jupyter` throws; inside the kernel it is an object.
    const api = (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
    return typeof api?.display === "function" ? api : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when running inside the Deno Jupyter kernel.
 *
 * @example
 * ```ts
 * if (inJupyter()) console.log("rich output available");
 * ```
 */
export function inJupyter(): boolean {
  return jupyterApi() !== undefined;
}

/**
 * Displays a raw MIME bundle in the notebook. Returns false (and does nothing) outside Jupyter.
 *
 * @example
 * ```ts
 * await display({ "text/markdown": "**done**" });
 * ```
 */
export async function display(bundle: MimeBundle, options: DisplayOptions = {}): Promise<boolean> {
  const api = jupyterApi();
  if (!api) return false;
  await api.display(bundle, {
    raw: true,
    ...(options.displayId ? { display_id: options.displayId } : {}),
    ...(options.update ? { update: true } : {}),
  });
  return true;
}

/**
 * Shows Markdown in the notebook (with a plain-text fallback); prints the plain text elsewhere.
 * Resolves to nothing, so a cell ending in it shows only the Markdown.
 *
 * @example
 * ```ts
 * await showMarkdown("| a | b |\n| - | - |\n| 1 | 2 |");
 * ```
 */
export async function showMarkdown(markdown: string, plain: string = markdown): Promise<void> {
  if (!(await display({ "text/markdown": markdown, "text/plain": plain }))) console.log(plain);
}
