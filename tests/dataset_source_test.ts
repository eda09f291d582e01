import assert from "node:assert/strict";
import { join } from "node:path";
import { fetchDataset } from "../lib/data/dataset_source.ts";
import { sha256Hex } from "../lib/core/sha256.ts";
import { syntheticCsv } from "./support/synthetic_titles.ts";

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
    const other = join(dir, "other.csv");
    await Deno.writeTextFile(other, syntheticCsv(4));
    const out2 = join(dir, "data", "Other.csv");
    const r3 = await fetchDataset({ input: other, output: out2, log });
    assert.equal(r3.source, "input");
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

Deno.test("fetchDataset never replaces an existing file with other contents without --force", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "data", "NetFlix.csv");
    const verifiedText = "show_id\ns1\n";
    const published = await sha256Hex(verifiedText);
    await Deno.mkdir(join(dir, "data"));
    await Deno.writeTextFile(out, verifiedText);
    const same = join(dir, "same.csv");
    await Deno.writeTextFile(same, verifiedText);
    const other = join(dir, "other.csv");
    await Deno.writeTextFile(other, syntheticCsv(3));
    const otherSum = await sha256Hex(syntheticCsv(3));
    const lines: string[] = [];
    const log = (s: string) => lines.push(s);

    // Same bytes: nothing to do, says so.
    const r1 = await fetchDataset({ input: same, output: out, sha256: published, log });
    assert.equal(r1.source, "existing");
    assert.equal(r1.verified, true);
    assert.match(lines.at(-1)!, /already there.*same contents/);

    // Different bytes: refused, naming both checksums and --force; the file is kept.
    await assert.rejects(
      () => fetchDataset({ input: other, output: out, sha256: published, log }),
      (err: Error) => {
        assert.ok(err.message.includes(published), "names the existing file's SHA-256");
        assert.ok(err.message.includes(otherSum), "names the input's SHA-256");
        assert.match(err.message, /--force/);
        assert.match(err.message, /It was kept/);
        return true;
      },
    );
    assert.equal(await Deno.readTextFile(out), verifiedText);

    // An unverified file in place is not replaced by a download either (no network needed:
    // the refusal comes first).
    await Deno.writeTextFile(out, "my own variant\n");
    await assert.rejects(
      () => fetchDataset({ output: out, url: "http://127.0.0.1:1/x.csv", sha256: published, log }),
      /already exists but is not the published NetFlix\.csv.*--force/s,
    );
    assert.equal(await Deno.readTextFile(out), "my own variant\n");

    // With --force it is replaced.
    const r2 = await fetchDataset({ input: other, output: out, force: true, log });
    assert.equal(r2.source, "input");
    assert.equal(await Deno.readTextFile(out), syntheticCsv(3));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A loopback server that accepts one connection, reads the request, optionally sends `reply`,
 * then sends nothing more. It stops by itself when the client hangs up, or after 10 s.
 */
function stallingServer(reply?: string): { url: string; stopped: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let conn: Deno.Conn | undefined;
  const stop = () => {
    try {
      conn?.close();
    } catch { /* already closed */ }
    try {
      listener.close();
    } catch { /* already closed */ }
  };
  const deadline = setTimeout(stop, 10_000);
  const stopped = (async () => {
    try {
      conn = await listener.accept();
      const buf = new Uint8Array(4096);
      await conn.read(buf);
      if (reply) await conn.write(new TextEncoder().encode(reply));
      while ((await conn.read(buf)) !== null) { /* wait for the client to hang up */ }
    } catch {
      /* closed by stop() */
    } finally {
      clearTimeout(deadline);
      stop();
    }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  return { url: `http://127.0.0.1:${port}/NetFlix.csv`, stopped };
}

async function assertNothingWritten(dir: string) {
  const names = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  assert.deepEqual(names, [], "no file and no temporary file left");
}

for (
  const [name, reply] of [
    ["never answers", undefined],
    [
      "sends headers and a few bytes, then stalls",
      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshow_id,",
    ],
  ] as const
) {
  Deno.test(`fetchDataset: a download that ${name} stops with a clear message`, async () => {
    const dir = await Deno.makeTempDir();
    const server = stallingServer(reply);
    try {
      const t0 = performance.now();
      await assert.rejects(
        () =>
          fetchDataset({
            url: server.url,
            output: join(dir, "NetFlix.csv"),
            stallTimeoutMs: 300,
            log: () => {},
          }),
        (err: Error) => {
          assert.match(err.message, /stalled: nothing arrived for 0\.3 s/);
          assert.match(err.message, reply ? /\(8 bytes received\)/ : /\(0 bytes received\)/);
          assert.match(err.message, /Nothing was written.*--input/s);
          return true;
        },
      );
      assert.ok(performance.now() - t0 < 5000, "gave up promptly");
      await assertNothingWritten(dir);
    } finally {
      await server.stopped;
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("fetchDataset: a download cut short leaves no partial file", async () => {
  const dir = await Deno.makeTempDir();
  // Promises 1000 bytes, sends 8, hangs up.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(4096));
    await conn.write(
      new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshow_id,"),
    );
    conn.close();
    listener.close();
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    await assert.rejects(
      () =>
        fetchDataset({
          url: `http://127.0.0.1:${port}/NetFlix.csv`,
          output: join(dir, "NetFlix.csv"),
          stallTimeoutMs: 2000,
          log: () => {},
        }),
      /broke off after 8 bytes.*Nothing was written/s,
    );
    await assertNothingWritten(dir);
  } finally {
    await served;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fetchDataset checks an unverified file's columns and rows before replacing anything", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "data", "NetFlix.csv");
    await Deno.mkdir(join(dir, "data"));
    const good = syntheticCsv(5);
    await Deno.writeTextFile(out, good);
    const lines: string[] = [];
    const log = (s: string) => lines.push(s);
    // A file of other columns, even with --force: refused, naming missing and extra columns.
    const other = join(dir, "other.csv");
    await Deno.writeTextFile(other, "id,name,plot\n1,A,A story.\n");
    await assert.rejects(
      () => fetchDataset({ input: other, output: out, force: true, log }),
      (err: Error) => {
        assert.match(
          err.message,
          /other\.csv is not NetFlix\.csv-shaped: it lacks the column\(s\) /,
        );
        assert.match(err.message, /show_id, type, title/);
        assert.match(err.message, /has column\(s\) NetFlix\.csv does not \(id, name, plot\)/);
        assert.match(err.message, /NetFlix\.csv was left as it was/);
        assert.match(err.message, /Point --input \(or NETFLIX_CSV\)/);
        return true;
      },
    );
    assert.equal(await Deno.readTextFile(out), good);
    assert.ok(!lines.some((l) => /^Wrote/.test(l)), lines.join("\n"));
    // The right columns with a shifted row: refused naming the row.
    const shifted = good.split("\n");
    shifted[2] = shifted[2].replace(",Movie,", ",Movie,Extra,");
    await Deno.writeTextFile(other, shifted.join("\n"));
    await assert.rejects(
      () => fetchDataset({ input: other, output: out, force: true, log }),
      /row 2 .*field fields: has 13 fields[\s\S]*left as it was/,
    );
    assert.equal(await Deno.readTextFile(out), good);
    // No file there yet: the same check, nothing written.
    const fresh = join(dir, "fresh", "NetFlix.csv");
    await assert.rejects(() => fetchDataset({ input: other, output: fresh, log }), /has 13 fields/);
    await assert.rejects(() => Deno.stat(join(dir, "fresh", "NetFlix.csv")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
