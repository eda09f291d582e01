/**
 * Streaming a large NetFlix.csv-shaped file in batches of records, so `predict` can handle a
 * million titles in bounded memory: the file is read in chunks (1 MiB by default) and split
 * into records at the byte level with RFC 4180 quoting — commas, doubled quotes (`""`), `\n`
 * and `\r\n` inside a quoted field stay in their record. A quote only opens a quoted field at
 * the start of a field, as polars reads it. Each batch is the header line plus up to `rows`
 * whole records, ready for `parseTitles` (pass it `firstRow`); at most one chunk and one batch
 * are held at a time.
 *
 * Blank lines are records (polars reads them as empty rows), so row numbers match
 * `parseTitles` on the whole file: `firstRow + i` is the file's 1-based data-row number
 * (header not counted) of the batch's i-th record.
 *
 * @module
 */

import { InputError, invalidUtf8Offset, nearByte, notUtf8Error } from "./netflix_csv.ts";
import { checkLineEnds } from "./csv_records.ts";

/** One batch of records from {@linkcode csvBatches}. */
export interface CsvBatch {
  /** The header line, `\n`, then up to `rows` records with their original line endings. */
  text: string;
  /** 1-based data-row number (header not counted) of the batch's first record. */
  firstRow: number;
  /** Number of records in the batch. */
  rows: number;
}

/** Options for {@linkcode csvBatches}. */
export interface CsvBatchesOptions {
  /** Records per batch (default 2000). */
  rows?: number;
  /** Bytes read per chunk (default 1 MiB; tests use a few bytes). */
  chunkBytes?: number;
  /** Name used in messages (defaults to the path). */
  source?: string;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Parser states. */
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote seen inside a quoted field: a second quote means a literal `"`, else the end. */
const QUOTE_IN_QUOTED = 3;

/** A growable byte buffer (one per batch, reused). */
class ByteBuffer {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  append(src: Uint8Array): void {
    if (this.length + src.length > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.length + src.length) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(src, this.length);
    this.length += src.length;
  }
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Reads a CSV file as batches of whole records, each with the header repeated.
 * Throws an `InputError` when the file is empty, has bytes that are not UTF-8 (naming the row),
 * ends inside a quoted field (naming the row where it opened), or ends its lines with a lone
 * `\r` (no row could be told apart).
 *
 * @example
 * ```ts
 * import { parseTitles } from "./netflix_csv.ts";
 * for await (const batch of csvBatches("data/NetFlix.csv", { rows: 2000 })) {
 *   const { titles, problems } = parseTitles(batch.text, {
 *     firstRow: batch.firstRow, // row numbers and messages count the file's rows
 *     requireGenres: false,
 *     onBadRow: "skip",
 *   });
 *   console.log(titles.rowNumber[0], titles.length, problems.length);
 * }
 * ```
 */
export async function* csvBatches(
  path: string,
  options: CsvBatchesOptions = {},
): AsyncGenerator<CsvBatch> {
  const batchRows = options.rows ?? 2000;
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const source = options.source ?? path;
  if (!(Number.isInteger(batchRows) && batchRows >= 1)) {
    throw new RangeError(`csvBatches: rows must be a whole number ≥ 1 (got ${batchRows})`);
  }
  if (!(Number.isInteger(chunkBytes) && chunkBytes >= 1)) {
    throw new RangeError(`csvBatches: chunkBytes must be a whole number ≥ 1 (got ${chunkBytes})`);
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });

  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
    if ((await file.stat()).isDirectory) {
      file.close();
      throw new Deno.errors.IsADirectory(path);
    }
  } catch (err) {
    if (err instanceof Deno.errors.IsADirectory) {
      throw new InputError(`${source}: is a folder, not a file; give the path of a CSV file.`);
    }
    if (err instanceof Deno.errors.NotFound) {
      throw new InputError(`${source}: file not found. Check the path given with --input.`);
    }
    throw new InputError(`${source}: cannot read the file (${(err as Error).message}).`);
  }

