/**
 * The shape of a CSV file's records, read at the byte level with the quoting rules polars uses
 * (a quote opens a quoted field only at the start of a field; `""` inside one is a literal
 * quote; records end at an unquoted `\n`, `\r\n` included). polars reads a record with more
 * fields than the header by dropping the extra ones, and one with fewer by filling nulls, so a
 * comma outside quotes in `cast` silently shifts every later column (the description becomes
 * the duration). {@linkcode recordFieldCounts} gives each record's field count so the reader can
 * name such rows; {@linkcode checkLineEnds} refuses a file whose lines end in a lone `\r`, which
 * polars reads as one long header and no rows.
 *
 * @module
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The number of fields of each record of `bytes` (index 0 is the header), or 0 for a blank
 * record (an empty line, or one holding only `\r`). A last record without a line ending counts;
 * nothing after the last `\n` does not.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode('a,b,c\n1,"x, y",3\n1,x, y,3\n\n');
 * recordFieldCounts(bytes); // Int32Array [3, 3, 4, 0]
 * ```
 */
export function recordFieldCounts(bytes: Uint8Array): Int32Array {
  const counts: number[] = [];
  let fields = 1;
  let quoted = false;
  let fieldStart = true;
  let content = false; // the record has a byte other than a final \r
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (quoted) {
      if (b === QUOTE) {
        if (bytes[i + 1] === QUOTE) i++;
        else quoted = false;
      }
      continue;
    }
    if (b === LF) {
      counts.push(content ? fields : 0);
      fields = 1;
      fieldStart = true;
      content = false;
      continue;
    }
    if (b === CR && bytes[i + 1] === LF) continue;
    content = true;
    if (b === COMMA) {
      fields++;
      fieldStart = true;
    } else if (b === QUOTE && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else fieldStart = false;
  }
  if (content || quoted) counts.push(fields);
  return Int32Array.from(counts);
}

/**
 * Throws when the lines of `bytes` end in a lone `\r` (classic Mac OS line ends): the reader
 * would see one long header and no rows, and could name no row. Only the first line is looked
 * at (up to the first `\n`): a `\r` inside it that does not end it means `\r` ends lines.
 * Returns normally for `\n` and `\r\n` files. `makeError` builds the error to throw (the
 * reader's own error type).
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("a,b\r1,2\r");
 * checkLineEnds(bytes, (message) => new Error(`in.csv: ${message}`)); // throws
 * ```
 */
export function checkLineEnds(bytes: Uint8Array, makeError: (message: string) => Error): void {
  let lf = bytes.indexOf(LF);
  if (lf < 0) lf = bytes.length;
  const cr = bytes.subarray(0, lf).indexOf(CR);
  if (cr < 0 || cr === lf - 1) return;
  const lines = countByte(bytes, CR) + (bytes[bytes.length - 1] === CR ? 0 : 1);
  throw makeError(
    `its lines end with a carriage return only (\\r, as old Mac OS programs save text), so ` +
      `no row can be told apart (${lines} line(s) read as one header). Re-save it with ` +
      "ordinary line ends (LF or CRLF), e.g. `tr '\\r' '\\n' < in.csv > fixed.csv`, and run " +
      "again.",
  );
}

function countByte(bytes: Uint8Array, byte: number): number {
  let count = 0;
  for (let i = bytes.indexOf(byte); i >= 0; i = bytes.indexOf(byte, i + 1)) count++;
  return count;
}
