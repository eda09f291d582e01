/**
 * Vega-Lite 5 (npm alias `vega-lite-5`), the version JupyterLab and VS Code use to render
 * `application/vnd.vegalite.v5+json`, for tests that check the interactive bundle the notebooks
 * carry. Its build is the same UMD file a browser page loads; it needs `vega` only for small
 * utilities, which Vega 6 still exports.
 *
 * @module
 */

import * as vega from "vega";
import { createRequire } from "node:module";

/** Messages Vega-Lite 5 logged while compiling one spec (empty for a clean spec). */
export interface V5Compile {
  /** Warnings and errors, in order. */
  messages: string[];
}

type VegaLite5 = {
  version: string;
  compile(spec: unknown, options: { logger: unknown }): { spec: unknown };
};

let loaded: VegaLite5 | undefined;

async function vegaLite5(): Promise<VegaLite5> {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve("vega-lite-5/build/vega-lite.js");
  const module = { exports: {} as Record<string, unknown> };
  const requireVega = (name: string) => {
    if (name === "vega") return vega;
    throw new Error(`vega-lite 5 asked for "${name}"; only "vega" is provided`);
  };
  // The UMD build registers itself on `module.exports` when given CommonJS arguments.
  new Function("exports", "module", "require", await Deno.readTextFile(file))(
    module.exports,
    module,
    requireVega,
  );
  loaded = module.exports as unknown as VegaLite5;
  if (!loaded.version?.startsWith("5.")) {
    throw new Error(`expected Vega-Lite 5 in node_modules/vega-lite-5, found ${loaded.version}`);
  }
  return loaded;
}

/**
 * The Vega-Lite 5 version the tests compile with.
 *
 * @example
 * ```ts
 * (await vegaLite5Version()).startsWith("5."); // true
 * ```
 */
export async function vegaLite5Version(): Promise<string> {
  return (await vegaLite5()).version;
}

/**
 * Compiles a spec with Vega-Lite 5 and returns what it logged; a spec it cannot compile gives one
 * message starting with `error:`.
 *
 * @example
 * ```ts
 * const { messages } = await compileWithVegaLite5({ mark: "bar", data: { values: [] } });
 * messages; // []
 * ```
 */
export async function compileWithVegaLite5(spec: unknown): Promise<V5Compile> {
  const vl = await vegaLite5();
  const messages: string[] = [];
  const logger = {
    level(level?: number) {
      return level === undefined ? 2 : logger;
    },
    warn(...args: unknown[]) {
      messages.push(`warning: ${args.map(String).join(" ")}`);
      return logger;
    },
    error(...args: unknown[]) {
      messages.push(`error: ${args.map(String).join(" ")}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  try {
    vl.compile(spec, { logger });
  } catch (err) {
    messages.push(`error: ${(err as Error).message}`);
  }
  return { messages };
}
