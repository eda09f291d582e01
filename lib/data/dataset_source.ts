/**
 * Where NetFlix.csv comes from: a local copy, the `NETFLIX_CSV` variable, or the study's
 * published file, checked against its SHA-256.
 *
 * @module
 */

import { atomicWrite } from "../io/atomic_write.ts";
import { sha256Hex } from "../core/sha256.ts";
import { InputError, parseTitles, REQUIRED_COLUMNS } from "./netflix_csv.ts";

/** The study's published data file. */
const DATASET_URL =
  "https://raw.githubusercontent.com/redswimmer/netflix-genre-prediction/main/NetFlix.csv";

/** SHA-256 of the published NetFlix.csv (7,787 titles). */
export const DATASET_SHA256 = "11506df58c267c7a6bc1e60fbb5706e67955962399b5098431be8393ab877201";

/** Default location of the raw data inside the project. */
export const DEFAULT_DATA_PATH = "data/NetFlix.csv";

/** Options for {@linkcode fetchDataset}. */
export interface FetchDatasetOptions {
  /** Copy from this local file instead of downloading. */
  input?: string;
  /** Where to put the file (default `data/NetFlix.csv`). */
  output?: string;
  /** Download address (default {@linkcode DATASET_URL}). */
  url?: string;
  /** Expected checksum (default {@linkcode DATASET_SHA256}). */
  sha256?: string;
  /**
   * Replace an existing file: one with other contents (never replaced without it), or the
   * verified one (downloaded again).
   */
  force?: boolean;
  /** Give up on a download that receives nothing for this long (default 60,000 ms). */
  stallTimeoutMs?: number;
  /** Where to print what happened (default console.log). */
  log?: (line: string) => void;
}

/** What {@linkcode fetchDataset} did. */
export interface FetchDatasetResult {
  path: string;
  sha256: string;
  /** `"existing"`: the file was already there (nothing written). */
  source: "existing" | "input" | "download";
  /** True when the checksum equals the published one. */
  verified: boolean;
}

/**
 * Puts NetFlix.csv at `output`: copies `input` when given, else downloads the published file
 * and verifies its SHA-256. A local input with another checksum is accepted with a warning (it
 * may be the user's own variant) when it reads as NetFlix.csv — its columns and every row are
 * checked first, so a file of other columns is refused before
 * anything is replaced; a download with another checksum is refused. An existing
 * `output` with other contents is never replaced without `force`; the same contents are left
 * as they are. Files are written atomically, so a failed or stalled download leaves nothing.
 *
 * @example
 * ```ts
 * await fetchDataset({ input: "../shared/data/NetFlix.csv" });
 * ```
 */
