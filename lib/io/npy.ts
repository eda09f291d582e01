/**
 * Reads and writes NumPy `.npy` files, so arrays move between this project and Python unchanged.
 *
 * Writes format version 1.0 exactly as `numpy.save` (1.24) does: magic `\x93NUMPY`, version,
 * little-endian header length, a Python-dict header such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and a final
 * `\n` so the data starts at a multiple of 64 bytes, then the little-endian C-order data.
 * Reads versions 1.0, 2.0 and 3.0.
 *
 * | dtype  | element            | write | read into                                 |
 * | ------ | ------------------ | ----- | ----------------------------------------- |
 * | `<f4`  | float32            | yes   | `Float32Array`                            |
 * | `<f8`  | float64            | yes   | `Float64Array`                            |
 * | `<i4`  | int32              | yes   | `Int32Array`                              |
 * | `\|u1` | uint8              | yes   | `Uint8Array`                              |
 * | `<i8`  | int64              | no    | `Int32Array` (default) or `Float64Array`  |
 * | `\|b1` | bool               | no    | `Uint8Array` of 0/1                       |
 *
 * @module
 */

import { atomicWrite } from "./atomic_write.ts";
import type { Matrix } from "../core/matrix.ts";

/** dtypes this module reads (NumPy `descr` strings as they appear in the header). */
export type NpyDtype = "<f4" | "<f8" | "<i4" | "|u1" | "<i8" | "|b1";

/** dtypes this module writes. */
export type NpyWriteDtype = "<f4" | "<f8" | "<i4" | "|u1";

/** Typed arrays an `.npy` file is read into or written from. */
export type NpyData = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A decoded array: the file's dtype, its shape and the row-major (C order) values. */
export interface NpyArray<T extends NpyData = NpyData> {
  /** The dtype written in the file (an `<i8` file stays `"<i8"` even though `data` is converted). */
  dtype: NpyDtype;
  /** The shape, e.g. `[7787, 42]`; `[]` for a 0-d array. */
  shape: number[];
  /** The values in C order. */
  data: T;
}

/** Options for {@linkcode encodeNpy} and {@linkcode writeNpy}. */
export interface EncodeNpyOptions {
  /**
   * Store as this dtype, converting the values (default: the dtype of the typed array:
   * Float32Array → `<f4`, Float64Array → `<f8`, Int32Array → `<i4`, Uint8Array → `|u1`).
   * Converting to an integer dtype throws when a value is not an integer in range.
   */
  dtype?: NpyWriteDtype;
}

/** Options for {@linkcode decodeNpy} and {@linkcode readNpy}. */
export interface DecodeNpyOptions {
  /** Throw unless the shape matches; `null` entries match any length (e.g. `[7787, null]`). */
  expectShape?: readonly (number | null)[];
  /** Throw unless the file's dtype is this one (or one of these). */
  expectDtype?: NpyDtype | readonly NpyDtype[];
  /**
   * How `<i8` data is returned: `"int32"` (default) gives an `Int32Array` and throws if a value is
   * outside int32; `"float64"` gives a `Float64Array` and throws if a value is beyond ±2^53.
   */
  int64As?: "int32" | "float64";
  /** What to do when the file is wrong, appended to errors (default: re-create the file). */
  hint?: string;
  /** Name used in error messages (the file path; {@linkcode readNpy} sets it). */
  source?: string;
}

