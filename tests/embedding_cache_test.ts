import assert from "node:assert/strict";
import { join } from "node:path";
import { cacheFileName, EmbeddingCache, hashTexts } from "../lib/embedders/embedding_cache.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "embedding_cache_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function vectors(rows: number, dims: number, seed: number): Float32Array {
  const out = new Float32Array(rows * dims);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(Math.sin(seed * 100 + i) + 0.01);
  return out;
}

// Header size for a model name per the documented format: 16 bytes + name, padded to 8.
const headerBytes = (model: string) =>
  Math.ceil((16 + new TextEncoder().encode(model).length) / 8) * 8;

Deno.test("hashTexts gives the standard SHA-256 of the UTF-8 text", async () => {
  const [abc, empty] = await hashTexts(["abc", ""]);
  assert.equal(abc, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

Deno.test("vectors survive close and reopen, in the documented file layout", async () => {
  await withTempDir(async (dir) => {
    const model = "embeddinggemma";
    const hashes = await hashTexts(["a", "b", "c"]);
    const v = vectors(3, 5, 1);
    const cache = await EmbeddingCache.open(dir, model);
    assert.equal(cache.dimensions, 0);
    assert.equal(cache.path, undefined);
    await cache.append(hashes.slice(0, 2), v.slice(0, 10), 5);
    await cache.append(hashes.slice(2), v.slice(10), 5);
    await cache.close();

    const path = join(dir, await cacheFileName(model, 5));
    assert.equal(cache.path, path);
    assert.match(path, /embeddinggemma-[0-9a-f]{8}\.5\.bin$/);
    const bytes = await Deno.readFile(path);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "NFXEMB01");
    assert.equal(bytes.length, headerBytes(model) + 3 * (32 + 4 * 5));

    const again = await EmbeddingCache.open(dir, model);
    try {
      assert.equal(again.size, 3);
      assert.equal(again.dimensions, 5);
      for (let r = 0; r < 3; r++) assert.deepEqual(again.get(hashes[r]), v.slice(r * 5, r * 5 + 5));
      assert.equal(again.get((await hashTexts(["d"]))[0]), undefined);
    } finally {
      await again.close();
    }
  });
});

Deno.test("a trailing partial record from a kill mid-write is dropped and truncated", async () => {
  await withTempDir(async (dir) => {
    const model = "m";
    const hashes = await hashTexts(["x", "y", "z", "w"]);
    const v = vectors(4, 3, 2);
    const cache = await EmbeddingCache.open(dir, model);
    await cache.append(hashes.slice(0, 3), v.slice(0, 9), 3);
    await cache.close();
    const path = cache.path!;
    const fullSize = (await Deno.stat(path)).size;
    // Simulate a kill halfway through writing the next record.
    const partial = new Uint8Array(32 + 5).fill(7);
    await Deno.writeFile(path, partial, { append: true });

    const reopened = await EmbeddingCache.open(dir, model);
    assert.equal(reopened.size, 3);
    assert.equal(reopened.truncatedBytes, partial.length);
    assert.equal((await Deno.stat(path)).size, fullSize);
    await reopened.append([hashes[3]], v.slice(9), 3);
    await reopened.close();

    const last = await EmbeddingCache.open(dir, model);
    try {
      assert.equal(last.size, 4);
      assert.equal(last.truncatedBytes, 0);
      for (let r = 0; r < 4; r++) assert.deepEqual(last.get(hashes[r]), v.slice(r * 3, r * 3 + 3));
    } finally {
      await last.close();
    }
  });
});

Deno.test("records with all-zero or non-finite vectors are skipped on load", async () => {
  await withTempDir(async (dir) => {
    const [good, zero, nan] = await hashTexts(["good", "zero", "nan"]);
    const cache = await EmbeddingCache.open(dir, "m");
    await cache.append([good], new Float32Array([1, 2]), 2);
    await cache.close();
    // Hand-write two damaged records in the documented layout.
    const raw = new Uint8Array(2 * (32 + 8));
    const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));
    raw.set(hex(zero), 0);
    raw.set(hex(nan), 40);
    new DataView(raw.buffer).setFloat32(72, NaN, true);
    await Deno.writeFile(cache.path!, raw, { append: true });

    const again = await EmbeddingCache.open(dir, "m");
    try {
      assert.equal(again.size, 1);
      assert.equal(again.skippedRecords, 2);
      assert.deepEqual(again.get(good), new Float32Array([1, 2]));
      assert.equal(again.get(zero), undefined);
      assert.equal(again.get(nan), undefined);
    } finally {
      await again.close();
    }
  });
});

Deno.test("a changed model or changed text never hits another entry", async () => {
  await withTempDir(async (dir) => {
    const [h] = await hashTexts(["same text"]);
    const a = await EmbeddingCache.open(dir, "org/model");
    await a.append([h], new Float32Array([1, 1]), 2);
    await a.close();
    // "org_model" sanitises to the same characters but must still be a different file.
    for (const other of ["org_model", "org/model:v2", "embeddinggemma"]) {
      const b = await EmbeddingCache.open(dir, other);
      assert.equal(b.size, 0, other);
      assert.equal(b.get(h), undefined, other);
      await b.close();
    }
    const [changed] = await hashTexts(["same text."]);
    const c = await EmbeddingCache.open(dir, "org/model");
    try {
      assert.ok(c.get(h));
      assert.equal(c.get(changed), undefined);
    } finally {
      await c.close();
    }
    assert.notEqual(await cacheFileName("org/model", 2), await cacheFileName("org_model", 2));
  });
});

Deno.test("concurrent appends are serialised and all land on disk", async () => {
  await withTempDir(async (dir) => {
    const texts = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const hashes = await hashTexts(texts);
    const v = vectors(20, 4, 3);
    const cache = await EmbeddingCache.open(dir, "m");
    await Promise.all(
      Array.from(
        { length: 10 },
        (_, b) => cache.append(hashes.slice(2 * b, 2 * b + 2), v.slice(8 * b, 8 * b + 8), 4),
      ),
    );
    await cache.close();
    const again = await EmbeddingCache.open(dir, "m");
    try {
      assert.equal(again.size, 20);
      for (let r = 0; r < 20; r++) {
        assert.deepEqual(again.get(hashes[r]), v.slice(4 * r, 4 * r + 4));
      }
    } finally {
      await again.close();
    }
  });
});

Deno.test("wrong sizes and damaged files give errors that say what to do", async () => {
  await withTempDir(async (dir) => {
    const [h] = await hashTexts(["a"]);
    const cache = await EmbeddingCache.open(dir, "m");
    await assert.rejects(
      () => cache.append([h], new Float32Array(3), 2),
      /needs 2 values but got 3/,
    );
    await cache.append([h], new Float32Array([1, 2]), 2);
    await assert.rejects(
      () => cache.append([h], new Float32Array([1, 2, 3]), 3),
      /3 dimensions but this cache holds 2-dimensional/,
    );
    await assert.rejects(() => cache.append(["nothex"], new Float32Array(2), 2), /hashTexts/);
    await cache.close();

    await Deno.writeFile(cache.path!, new TextEncoder().encode("garbage garbage garbage"));
    await assert.rejects(
      () => EmbeddingCache.open(dir, "m"),
      (err: Error) => err.message.includes(cache.path!) && /delete it and rerun/.test(err.message),
    );
  });
});
