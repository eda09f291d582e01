import assert from "node:assert/strict";
import {
  atomicWrite,
  recoverDir,
  removeStaleTemporaries,
  writeDirAtomically,
  writeStreamAtomically,
} from "../lib/io/atomic_write.ts";

const present = async (path: string) => await Deno.stat(path).then(() => true, () => false);

Deno.test("recoverDir keeps a running process's unfinished folder and removes a dead one's", async () => {
  const root = await Deno.makeTempDir();
  // A live owner: a child that sleeps; a dead owner: a child that has already exited.
  const sleeper = new Deno.Command(Deno.execPath(), {
    args: ["eval", "await new Promise((r) => setTimeout(r, 20000))"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const exited = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
  await exited.status;
  try {
    const live = `${root}/.features.partial-${sleeper.pid}-aaaa`;
    const dead = `${root}/.features.partial-${exited.pid}-bbbb`;
    await Deno.mkdir(live);
    await Deno.mkdir(dead);
    const notes = await recoverDir(`${root}/features`);
    assert.ok(await present(live), "the running process's folder is kept");
    assert.ok(!(await present(dead)), "the dead process's folder is removed");
    assert.deepEqual(notes, [`removed the unfinished ${dead} left by an interrupted run`]);
  } finally {
    sleeper.kill();
    await sleeper.status;
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recoverDir restores the previous folder when a kill fell between the two renames", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeDirAtomically(`${root}/features`, (tmp) => Deno.writeTextFile(`${tmp}/a`, "v1"));
    // As if killed after `features` was moved aside and before the new one was moved in.
    await Deno.rename(`${root}/features`, `${root}/.features.old-1-cccc`);
    const notes = await recoverDir(`${root}/features`);
    assert.equal(await Deno.readTextFile(`${root}/features/a`), "v1");
    assert.match(notes.join("\n"), /restored .*features from .*\.features\.old-1-cccc/);
    assert.ok(!(await present(`${root}/.features.old-1-cccc`)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** The pid of a process that has exited (a child that ran and ended). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
  await child.status;
  return child.pid;
}

Deno.test("every write tidies a killed process's temporaries of any name, never a live one's", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dead = await deadPid();
    // As a SIGKILL leaves them: a model folder being saved, a streamed output, a small file,
    // a folder moved aside, and the names earlier versions used.
    const stale = [
      `.best.partial-${dead}-0a1b2c3d`,
      `.predictions.csv.partial-${dead}-0a1b2c3d`,
      `.config.json.partial-${dead}-deadbeef`,
      `.predictions.csv.${dead}.partial`,
      `metrics.json.${dead}.0a1b2c3d.tmp`,
    ];
    const live = [`.best.partial-${Deno.pid}-0a1b2c3d`, `.lr.partial-${Deno.pid}-11112222`];
    const unrelated = [".best.partial-notes", "best.partial", ".cache"];
    await Deno.mkdir(`${root}/${stale[0]}`);
    await Deno.writeTextFile(`${root}/${stale[0]}/model.json`, "39 MB of weights");
    for (const f of stale.slice(1)) await Deno.writeTextFile(`${root}/${f}`, "half");
    await Deno.mkdir(`${root}/${live[0]}`);
    await Deno.writeTextFile(`${root}/${live[1]}`, "being written");
    for (const f of unrelated) await Deno.writeTextFile(`${root}/${f}`, "keep");
    // A folder moved aside by a killed replace of `lr`, with `lr` gone: put back.
    await Deno.mkdir(`${root}/.lr.old-${dead}-33334444`);
    await Deno.writeTextFile(`${root}/.lr.old-${dead}-33334444/a`, "previous lr");

    // A later write of another name into the same folder tidies them.
    await atomicWrite(`${root}/other.json`, "{}");
    const names = [...Deno.readDirSync(root)].map((e) => e.name).sort();
    assert.deepEqual(names, [...live, ...unrelated, "lr", "other.json"].sort());
    assert.equal(await Deno.readTextFile(`${root}/lr/a`), "previous lr");

    // The same through the other two writers.
    await Deno.writeTextFile(`${root}/.x.partial-${dead}-0a1b2c3d`, "half");
    await writeStreamAtomically(`${root}/y.csv`, async (f) => {
      await f.write(new TextEncoder().encode("a\n"));
      return true;
    });
    assert.ok(!(await present(`${root}/.x.partial-${dead}-0a1b2c3d`)));
    await Deno.mkdir(`${root}/.z.partial-${dead}-0a1b2c3d`);
    await writeDirAtomically(`${root}/w`, (tmp) => Deno.writeTextFile(`${tmp}/a`, "w"));
    assert.ok(!(await present(`${root}/.z.partial-${dead}-0a1b2c3d`)));
    for (const f of live) assert.ok(await present(`${root}/${f}`), `${f} is kept`);
    assert.deepEqual(await removeStaleTemporaries(root), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a temporary is named for its target and owner, and is gone after the write", async () => {
  const root = await Deno.makeTempDir();
  try {
    const seen: string[] = [];
    await writeStreamAtomically(`${root}/p.csv`, async (f) => {
      seen.push(...[...Deno.readDirSync(root)].map((e) => e.name));
      await f.write(new TextEncoder().encode("a\n"));
      return true;
    });
    assert.equal(seen.length, 1);
    assert.match(seen[0], new RegExp(`^\\.p\\.csv\\.partial-${Deno.pid}-[0-9a-f]{8}$`));
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["p.csv"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a folder as the target of a file write is refused before anything is written", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/out`);
    await assert.rejects(
      () => writeStreamAtomically(`${root}/out`, () => Promise.resolve(true)),
      /out is a folder, so no file can be written there/,
    );
    await assert.rejects(() => atomicWrite(`${root}/out`, "x"), /is a folder/);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["out"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