export async function fetchDataset(options: FetchDatasetOptions = {}): Promise<FetchDatasetResult> {
  const output = options.output ?? DEFAULT_DATA_PATH;
  const expected = options.sha256 ?? DATASET_SHA256;
  const log = options.log ?? console.log;
  const existing = await Deno.readFile(output).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Cannot read ${output} (${(err as Error).message}).`);
  });
  const existingSum = existing ? await sha256Hex(existing) : undefined;

  let bytes: Uint8Array;
  let sum: string;
  let source: FetchDatasetResult["source"];
  if (options.input) {
    try {
      bytes = await Deno.readFile(options.input);
    } catch (err) {
      throw new Error(
        `Cannot read --input ${options.input} (${(err as Error).message}). Give the path of ` +
          "a NetFlix.csv file, or leave --input out to download the published copy.",
      );
    }
    sum = await sha256Hex(bytes);
    const verified = sum === expected;
    const unverified = () =>
      log(
        `Warning: ${options.input} has SHA-256 ${sum}, not the published ${expected}. ` +
          "Using it anyway; results will not compare with the study's.",
      );
    if (existingSum === sum && !options.force) {
      log(`${output} is already there: it has the same contents as ${options.input}.`);
      if (!verified) unverified();
      return { path: output, sha256: sum, source: "existing", verified };
    }
    if (existingSum !== undefined && !options.force) {
      throw new Error(
        `${output} already exists with other contents (SHA-256 ${existingSum}${
          existingSum === expected ? ", the published NetFlix.csv" : ""
        }) than --input ${options.input} (SHA-256 ${sum}). It was kept. Pass --force to ` +
          `replace it, or --output PATH to write elsewhere.`,
      );
    }
    if (!verified) {
      checkDatasetFile(bytes, options.input, output);
      unverified();
    }
    source = "input";
  } else {
    if (existingSum !== undefined && !options.force) {
      if (existingSum === expected) {
        log(`${output} is already in place (SHA-256 verified).`);
        return { path: output, sha256: existingSum, source: "existing", verified: true };
      }
      throw new Error(
        `${output} already exists but is not the published NetFlix.csv (SHA-256 ` +
          `${existingSum}, published ${expected}). It was kept. Pass --force to replace it with ` +
          "the published file, or --input PATH to use another local copy.",
      );
    }
    const url = options.url ?? DATASET_URL;
    bytes = await download(url, options.stallTimeoutMs ?? 60_000, log);
    sum = await sha256Hex(bytes);
    if (sum !== expected) {
      throw new Error(
        `Downloaded file has SHA-256 ${sum}, expected ${expected}: it is not the published ` +
          "NetFlix.csv (or it was corrupted). Nothing was written. Retry, or fetch the file by " +
          "hand and pass it with --input.",
      );
    }
    source = "download";
  }
  const verified = sum === expected;
  await atomicWrite(output, bytes);
  log(`Wrote ${output} (${bytes.length} bytes, SHA-256 ${verified ? "verified" : sum}).`);
  return { path: output, sha256: sum, source, verified };
}

/**
 * Checks that `bytes` read as NetFlix.csv (every column the readers need, every row valid) before
 * they replace `output`; otherwise throws an error naming the file, the missing and extra
 * columns or the bad rows, and the fix, saying `output` was left as it was.
 */
function checkDatasetFile(bytes: Uint8Array, source: string, output: string): void {
  const kept = `${output} was left as it was.`;
  const firstLine = new TextDecoder().decode(bytes.subarray(0, 4096)).split(/\r?\n/)[0];
  const columns = firstLine.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    const extra = columns.filter((c) => !(REQUIRED_COLUMNS as readonly string[]).includes(c));
    throw new Error(
      `${source} is not NetFlix.csv-shaped: it lacks the column(s) ${missing.join(", ")}` +
        (extra.length > 0 ? ` and has column(s) NetFlix.csv does not (${extra.join(", ")})` : "") +
        `. ${kept} Point --input (or NETFLIX_CSV) to a file whose header names ` +
        `${REQUIRED_COLUMNS.join(", ")}, or leave both out to download the published file.`,
    );
  }
  try {
    parseTitles(bytes, { source });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new Error(
      `${err.message}\n${kept} Fix the file (or point --input / NETFLIX_CSV elsewhere) and ` +
        "run again.",
    );
  }
}

/** Downloads `url` into memory; gives up when no bytes arrive for `stallMs`. */
async function download(
  url: string,
  stallMs: number,
  log: (line: string) => void,
): Promise<Uint8Array> {
  const byHand =
    "Fetch NetFlix.csv by hand and run `npx deno task data --input PATH/NetFlix.csv` " +
    "(or set NETFLIX_CSV=PATH).";
  log(`Downloading ${url} …`);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
  };
  let received = 0;
  const stallError = () =>
    new Error(
      `Download of ${url} stalled: nothing arrived for ${stallMs / 1000} s (${received} bytes ` +
        `received). Nothing was written. Check your connection and retry, or: ${byHand}`,
    );
  arm();
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal });
    } catch (err) {
      if (stalled) throw stallError();
      throw new Error(
        `Could not download ${url} (${(err as Error).message}). You seem to be offline: copy ` +
          "NetFlix.csv by hand and run `npx deno task data --input PATH/NetFlix.csv` (or set " +
          "NETFLIX_CSV=PATH).",
      );
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new Error(`Download of ${url} failed with HTTP ${res.status}. ${byHand}`);
    }
    arm();
    const parts: Uint8Array[] = [];
    const reader = res.body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.length;
        arm();
      }
    } catch (err) {
      await reader.cancel().catch(() => {});
      if (stalled) throw stallError();
      throw new Error(
        `Download of ${url} broke off after ${received} bytes (${(err as Error).message}). ` +
          `Nothing was written. Retry, or: ${byHand}`,
      );
    }
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const p of parts) {
      bytes.set(p, offset);
      offset += p.length;
    }
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}
