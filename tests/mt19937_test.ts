import assert from "node:assert/strict";
import { RandomState } from "../lib/core/mt19937.ts";

// Written by scripts/fixtures/make_split_fixtures.py with numpy 1.24 (legacy RandomState).
const fx = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/split/mt19937.json", import.meta.url)),
);

Deno.test("seeding reproduces numpy's key state for several seeds", () => {
  for (const [seed, want] of Object.entries(fx.seeds) as [string, Record<string, unknown>][]) {
    const st = new RandomState(Number(seed)).getState();
    assert.deepEqual(Array.from(st.key.subarray(0, 5)), want.key_head, `seed ${seed}`);
    assert.equal(st.key[623], want.key_last, `seed ${seed}`);
    assert.equal(st.pos, want.pos);
  }
});

Deno.test("raw 32-bit outputs match numpy (across seeds, including 0 and 2^32-1)", () => {
  for (const [seed, want] of Object.entries(fx.seeds) as [string, { raw: number[] }][]) {
    const rs = new RandomState(Number(seed));
    const got = Array.from({ length: want.raw.length }, () => rs.nextUint32());
    assert.deepEqual(got, want.raw, `seed ${seed}`);
  }
});

Deno.test("reference MT19937 value: init_genrand(5489) first output is 3499211612", () => {
  // Independent of numpy: the published first output of the reference implementation.
  assert.equal(new RandomState(5489).nextUint32(), 3499211612);
});

Deno.test("outputs stay correct across twists (outputs 1240..1259 of seed 42)", () => {
  const rs = new RandomState(42);
  for (let i = 0; i < 1240; i++) rs.nextUint32();
  const got = Array.from({ length: 20 }, () => rs.nextUint32());
  assert.deepEqual(got, fx.raw_42_from_1240);
});

Deno.test("randomSample matches numpy's random_sample bit for bit", () => {
  for (const [seed, want] of Object.entries(fx.seeds) as [string, { random_sample: number[] }][]) {
    const rs = new RandomState(Number(seed));
    const got = want.random_sample.map(() => rs.randomSample());
    assert.deepEqual(got, want.random_sample, `seed ${seed}`);
    for (const u of got) assert.ok(u >= 0 && u < 1);
  }
});

Deno.test("permutation(7787) with seed 42 equals numpy's", () => {
  const got = new RandomState(42).permutation(7787);
  assert.equal(got.length, 7787);
  assert.deepEqual(Array.from(got), fx.permutation_42_7787);
});

Deno.test("small permutations (0, 1, 2, 3, 33) and per-seed permutation(10) match numpy", () => {
  for (const [n, want] of Object.entries(fx.permutation_small) as [string, number[]][]) {
    assert.deepEqual(Array.from(new RandomState(7).permutation(Number(n))), want, `n=${n}`);
  }
  for (const [seed, want] of Object.entries(fx.seeds) as [string, { permutation_10: number[] }][]) {
    assert.deepEqual(
      Array.from(new RandomState(Number(seed)).permutation(10)),
      want.permutation_10,
    );
  }
});

Deno.test("shuffle works on plain arrays the same way as on typed arrays", () => {
  const a = ["a", "b", "c", "d", "e", "f"];
  new RandomState(9).shuffle(a);
  const idx = new RandomState(9).permutation(6);
  assert.deepEqual(a, Array.from(idx, (i) => "abcdef"[i]));
});

Deno.test("randint: forest tree seeds and the first tree's bootstrap match sklearn/numpy", () => {
  const rs = new RandomState(42);
  const seeds = fx.forest_tree_seeds_42.map(() => rs.randint(0, 2147483647));
  assert.deepEqual(seeds, fx.forest_tree_seeds_42);
  const boot = new RandomState(seeds[0]).randint(0, 7787, { size: 7787 });
  assert.ok(boot instanceof Int32Array);
  assert.deepEqual(Array.from(boot), fx.bootstrap_first_tree_7787);
});

Deno.test("randint: negative low, empty range, 64-bit bounds and int32 edge match numpy", () => {
  const rs = new RandomState(fx.randint_misc.seed);
  for (const call of fx.randint_misc.calls) {
    const got = call.high <= 2 ** 31
      ? Array.from(rs.randint(call.low, call.high, { size: call.size }))
      : Array.from({ length: call.size }, () => rs.randint(call.low, call.high));
    assert.deepEqual(got, call.values, `randint(${call.low}, ${call.high})`);
  }
});

Deno.test("bad arguments throw clear errors", () => {
  assert.throws(() => new RandomState(-1), /seed must be an integer in \[0, 2\^32 - 1\]/);
  assert.throws(() => new RandomState(2 ** 32), /seed/);
  assert.throws(() => new RandomState(1.5), /seed/);
  const rs = new RandomState(1);
  assert.throws(() => rs.randint(5, 5), /low must be below high/);
  assert.throws(() => rs.randint(0, 2 ** 40, { size: 2 }), /fit int32/);
  assert.throws(() => rs.randomInterval(-1), /max must be/);
  assert.throws(() => rs.permutation(-3), /non-negative/);
});
