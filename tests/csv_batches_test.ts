import assert from "node:assert/strict";
import { join } from "node:path";
import { csvBatches } from "../lib/data/csv_batches.ts";
import { InputError, parseTitles } from "../lib/data/netflix_csv.ts";

const HEADER =
  "show_id,type,title,director,cast,country,date_added,release_year,rating,duration,genres,description";

/** Records with quoted commas, doubled quotes, newlines and \r\n inside quotes, multi-byte text. */
const TRICKY = [
  's1,Movie,"Say ""Hi"", Bob",,,India,1-Jan-20,2020,PG,90,"Dramas, Comedies","One,\nline ""two"""',
  "s2,TV Show,東京物語,,,Japan,,1953,,2,International TV Shows,Ñandú ¿qué? Καλημέρα 🎬",
  's3,Movie,Plain,,,,,2001,R,100,Dramas,"Windows\r\nline\r\nbreaks"',
  's4,"Movie",",,,",,,,,2002,R,100,Dramas,"""Quoted"" at both ends"',
  's5,Movie,"""",,,,,2003,R,100,Dramas,"Only, a quote"',
  "s6,Movie,Six,,,,,2004,R,100,Dramas,Six.",
  's7,Movie,Seven,,,,,2005,R,100,Dramas,"A quoted newline\nin the middle"',
  "s8,Movie,Eight,,,,,2006,R,100,Dramas,Eight.",
  "s9,Movie,Nine,,,,,2007,R,100,Dramas,Nine.",
  "s10,Movie,Ten,,,,,2008,R,100,Dramas,Ten — the last one.",
];

