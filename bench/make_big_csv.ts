/**
 * Makes a large NetFlix.csv-shaped file for the streaming `predict` benchmark: the input's
 * records repeated, byte for byte, until `rows` records are written — the first pass with the
 * original `show_id`s, then `s1_r2`, `s10_r2`, …, `s1_r3`, … so ids stay unique. The output is
 * written in ~1 MiB pieces, never built whole in memory (only the input's records are held).
 *
 * ```sh
 * deno run -A bench/make_big_csv.ts --rows 1000000 --output /tmp/netflix_1m.csv
 * ```
 *
 * @module
 */

import { csvBatches } from "../lib/data/csv_batches.ts";
import { intFlag, parseFlags, runCommand, UsageError } from "../lib/io/cli_args.ts";
import { DEFAULT_DATA_PATH } from "../lib/data/dataset_source.ts";

/** Options for {@linkcode makeBigCsv}. */
export interface MakeBigCsvOptions {
  /** Source file (default `data/NetFlix.csv`). */
  input?: string;
  /** File to write (replaced when it exists). */
  output: string;
  /** Number of data records to write. */
  rows: number;
}

/**
 * Writes `rows` records taken round-robin from `input` (ids suffixed `_r2`, `_r3`, … after the
 * first pass) to `output`, streaming. Returns the bytes written.
 *
 * @example
 * ```ts
 * await makeBigCsv({ input: "data/NetFlix.csv", output: "/tmp/big.csv", rows: 20000 });
 * ```
 */
export async function makeBigCsv(options: MakeBigCsvOptions): Promise<number> {
  const input = options.input ?? DEFAULT_DATA_PATH;
  let header = "";
  /** Each record split into its first field (the show_id) and the rest (from the comma on). */
  const ids: string[] = [];
  const rests: string[] = [];
  for await (const batch of csvBatches(input, { rows: 1 })) {
    const nl = batch.text.indexOf("\n");
    header = batch.text.slice(0, nl);
    const record = batch.text.slice(nl + 1);
    const comma = firstFieldEnd(record);
    ids.push(record.slice(0, comma));
    rests.push(record.slice(comma));
  }
  if (ids.length === 0) throw new Error(`${input}: no records to repeat`);
  // Every record must end its line, or the next one would run on.
  for (let i = 0; i < rests.length; i++) if (!rests[i].endsWith("\n")) rests[i] += "\n";

  const encoder = new TextEncoder();
  const file = await Deno.open(options.output, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  let written = 0;
  try {
    let piece = header + "\n";
    for (let k = 0; k < options.rows; k++) {
      const i = k % ids.length;
      const pass = Math.floor(k / ids.length) + 1;
      piece += (pass === 1 ? ids[i] : withSuffix(ids[i], `_r${pass}`)) + rests[i];
      if (piece.length >= 1 << 20) {
        const bytes = encoder.encode(piece);
        await writer.write(bytes);
        written += bytes.length;
        piece = "";
      }
    }
    const bytes = encoder.encode(piece);
    await writer.write(bytes);
    written += bytes.length;
  } finally {
    await writer.close();
  }
  return written;
}

/** Index of the comma ending the first field of a CSV record (quotes respected). */
function firstFieldEnd(record: string): number {
  if (!record.startsWith('"')) {
    const c = record.indexOf(",");
    return c < 0 ? record.length : c;
  }
  for (let i = 1; i < record.length; i++) {
    if (record[i] === '"') {
      if (record[i + 1] === '"') i++;
      else return i + 1;
    }
  }
  return record.length;
}

function withSuffix(id: string, suffix: string): string {
  return id.startsWith('"') ? `${id.slice(0, -1)}${suffix}"` : id + suffix;
}

const USAGE = "Usage: deno run -A bench/make_big_csv.ts --rows N --output PATH [--input PATH]\n" +
  "Repeats the input's records (default data/NetFlix.csv) with new show_ids up to N rows.";

if (import.meta.main) {
  await runCommand(USAGE, async () => {
    const flags = parseFlags(Deno.args, {
      rows: { type: "string", default: "1000000" },
      output: { type: "string" },
      input: { type: "string", default: DEFAULT_DATA_PATH },
    });
    if (!flags.output) throw new UsageError("give --output PATH (the file to write)");
    const rows = intFlag("rows", flags.rows);
    const t0 = performance.now();
    const bytes = await makeBigCsv({ input: flags.input, output: flags.output, rows });
    console.log(
      `Wrote ${flags.output}: ${rows} rows, ${(bytes / 2 ** 20).toFixed(1)} MiB in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  });
}
