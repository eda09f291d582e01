import assert from "node:assert/strict";
import { decodeNpy, encodeNpy, readMatrix, readNpy, writeNpy } from "../lib/io/npy.ts";

// Files written by numpy 1.24 (scripts/fixtures/make_split_fixtures.py).
const fx = (name: string) => new URL(`./fixtures/npy/${name}`, import.meta.url).pathname;

const F4_VALUES = [0.5, -1.25, 3.0, 1e-3, Infinity, -0, 7.5, 2 ** -10, 1, 2, 3, 4];

Deno.test("reads numpy's 2-D float32 file", async () => {
  const a = await readNpy(fx("f4_3x4.npy"));
  assert.equal(a.dtype, "<f4");
  assert.deepEqual(a.shape, [3, 4]);
  assert.ok(a.data instanceof Float32Array);
  assert.deepEqual(Array.from(a.data), Array.from(Float32Array.from(F4_VALUES)));
  assert.ok(Object.is(a.data[5], -0));
});

Deno.test("reads numpy's uint8, int32, float64 and bool files", async () => {
  const u = await readNpy(fx("u1_2x5.npy"));
  assert.equal(u.dtype, "|u1");
  assert.deepEqual(u.shape, [2, 5]);
  assert.deepEqual(Array.from(u.data), [0, 1, 0, 1, 1, 255, 0, 7, 0, 1]);

  const i = await readNpy(fx("i4_1d.npy"));
  assert.equal(i.dtype, "<i4");
  assert.deepEqual(i.shape, [6]);
  assert.ok(i.data instanceof Int32Array);
  assert.deepEqual(Array.from(i.data), [5, -3, 0, 2147483647, -2147483648, 42]);

  const f = await readNpy(fx("f8_2x2.npy"));
  assert.ok(f.data instanceof Float64Array);
  assert.deepEqual(Array.from(f.data), [0.1, -2.0, 1e300, 3.5]);

  const b = await readNpy(fx("b1_1d.npy"));
  assert.equal(b.dtype, "|b1");
  assert.deepEqual(Array.from(b.data), [1, 0, 1]);
});

Deno.test("int64 becomes Int32Array by default, Float64Array on request", async () => {
  const a = await readNpy(fx("i8_1d.npy"));
  assert.equal(a.dtype, "<i8");
  assert.ok(a.data instanceof Int32Array);
  assert.deepEqual(Array.from(a.data), [0, -1, 7786, 2 ** 31 - 1, -(2 ** 31)]);

  await assert.rejects(
    () => readNpy(fx("i8_big.npy")),
    /i8_big\.npy: int64 value 1099511627776 at index 1 does not fit int32; read with \{ int64As: "float64" \}/,
  );
  const big = await readNpy(fx("i8_big.npy"), { int64As: "float64" });
  assert.ok(big.data instanceof Float64Array);
  assert.deepEqual(Array.from(big.data), [1, 2 ** 40, -(2 ** 52)]);
});

Deno.test("reads format 2.0 and 3.0 headers and an empty (0, 3) array", async () => {
  const v2 = await readNpy(fx("f4_v2.npy"));
  assert.deepEqual(v2.shape, [3, 4]);
  assert.deepEqual(Array.from(v2.data), Array.from(Float32Array.from(F4_VALUES)));
  const v3 = await readNpy(fx("i4_v3.npy"));
  assert.deepEqual(v3.shape, [2, 3]);
  assert.deepEqual(Array.from(v3.data), [0, 1, 2, 3, 4, 5]);
  const e = await readNpy(fx("f4_empty_0x3.npy"));
  assert.deepEqual(e.shape, [0, 3]);
  assert.equal(e.data.length, 0);
});

Deno.test("our encoding is byte-identical to numpy.save", async () => {
  for (const name of ["f4_3x4.npy", "u1_2x5.npy", "i4_1d.npy", "f8_2x2.npy", "f4_empty_0x3.npy"]) {
    const theirs = await Deno.readFile(fx(name));
    const a = decodeNpy(theirs);
    const ours = a.shape.length === 1
      ? encodeNpy(a.data)
      : encodeNpy({ rows: a.shape[0], cols: a.shape[1], data: a.data });
    assert.deepEqual(ours, theirs, name);
  }
});

Deno.test("header is padded to a multiple of 64 bytes and ends with a newline", () => {
  for (const n of [0, 1, 9, 10, 12345, 1e9]) {
    const bytes = encodeNpy({ rows: n, cols: 0, data: new Float32Array(0) });
    const hlen = bytes[8] | (bytes[9] << 8);
    assert.equal((10 + hlen) % 64, 0, `rows=${n}`);
    assert.equal(bytes[10 + hlen - 1], 0x0a);
    const text = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
    assert.match(
      text,
      new RegExp(`^\\{'descr': '<f4', 'fortran_order': False, 'shape': \\(${n}, 0\\), \\} +\\n$`),
    );
  }
});