async function withFile(
  content: string | Uint8Array,
  body: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "in.csv");
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    await body(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function collect(path: string, rows: number, chunkBytes?: number) {
  const out = [];
  for await (const b of csvBatches(path, { rows, chunkBytes })) out.push(b);
  return out;
}

for (const eol of ["\n", "\r\n"]) {
  Deno.test(`csvBatches: batches joined back equal the records (${JSON.stringify(eol)})`, async () => {
    const content = [HEADER, ...TRICKY].join(eol) + eol;
    const whole = parseTitles(content).titles;
    await withFile(content, async (path) => {
      for (const chunkBytes of [1, 3, 17, 1 << 20]) {
        for (const rows of [1, 2, 7]) {
          const batches = await collect(path, rows, chunkBytes);
          assert.equal(batches.length, Math.ceil(TRICKY.length / rows));
          // Records are byte-exact: header + records joined back give the file.
          const joined = HEADER + eol +
            batches.map((b) => b.text.slice(HEADER.length + 1)).join("");
          assert.equal(joined, content, `rows ${rows}, chunk ${chunkBytes}`);
          let expectFirst = 1;
          for (const b of batches) {
            assert.ok(b.text.startsWith(HEADER + "\n"), "header repeated");
            assert.equal(b.firstRow, expectFirst);
            assert.ok(b.rows >= 1 && b.rows <= rows);
            const { titles } = parseTitles(b.text, { firstRow: b.firstRow });
            assert.equal(titles.length, b.rows);
            for (let i = 0; i < titles.length; i++) {
              const fileRow = titles.rowNumber[i];
              assert.equal(fileRow, b.firstRow + i);
              const j = fileRow - 1;
              assert.equal(titles.showId[i], whole.showId[j]);
              assert.equal(titles.title[i], whole.title[j]);
              assert.equal(titles.description[i], whole.description[j]);
              assert.equal(titles.showId[i], `s${fileRow}`, "row numbers are the file's");
            }
            expectFirst += b.rows;
          }
          assert.equal(expectFirst - 1, TRICKY.length);
        }
      }
    });
  });
}

Deno.test("csvBatches: last record without a line ending, blank lines count as rows", async () => {
  await withFile([HEADER, TRICKY[5], "", TRICKY[7]].join("\n"), async (path) => {
    const batches = await collect(path, 2, 5);
    assert.deepEqual(batches.map((b) => [b.firstRow, b.rows]), [[1, 2], [3, 1]]);
    assert.ok(batches[1].text.endsWith("Eight."));
    // The blank line is row 2, as parseTitles on the whole file reports it.
    assert.throws(() => parseTitles(batches[0].text), /row 2, field show_id/);
  });
});

Deno.test("csvBatches: a multi-byte character split across chunks stays whole", async () => {
  // "é" (2 bytes), "東" (3 bytes) and "🎬" (4 bytes); 1- and 2-byte chunks split all of them.
  const content = `${HEADER}\ns1,Movie,é東🎬,,,,,2020,PG,90,Dramas,"é,\n東🎬"\n`;
  await withFile(content, async (path) => {
    for (const chunkBytes of [1, 2, 3, 5]) {
      const [b] = await collect(path, 10, chunkBytes);
      const { titles } = parseTitles(b.text);
      assert.equal(titles.title[0], "é東🎬");
      assert.equal(titles.description[0], "é,\n東🎬");
    }
  });
});

Deno.test("csvBatches: bytes that are not UTF-8 name the file's row", async () => {
  const enc = new TextEncoder();
  const rows = [HEADER, ...TRICKY.slice(0, 6)].join("\n") + "\n";
  const bad = new Uint8Array([
    ...enc.encode(rows),
    ...Uint8Array.from("s7,Movie,Am\xe9lie,,,,,2001,R,122,Comedies,Shy.\n", (c) => c.charCodeAt(0)),
    ...enc.encode(TRICKY[7] + "\n"),
  ]);
  await withFile(bad, async (path) => {
    for (const rowsPerBatch of [1, 4, 100]) {
      await assert.rejects(() => collect(path, rowsPerBatch, 7), (err: Error) => {
        assert.ok(err instanceof InputError);
        assert.match(err.message, /not UTF-8.*data row 7 \(the header is not counted\)/);
        assert.match(err.message, /iconv -f latin1 -t utf-8/);
        return true;
      });
    }
  });
  const badHeader = Uint8Array.from("show_\xefd,type\ns1,Movie\n", (c) => c.charCodeAt(0));
  await withFile(badHeader, async (path) => {
    await assert.rejects(() => collect(path, 2, 4), /not UTF-8.*in the header/);
  });
});

Deno.test("csvBatches: empty file and an unclosed quote are named", async () => {
  await withFile("", async (path) => {
    await assert.rejects(() => collect(path, 2), /in\.csv: the file is empty/);
  });
  await withFile(`${HEADER}\n${TRICKY[5]}\ns2,Movie,"Never closed,,\n`, async (path) => {
    await assert.rejects(() => collect(path, 2), /data row 2 opens a quoted field/);
  });
  await withFile(HEADER, async (path) => {
    assert.deepEqual(await collect(path, 2), [], "a header alone gives no batches");
  });
  await assert.rejects(() => collect("/nonexistent/x.csv", 2), /file not found/);
});

Deno.test("makeBigCsv repeats records with new show_ids, parseable in batches", async () => {
  const { makeBigCsv } = await import("../bench/make_big_csv.ts");
  const source = [HEADER, ...TRICKY.slice(0, 3)].join("\n"); // last record without "\n"
  await withFile(source, async (path) => {
    const output = path.replace(/in\.csv$/, "big.csv");
    await makeBigCsv({ input: path, output, rows: 8 });
    const ids: string[] = [];
    let descriptions = 0;
    for await (const b of csvBatches(output, { rows: 3, chunkBytes: 64 })) {
      const { titles } = parseTitles(b.text);
      ids.push(...titles.showId);
      descriptions += titles.description.filter((d) => d === 'One,\nline "two"').length;
    }
    assert.deepEqual(ids, ["s1", "s2", "s3", "s1_r2", "s2_r2", "s3_r2", "s1_r3", "s2_r3"]);
    assert.equal(descriptions, 3, "quoted newlines copied byte for byte");
  });
});
