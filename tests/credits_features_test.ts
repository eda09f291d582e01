import assert from "node:assert/strict";
import { creditsDocument, CreditsEncoder } from "../lib/features/credits_features.ts";

Deno.test("creditsDocument makes one token per person, directors prefixed", () => {
  assert.equal(
    creditsDocument("Shah Rukh Khan, Kajol , Jean-Claude Van Damme", "Karan Johar"),
    "shah_rukh_khan kajol jean_claude_van_damme dir_karan_johar",
  );
  assert.equal(creditsDocument("", ""), "");
  assert.equal(creditsDocument("João Miguel, 周星馳", ""), "joão_miguel 周星馳");
});

Deno.test("CreditsEncoder: shared names give similar rows, unseen names give zeros", async () => {
  const cast = [
    "Ann Lee, Bob Ray",
    "Ann Lee, Cy Day",
    "Bob Ray, Cy Day",
    "Dee Fox, Eve Kim",
    "Dee Fox, Eve Kim, Fay Ng",
    "Fay Ng, Gus Oh",
  ];
  const director = ["Hal Ito", "Hal Ito", "", "Ida Yu", "Ida Yu", ""];
  const enc = await new CreditsEncoder({ dimensions: 3 }).fit({ cast, director });
  const m = await enc.transform({ cast: [...cast, "Nobody Known"], director: [...director, ""] });
  assert.equal(m.cols, 3);
  assert.deepEqual(enc.featureNames, ["credits_0", "credits_1", "credits_2"]);
  const row = (i: number) => m.data.subarray(i * 3, i * 3 + 3);
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, k) => s + x * b[k], 0);
  assert.ok(dot(row(0), row(1)) > dot(row(0), row(3)), "titles sharing people are closer");
  assert.deepEqual([...row(6)], [0, 0, 0]);
  // Saved and reloaded, it encodes identically.
  const dir = await Deno.makeTempDir();
  try {
    await enc.save(dir);
    const again = await (await CreditsEncoder.load(dir)).transform({ cast, director });
    assert.deepEqual(again.data, m.data.subarray(0, 18));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
