/**
 * Where NetFlix.csv comes from: a local copy, the `NETFLIX_CSV` variable, or the study's
 * published file, checked against its SHA-256.
 *
 * @module
 */

import { atomicWrite } from "./atomic_write.ts";
import { sha256Hex } from "./sha256.ts";

/** The study's published data file. */
export const DATASET_URL =
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
  /** Replace an existing file even when its checksum already matches. */
  force?: boolean;
  /** Where to print what happened (default console.log). */
  log?: (line: string) => void;
}

/** What {@linkcode fetchDataset} did. */
export interface FetchDatasetResult {
  path: string;
  sha256: string;
  source: "existing" | "input" | "download";
  /** True when the checksum equals the published one. */
  verified: boolean;
}

/**
 * Puts NetFlix.csv at `output`: copies `input` when given, else downloads the published file
 * and verifies its SHA-256. A local input with another checksum is accepted with a warning (it
 * may be the user's own variant); a download with another checksum is refused.
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

  if (!options.input && !options.force) {
    const existing = await Deno.readFile(output).catch(() => undefined);
    if (existing) {
      const sum = await sha256Hex(existing);
      if (sum === expected) {
        log(`${output} is already in place (SHA-256 verified).`);
        return { path: output, sha256: sum, source: "existing", verified: true };
      }
    }
  }

  let bytes: Uint8Array;
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
    source = "input";
  } else {
    const url = options.url ?? DATASET_URL;
    log(`Downloading ${url} …`);
    let res: Response;
    try {
      res = await fetch(url);
    } catch (err) {
      throw new Error(
        `Could not download ${url} (${(err as Error).message}). You seem to be offline: copy ` +
          "NetFlix.csv by hand and run `npx deno task data --input PATH/NetFlix.csv` (or set " +
          "NETFLIX_CSV=PATH).",
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(
        `Download of ${url} failed with HTTP ${res.status}. Fetch NetFlix.csv by hand and run ` +
          "`npx deno task data --input PATH/NetFlix.csv`.",
      );
    }
    bytes = new Uint8Array(await res.arrayBuffer());
    source = "download";
  }
  const sum = await sha256Hex(bytes);
  const verified = sum === expected;
  if (!verified) {
    if (source === "download") {
      throw new Error(
        `Downloaded file has SHA-256 ${sum}, expected ${expected}: it is not the published ` +
          "NetFlix.csv (or it was corrupted). Nothing was written. Retry, or fetch the file by " +
          "hand and pass it with --input.",
      );
    }
    log(
      `Warning: ${options.input} has SHA-256 ${sum}, not the published ${expected}. ` +
        "Using it anyway; results will not compare with the study's.",
    );
  }
  await atomicWrite(output, bytes);
  log(`Wrote ${output} (${bytes.length} bytes, SHA-256 ${verified ? "verified" : sum}).`);
  return { path: output, sha256: sum, source, verified };
}