/** Options for {@linkcode readMatrix}. */
export interface ReadMatrixOptions {
  /** Element type: `"<f4"` (default, float32) or `"|u1"` (uint8, also accepts `|b1` files). */
  dtype?: "<f4" | "|u1";
  /** Throw unless the shape matches; `null` matches any length (e.g. `[7787, null]`). */
  expectShape?: readonly [number | null, number | null];
  /** What to do when the file is wrong, appended to errors. */
  hint?: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21; // numpy >= 1.24 leaves room for the first axis to grow
const DEFAULT_HINT = "re-create it (e.g. re-run `deno task preprocess`)";
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const ITEM_SIZE: Record<NpyDtype, number> = {
  "<f4": 4,
  "<f8": 8,
  "<i4": 4,
  "|u1": 1,
  "<i8": 8,
  "|b1": 1,
};

const INT_RANGE: Partial<Record<NpyWriteDtype, [number, number]>> = {
  "<i4": [-2147483648, 2147483647],
  "|u1": [0, 255],
};

function dtypeOf(data: NpyData): NpyWriteDtype {
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Float64Array) return "<f8";
  if (data instanceof Int32Array) return "<i4";
  if (data instanceof Uint8Array) return "|u1";
  throw new TypeError(
    "encodeNpy: data must be a Float32Array, Float64Array, Int32Array or Uint8Array",
  );
}

function isMatrix(a: unknown): a is Matrix<NpyData> {
  return typeof a === "object" && a !== null && "rows" in a && "cols" in a && "data" in a;
}

function convert(data: NpyData, dtype: NpyWriteDtype): NpyData {
  if (dtypeOf(data) === dtype) return data;
  const range = INT_RANGE[dtype];
  if (range) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw new RangeError(
          `encodeNpy: value ${v} at index ${i} does not fit dtype ${dtype}; ` +
            `round or clip the data first, or write a float dtype`,
        );
      }
    }
  }
  switch (dtype) {
    case "<f4":
      return Float32Array.from(data);
    case "<f8":
      return Float64Array.from(data);
    case "<i4":
      return Int32Array.from(data);
    case "|u1":
      return Uint8Array.from(data);
  }
}

function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/**
 * Encodes a matrix (shape `(rows, cols)`) or a 1-D typed array (shape `(n,)`) as `.npy` bytes,
 * byte for byte what `numpy.save` 1.24 writes for the same array.
 *
 * @example
 * ```ts
 * const bytes = encodeNpy({ rows: 2, cols: 2, data: new Float32Array([1, 2, 3, 4]) });
 * bytes.length; // 144: 128-byte header + 16 bytes of data
 * ```
 */
export function encodeNpy(
  array: Matrix<NpyData> | NpyData,
  options: EncodeNpyOptions = {},
): Uint8Array {
  let shape: number[];
  let data: NpyData;
  if (isMatrix(array)) {
    if (
      !Number.isInteger(array.rows) || !Number.isInteger(array.cols) || array.rows < 0 ||
      array.cols < 0 || array.data.length !== array.rows * array.cols
    ) {
      throw new RangeError(
        `encodeNpy: matrix shape ${array.rows}×${array.cols} needs ${
          array.rows * array.cols
        } values but data holds ${array.data.length}; fix rows/cols before writing`,
      );
    }
    shape = [array.rows, array.cols];
    data = array.data;
  } else {
    shape = [array.length];
    data = array;
  }
  const dtype = options.dtype ?? dtypeOf(data);
  if (!(dtype in INT_RANGE) && dtype !== "<f4" && dtype !== "<f8") {
    throw new RangeError(
      `encodeNpy: cannot write dtype ${dtype}; use one of <f4, <f8, <i4, |u1`,
    );
  }
  if (!LITTLE_ENDIAN_HOST) throw new Error("encodeNpy: big-endian hosts are not supported");
  data = convert(data, dtype);

  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  header += " ".repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const hlen = header.length + 1; // + '\n'
  const padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
  const headerLen = hlen + padlen;
  if (headerLen > 0xffff) throw new RangeError("encodeNpy: header too long for format 1.0");
  const prefix = MAGIC.length + 2 + 2;
  const out = new Uint8Array(prefix + headerLen + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLen & 0xff;
  out[9] = headerLen >> 8;
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.fill(0x20, prefix + header.length, prefix + headerLen - 1);
  out[prefix + headerLen - 1] = 0x0a;
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), prefix + headerLen);
  return out;
}

