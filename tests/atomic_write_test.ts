import assert from "node:assert/strict";
import { recoverDir, writeDirAtomically } from "../lib/io/atomic_write.ts";

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