Deno.test("writeNpy/readMatrix round-trips every writable dtype", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const X = { rows: 2, cols: 3, data: Float32Array.from([1.5, -2, 0, 3.25, 1e-8, -7]) };
    await writeNpy(`${dir}/X.npy`, X);
    assert.deepEqual(await readMatrix(`${dir}/X.npy`, { expectShape: [2, null] }), X);

    const Y = { rows: 3, cols: 2, data: Uint8Array.from([0, 1, 1, 0, 1, 1]) };
    await writeNpy(`${dir}/sub/Y.npy`, Y); // creates the folder
    assert.deepEqual(await readMatrix(`${dir}/sub/Y.npy`, { dtype: "|u1" }), Y);

    const idx = Int32Array.from([4, -1, 2147483647]);
    await writeNpy(`${dir}/idx.npy`, idx);
    const r = await readNpy(`${dir}/idx.npy`, { expectDtype: "<i4", expectShape: [3] });
    assert.deepEqual(r, { dtype: "<i4", shape: [3], data: idx });

    const d = Float64Array.from([Math.PI, -0.1]);
    await writeNpy(`${dir}/d.npy`, d);
    assert.deepEqual((await readNpy(`${dir}/d.npy`)).data, d);

    // conversion on write
    await writeNpy(`${dir}/c.npy`, Float64Array.from([1, 2, 255]), { dtype: "|u1" });
    const c = await readNpy(`${dir}/c.npy`);
    assert.equal(c.dtype, "|u1");
    assert.deepEqual(Array.from(c.data), [1, 2, 255]);
    await assert.rejects(
      () => writeNpy(`${dir}/bad.npy`, Float32Array.from([1, 2.5]), { dtype: "<i4" }),
      /bad\.npy: encodeNpy: value 2\.5 at index 1 does not fit dtype <i4/,
    );
    // no temp files left behind
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["X.npy", "c.npy", "d.npy", "idx.npy", "sub"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("expectShape / expectDtype mismatches name the file, both sides and the fix", async () => {
  await assert.rejects(
    () => readNpy(fx("f4_3x4.npy"), { expectShape: [7787, null] }),
    (e: Error) => {
      assert.match(
        e.message,
        /f4_3x4\.npy: expected shape \(7787, any\) but the file holds \(3, 4\)/,
      );
      assert.match(e.message, /re-run `deno task preprocess`/);
      return true;
    },
  );
  await assert.rejects(
    () => readNpy(fx("f4_3x4.npy"), { expectDtype: "|u1", hint: "run make_data.ts" }),
    /f4_3x4\.npy: expected dtype \|u1 but the file holds <f4; run make_data\.ts/,
  );
  await assert.rejects(
    () => readMatrix(fx("i4_1d.npy")),
    /expected dtype <f4 but the file holds <i4/,
  );
  await assert.rejects(
    () => readMatrix(fx("f4_3d.npy")),
    /expected shape \(any, any\) but the file holds \(2, 2, 2\)/,
  );
  await assert.rejects(
    () => readMatrix(fx("f4_3x4.npy"), { dtype: "|u1" }),
    /expected dtype \|u1 or \|b1/,
  );
});

Deno.test("rejects big-endian and Fortran-ordered files with a fix in the message", async () => {
  await assert.rejects(
    () => readNpy(fx("f4_bigendian.npy")),
    /f4_bigendian\.npy: dtype '>f4' is big-endian; save it little-endian .*astype\('<f4'\)/,
  );
  await assert.rejects(
    () => readNpy(fx("f4_fortran.npy")),
    /f4_fortran\.npy: array is stored in Fortran \(column-major\) order.*ascontiguousarray/,
  );
});

Deno.test("rejects truncated files, wrong magic, trailing bytes and missing files", async () => {
  const good = await Deno.readFile(fx("f4_3x4.npy"));
  assert.throws(
    () => decodeNpy(good.subarray(0, good.length - 3), { source: "cut.npy" }),
    /cut\.npy: truncated data: shape \(3, 4\) of <f4 needs 48 bytes, file has 45/,
  );
  assert.throws(
    () => decodeNpy(good.subarray(0, 40), { source: "h.npy" }),
    /h\.npy: truncated \.npy header/,
  );
  assert.throws(() => decodeNpy(good.subarray(0, 4)), /not a NumPy \.npy file/);
  const wrong = good.slice();
  wrong[1] = 0x58;
  assert.throws(() => decodeNpy(wrong, { source: "w.npy" }), /w\.npy: not a NumPy \.npy file/);
  const ver = good.slice();
  ver[6] = 9;
  assert.throws(() => decodeNpy(ver), /unsupported \.npy format version 9\.0/);
  const extra = new Uint8Array(good.length + 4);
  extra.set(good);
  assert.throws(() => decodeNpy(extra), /4 unexpected bytes after the data/);
  const garbled = good.slice();
  garbled[10] = "[".charCodeAt(0);
  assert.throws(() => decodeNpy(garbled), /bad \.npy header/);
  await assert.rejects(
    () => readNpy("/nonexistent/x.npy"),
    /\/nonexistent\/x\.npy: no such \.npy file/,
  );
});

Deno.test("encodeNpy rejects a matrix whose data does not match its shape", () => {
  assert.throws(
    () => encodeNpy({ rows: 2, cols: 2, data: new Float32Array(3) }),
    /matrix shape 2×2 needs 4 values but data holds 3/,
  );
});