/**
 * Writes a matrix or 1-D typed array to a `.npy` file atomically (temp file, then rename);
 * `numpy.load` opens the result.
 *
 * @example
 * ```ts
 * await writeNpy("processed_data/X_train.npy", { rows: 1, cols: 3, data: new Float32Array(3) });
 * await writeNpy("processed_data/idx.npy", Int32Array.from([3, 1, 2]));
 * ```
 */
export async function writeNpy(
  path: string,
  array: Matrix<NpyData> | NpyData,
  options: EncodeNpyOptions = {},
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encodeNpy(array, options);
  } catch (err) {
    throw new (err instanceof RangeError ? RangeError : Error)(
      `${path}: ${(err as Error).message}`,
    );
  }
  await atomicWrite(path, bytes);
}

// ---------------------------------------------------------------------------------------------
// Header parsing: the header is a Python dict literal; parse just the subset NumPy writes.

type PyValue = string | boolean | number[] | number;

class HeaderParser {
  #pos = 0;
  constructor(readonly text: string, readonly fail: (msg: string) => never) {}

  #ws(): void {
    while (this.#pos < this.text.length && /\s/.test(this.text[this.#pos])) this.#pos++;
  }

  #peek(): string {
    this.#ws();
    return this.text[this.#pos] ?? "";
  }

