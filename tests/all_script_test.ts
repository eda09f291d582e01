import assert from "node:assert/strict";
import { stageCommands } from "../scripts/all.ts";

const argsOf = (flags: Parameters<typeof stageCommands>[0]) =>
  Object.fromEntries(stageCommands(flags).map((s) => [s.name, s.args]));

Deno.test("deno task all runs the five stages in order", () => {
  assert.deepEqual(
    stageCommands({}).map((s) => s.name),
    ["data", "preprocess", "train", "explain", "report"],
  );
});

Deno.test("deno task all trains without the ablation unless --ablation is given", () => {
  assert.ok(argsOf({}).train.includes("--no-ablation"));
  assert.ok(!argsOf({ ablation: true }).train.includes("--no-ablation"));
  for (const [name, args] of Object.entries(argsOf({}))) {
    if (name !== "train") assert.ok(!args.includes("--no-ablation"), name);
  }
});

Deno.test("deno task all --force redoes preprocess, train and explain only", () => {
  const forced = Object.entries(argsOf({ force: true }))
    .filter(([, args]) => args.includes("--force"))
    .map(([name]) => name);
  assert.deepEqual(forced, ["preprocess", "train", "explain"]);
  assert.ok(Object.values(argsOf({})).every((args) => !args.includes("--force")));
});

Deno.test("deno task all refuses an unknown flag and names it", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../scripts/all.ts", import.meta.url).pathname, "--no-ablation"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /no-ablation/);
});
