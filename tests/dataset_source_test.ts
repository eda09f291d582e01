import assert from "node:assert/strict";
import { join } from "node:path";
import { fetchDataset } from "../lib/dataset_source.ts";
import { sha256Hex } from "../lib/sha256.ts";

Deno.test("sha256Hex matches the FIPS test vector", async () => {
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("fetchDataset copies --input, verifies and skips when in place", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = join(dir, "src.csv");
    await Deno.writeTextFile(src, "a,b\n1,2\n");
    const sum = await sha256Hex("a,b\n1,2\n");
    const out = join(dir, "data", "NetFlix.csv");
    const lines: string[] = [];
    const log = (s: string) => lines.push(s);
    const r1 = await fetchDataset({ input: src, output: out, sha256: sum, log });
    assert.equal(r1.source, "input");
    assert.equal(r1.verified, true);
    assert.equal(await Deno.readTextFile(out), "a,b\n1,2\n");
    const r2 = await fetchDataset({ output: out, sha256: sum, log });
    assert.equal(r2.source, "existing");
    // A local file with another checksum is used, with a warning.
    const r3 = await fetchDataset({ input: src, output: out, log });
    assert.equal(r3.verified, false);
    assert.ok(lines.some((l) => l.startsWith("Warning:")));
    await assert.rejects(
      () => fetchDataset({ input: join(dir, "nope.csv"), output: out, log }),
      /Cannot read --input .*nope\.csv/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fetchDataset refuses a download with the wrong checksum and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("not the data"),
  );
  try {
    const out = join(dir, "NetFlix.csv");
    const url = `http://127.0.0.1:${server.addr.port}/NetFlix.csv`;
    await assert.rejects(
      () => fetchDataset({ url, output: out, log: () => {} }),
      /SHA-256 .* expected .*Nothing was written/s,
    );
    await assert.rejects(() => Deno.stat(out));
    const good = await sha256Hex("not the data");
    const r = await fetchDataset({ url, output: out, sha256: good, log: () => {} });
    assert.equal(r.source, "download");
    await assert.rejects(
      () =>
        fetchDataset({
          url: "http://127.0.0.1:1/x.csv",
          output: join(dir, "o.csv"),
          log: () => {},
        }),
      /offline.*--input/s,
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