  /** Bytes of the pending batch (header excluded), including the record being read. */
  const batch = new ByteBuffer();
  let header: string | undefined;
  const headerBytes = new ByteBuffer();
  /** Records completed in `batch`, and the row number of the first one. */
  let recordsInBatch = 0;
  let firstRow = 1;
  /** Row number of the record being read (0 = header). */
  let row = 0;
  let state = FIELD_START;
  /** True once the record being read has at least one byte. */
  let recordHasBytes = false;

  const decode = (bytes: Uint8Array, first: number): string => {
    try {
      return decoder.decode(bytes);
    } catch {
      const bad = invalidUtf8Offset(bytes);
      let r = first;
      // Find the record holding the bad byte (records end at unquoted LFs).
      let s = FIELD_START;
      for (let i = 0; i < bad; i++) {
        const b = bytes[i];
        if (s === QUOTED) {
          if (b === QUOTE) s = QUOTE_IN_QUOTED;
        } else if (s === QUOTE_IN_QUOTED && b === QUOTE) s = QUOTED;
        else if (b === LF) {
          r++;
          s = FIELD_START;
        } else if (b === QUOTE && s === FIELD_START) s = QUOTED;
        else s = b === COMMA ? FIELD_START : UNQUOTED;
      }
      throw notUtf8Error(source, r, nearByte(bytes, Math.max(0, bad)));
    }
  };

  const emit = (): CsvBatch => {
    const text = `${header}\n${decode(batch.view(), firstRow)}`;
    const out = { text, firstRow, rows: recordsInBatch };
    firstRow += recordsInBatch;
    recordsInBatch = 0;
    batch.length = 0;
    return out;
  };

  const chunk = new Uint8Array(chunkBytes);
  try {
    while (true) {
      const n = await file.read(chunk);
      if (n === null) break;
      let start = 0; // start of the bytes of this chunk not yet copied
      for (let i = 0; i < n; i++) {
        const b = chunk[i];
        recordHasBytes = true;
        switch (state) {
          case QUOTED:
            if (b === QUOTE) state = QUOTE_IN_QUOTED;
            continue;
          case QUOTE_IN_QUOTED:
            if (b === QUOTE) {
              state = QUOTED;
              continue;
            }
            break;
          case FIELD_START:
            if (b === QUOTE) {
              state = QUOTED;
              continue;
            }
            break;
        }
        if (b === COMMA) {
          state = FIELD_START;
          continue;
        }
        if (b !== LF) {
          state = UNQUOTED;
          continue;
        }
        // End of a record at chunk[i].
        state = FIELD_START;
        recordHasBytes = false;
        if (header === undefined) {
          headerBytes.append(chunk.subarray(start, i));
          let h = headerBytes.view();
          if (h.length > 0 && h[h.length - 1] === CR) h = h.subarray(0, h.length - 1);
          header = decode(h, 0);
          start = i + 1;
          row = 1;
          continue;
        }
        row++;
        recordsInBatch++;
        if (recordsInBatch === batchRows) {
          batch.append(chunk.subarray(start, i + 1));
          start = i + 1;
          yield emit();
        }
      }
      (header === undefined ? headerBytes : batch).append(chunk.subarray(start, n));
    }
  } finally {
    file.close();
  }

  if (header === undefined) {
    if (headerBytes.length === 0) {
      throw new InputError(`${source}: the file is empty; expected a CSV header.`);
    }
    // A header without a line ending and no records, or a file whose lines end in a lone \r.
    checkLineEnds(headerBytes.view(), (message) => new InputError(`${source}: ${message}`));
    let h = headerBytes.view();
    if (h[h.length - 1] === CR) h = h.subarray(0, h.length - 1);
    header = decode(h, 0);
    return;
  }
  if (state === QUOTED) {
    throw new InputError(
      `${source}: data row ${row} opens a quoted field that is never closed. Fields with ` +
        'commas, quotes or newlines must be wrapped in double quotes, with inner quotes doubled ("").',
    );
  }
  if (recordHasBytes) recordsInBatch++; // a last record without a line ending
  if (recordsInBatch > 0) yield emit();
}