  #expect(ch: string): void {
    if (this.#peek() !== ch) {
      this.fail(`expected '${ch}' at header offset ${this.#pos}, found '${this.#peek()}'`);
    }
    this.#pos++;
  }

  #string(): string {
    const q = this.#peek();
    this.#pos++;
    const end = this.text.indexOf(q, this.#pos);
    if (end < 0) this.fail("unterminated string in header");
    const s = this.text.slice(this.#pos, end);
    this.#pos = end + 1;
    return s;
  }

  #int(): number {
    this.#ws();
    const m = /^-?\d+L?/.exec(this.text.slice(this.#pos));
    if (!m) this.fail(`expected an integer at header offset ${this.#pos}`);
    this.#pos += m[0].length;
    return Number.parseInt(m[0], 10);
  }

  #value(): PyValue {
    const c = this.#peek();
    if (c === "'" || c === '"') return this.#string();
    if (c === "(") {
      this.#pos++;
      const items: number[] = [];
      while (this.#peek() !== ")") {
        items.push(this.#int());
        if (this.#peek() === ",") this.#pos++;
        else if (this.#peek() !== ")") this.fail("malformed shape tuple in header");
      }
      this.#pos++;
      return items;
    }
    if (c === "[") {
      this.fail("structured dtypes (a list descr) are not supported; save a plain numeric array");
    }
    for (const [word, v] of [["True", true], ["False", false]] as const) {
      if (this.text.startsWith(word, this.#pos)) {
        this.#pos += word.length;
        return v;
      }
    }
    return this.#int();
  }

  parse(): Record<string, PyValue> {
    const out: Record<string, PyValue> = {};
    this.#expect("{");
    while (this.#peek() !== "}") {
      const c = this.#peek();
      if (c !== "'" && c !== '"') this.fail(`expected a quoted key at header offset ${this.#pos}`);
      const key = this.#string();
      this.#expect(":");
      out[key] = this.#value();
      if (this.#peek() === ",") this.#pos++;
      else if (this.#peek() !== "}") this.fail("expected ',' or '}' in header dict");
    }
    this.#pos++;
    return out;
  }
}

function normalizeDescr(descr: string, fail: (msg: string) => never): NpyDtype {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) fail(`unsupported dtype '${descr}'`);
  const [, order, kind, size] = m;
  const core = `${kind}${size}`;
  if (core === "u1") return "|u1";
  if (core === "b1") return "|b1";
  if (order === ">") {
    fail(
      `dtype '${descr}' is big-endian; save it little-endian in Python with ` +
        `arr.astype('<${core}') before np.save`,
    );
  }
  if (order !== "<") fail(`dtype '${descr}' has no explicit byte order; save it with np.save`);
  const d = `<${core}`;
  if (d === "<f4" || d === "<f8" || d === "<i4" || d === "<i8") return d;
  return fail(`unsupported dtype '${descr}'; supported: <f4, <f8, <i4, <i8, |u1, |b1`);
}

/**
 * Decodes `.npy` bytes (format 1.0, 2.0 or 3.0; little-endian; C order).
 *
 * Throws an error naming `options.source` when the bytes are not `.npy`, truncated, big-endian,
 * Fortran-ordered (unless at most one axis is longer than 1, where both orders are the same
 * bytes), of an unsupported dtype, or do not match `expectShape`/`expectDtype`.
 * `<i8` data comes back as an `Int32Array` unless `int64As: "float64"` (see
 * {@linkcode DecodeNpyOptions.int64As}); `|b1` comes back as a 0/1 `Uint8Array`.
 *
 * @example
 * ```ts
 * const bytes = encodeNpy(Int32Array.from([1, 2, 3]));
 * const { dtype, shape, data } = decodeNpy(bytes, { expectShape: [3] });
 * // dtype "<i4", shape [3], data Int32Array [1, 2, 3]
 * ```
 */
export function decodeNpy(bytes: Uint8Array, options: DecodeNpyOptions = {}): NpyArray {
  const source = options.source ?? "npy bytes";
  const hint = options.hint ?? DEFAULT_HINT;
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}; ${hint}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail("not a NumPy .npy file (missing the \\x93NUMPY magic prefix)");
  }
  const major = bytes[6];
  const minor = bytes[7];
  let headerStart: number;
  let headerLen: number;
  if (major === 1 && minor === 0) {
    headerStart = 10;
    headerLen = bytes[8] | (bytes[9] << 8);
  } else if ((major === 2 || major === 3) && minor === 0) {
    if (bytes.length < 12) fail("truncated .npy header");
    headerStart = 12;
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
  } else {
    return fail(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) {
    fail(`truncated .npy header: needs ${dataStart} bytes, file has ${bytes.length}`);
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const headerText = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(headerBytes);
  const dict = new HeaderParser(headerText, (m) => fail(`bad .npy header (${m})`)).parse();
  const { descr, fortran_order: fortran, shape } = dict;
  if (typeof descr !== "string") return fail("bad .npy header: 'descr' missing or not a string");
  if (typeof fortran !== "boolean") return fail("bad .npy header: 'fortran_order' missing");
  if (!Array.isArray(shape)) return fail("bad .npy header: 'shape' missing or not a tuple");
  const dtype = normalizeDescr(descr, fail);
  if (fortran && shape.filter((d) => d > 1).length > 1) {
    fail(
      "array is stored in Fortran (column-major) order; save it in C order in Python with " +
        "np.save(path, np.ascontiguousarray(arr))",
    );
  }
  if (shape.some((d) => d < 0)) fail(`bad .npy header: negative dimension in ${shapeRepr(shape)}`);

  if (options.expectDtype !== undefined) {
    const ok = typeof options.expectDtype === "string"
      ? [options.expectDtype]
      : options.expectDtype;
    if (!ok.includes(dtype)) fail(`expected dtype ${ok.join(" or ")} but the file holds ${dtype}`);
  }
  const want = options.expectShape;
  if (
    want !== undefined &&
    (want.length !== shape.length || want.some((d, i) => d !== null && d !== shape[i]))
  ) {
    const w = shapeRepr(want.map((d) => d ?? -1)).replaceAll("-1", "any");
    fail(`expected shape ${w} but the file holds ${shapeRepr(shape)}`);
  }

  const count = shape.reduce((a, b) => a * b, 1);
  const nbytes = count * ITEM_SIZE[dtype];
  const have = bytes.length - dataStart;
  if (have < nbytes) {
    fail(
      `truncated data: shape ${shapeRepr(shape)} of ${dtype} needs ${nbytes} bytes, ` +
        `file has ${have}`,
    );
  }
  if (have > nbytes) {
    fail(`${have - nbytes} unexpected bytes after the data of shape ${shapeRepr(shape)}`);
  }
  if (!LITTLE_ENDIAN_HOST) fail("big-endian hosts are not supported");
  const buf = bytes.slice(dataStart, dataStart + nbytes).buffer; // aligned copy
  let data: NpyData;
  switch (dtype) {
    case "<f4":
      data = new Float32Array(buf);
      break;
    case "<f8":
      data = new Float64Array(buf);
      break;
    case "<i4":
      data = new Int32Array(buf);
      break;
    case "|u1":
      data = new Uint8Array(buf);
      break;
    case "|b1": {
      const u = new Uint8Array(buf);
      for (let i = 0; i < u.length; i++) u[i] = u[i] ? 1 : 0;
      data = u;
      break;
    }
    case "<i8": {
      const big = new BigInt64Array(buf);
      const asFloat = options.int64As === "float64";
      const out = asFloat ? new Float64Array(count) : new Int32Array(count);
      const [lo, hi] = asFloat
        ? [BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER)]
        : [-2147483648n, 2147483647n];
      for (let i = 0; i < count; i++) {
        const v = big[i];
        if (v < lo || v > hi) {
          fail(
            asFloat
              ? `int64 value ${v} at index ${i} is beyond ±2^53 and cannot be held exactly`
              : `int64 value ${v} at index ${i} does not fit int32; ` +
                `read with { int64As: "float64" }`,
          );
        }
        out[i] = Number(v);
      }
      data = out;
      break;
    }
  }
  return { dtype, shape, data };
}

/**
 * Reads a `.npy` file (see {@linkcode decodeNpy} for what is accepted and checked).
 *
 * @example
 * ```ts
 * const y = await readNpy("processed_data/y_train.npy", {
 *   expectDtype: "|u1",
 *   expectShape: [null, 42],
 * });
 * ```
 */
export async function readNpy(path: string, options: DecodeNpyOptions = {}): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`${path}: no such .npy file; ${options.hint ?? DEFAULT_HINT}`);
    }
    throw err;
  }
  return decodeNpy(bytes, { ...options, source: options.source ?? path });
}

/**
 * Reads a 2-D `.npy` file as a {@linkcode Matrix}: float32 by default, or uint8 with
 * `dtype: "|u1"` (which also accepts `|b1` files). The file's dtype must match; a 1-D or 3-D
 * file, or a shape other than `expectShape`, throws an error naming the file.
 *
 * @example
 * ```ts
 * const X = await readMatrix("processed_data/X_train.npy", { expectShape: [6229, null] });
 * const Y = await readMatrix("processed_data/y_train.npy", { dtype: "|u1" });
 * ```
 */
export async function readMatrix(
  path: string,
  options: ReadMatrixOptions & { dtype: "|u1" },
): Promise<Matrix<Uint8Array>>;
/**
 * Reads a 2-D `<f4` `.npy` file as a float32 {@linkcode Matrix}.
 *
 * @example
 * ```ts
 * const X = await readMatrix("processed_data/X_train.npy");
 * ```
 */
export async function readMatrix(
  path: string,
  options?: ReadMatrixOptions & { dtype?: "<f4" },
): Promise<Matrix<Float32Array>>;
export async function readMatrix(
  path: string,
  options: ReadMatrixOptions = {},
): Promise<Matrix<Float32Array> | Matrix<Uint8Array>> {
  const dtype = options.dtype ?? "<f4";
  const hint = options.hint ?? DEFAULT_HINT;
  const arr = await readNpy(path, {
    expectDtype: dtype === "|u1" ? ["|u1", "|b1"] : "<f4",
    expectShape: options.expectShape ?? [null, null],
    hint,
  });
  const m = { rows: arr.shape[0], cols: arr.shape[1], data: arr.data };
  return m as Matrix<Float32Array> | Matrix<Uint8Array>;
}
