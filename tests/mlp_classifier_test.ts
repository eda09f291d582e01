import assert from "node:assert/strict";
import { fromRows, labelsFromRows } from "../lib/core/matrix.ts";
import { f1Score, perLabelScores } from "../lib/metrics/multi_label_metrics.ts";
import { MlpClassifier } from "../lib/models/mlp_classifier.ts";
import { split, synthetic } from "./support/synthetic_multilabel.ts";

const small = { hiddenSizes: [32], epochs: 80, batchSize: 64, learningRate: 5e-3, patience: 8 };

Deno.test("MlpClassifier learns a linearly separable multi-label problem", async () => {
  const { X, Y } = synthetic(900, 16, 4, 1, { noise: 0.05 });
  const [Xa, Xb] = split(X, 700), [Ya, Yb] = split(Y, 700);
  const mlp = await new MlpClassifier({ ...small, dropout: 0.1 }).fit(Xa, Ya);
  const macro = f1Score(Yb, await mlp.predict(Xb, 0.5), { average: "macro" });
  assert.ok(macro > 0.85, `held-out F1 macro ${macro}`);
  assert.ok(
    mlp.bestEpoch >= 1 && mlp.bestEpoch <= mlp.epochsRun,
    `${mlp.bestEpoch}/${mlp.epochsRun}`,
  );
});

Deno.test("MlpClassifier does not learn random labels (held-out F1 ≈ chance)", async () => {
  const { X, Y } = synthetic(1000, 16, 3, 2, { random: true });
  const [Xa, Xb] = split(X, 700), [Ya, Yb] = split(Y, 700);
  const mlp = await new MlpClassifier({ ...small, dropout: 0.3 }).fit(Xa, Ya);
  const pred = await mlp.predict(Xb, 0.3);
  const s = perLabelScores(Yb, pred);
  for (let j = 0; j < 3; j++) {
    let p = 0, q = 0;
    for (let i = 0; i < Yb.rows; i++) p += Yb.data[i * 3 + j], q += pred.data[i * 3 + j];
    p /= Yb.rows, q /= Yb.rows;
    const chance = q === 0 ? 0 : (2 * p * q) / (p + q);
    assert.ok(Math.abs(s.f1[j] - chance) < 0.1, `label ${j}: F1 ${s.f1[j]} vs chance ${chance}`);
  }
});

Deno.test("MlpClassifier positiveWeight 'balanced' raises recall of a rare label", async () => {
  const { X, Y } = synthetic(1500, 10, 1, 3, { noise: 0.6, bias: -6 });
  const [Xa, Xb] = split(X, 1000), [Ya, Yb] = split(Y, 1000);
  const plain = await new MlpClassifier(small).fit(Xa, Ya);
  const weighted = await new MlpClassifier({ ...small, positiveWeight: "balanced" }).fit(Xa, Ya);
  const rPlain = perLabelScores(Yb, await plain.predict(Xb)).recall[0];
  const rWeighted = perLabelScores(Yb, await weighted.predict(Xb)).recall[0];
  assert.ok(rWeighted > rPlain + 0.2, `recall weighted ${rWeighted} vs plain ${rPlain}`);
});

Deno.test("MlpClassifier is deterministic for a seed and round-trips through JSON", async () => {
  const { X, Y } = synthetic(300, 8, 3, 4, { noise: 0.3 });
  const opts = { ...small, epochs: 10, dropout: 0.2, seed: 5 };
  const a = await new MlpClassifier(opts).fit(X, Y);
  const b = await new MlpClassifier(opts).fit(X, Y);
  const c = await new MlpClassifier({ ...opts, seed: 6 }).fit(X, Y);
  const pa = await a.predictProba(X);
  assert.deepEqual((await b.predictProba(X)).data, pa.data, "same seed, same model");
  assert.notDeepEqual((await c.predictProba(X)).data, pa.data, "another seed, another model");
  const copy = a.clone().importState(structuredClone(a.exportState()));
  assert.deepEqual((await copy.predictProba(X)).data, pa.data);
  assert.deepEqual(
    (await copy.predict(X, [0.1, 0.5, 0.9])).data,
    (await a.predict(X, [0.1, 0.5, 0.9])).data,
  );
  const state = a.exportState();
  state.arrays.kernel_1 = state.arrays.kernel_1.slice(0, 12);
  assert.throws(() => a.clone().importState(state), /arrays\.kernel_1 has 12 values, expected/);
});

Deno.test("MlpClassifier: clear errors for bad input", async () => {
  const X = fromRows([[0, 1], [1, 0], [1, 1]]);
  const Y = labelsFromRows([[0], [1], [1]]);
  const mlp = new MlpClassifier({ hiddenSizes: [4], epochs: 2, validationFraction: 0 });
  await assert.rejects(() => mlp.predict(X), /call fit\(\)/);
  await assert.rejects(() => mlp.fit(X, labelsFromRows([[0], [1]])), /3 rows but Y has 2/);
  await assert.rejects(
    () => mlp.fit(fromRows([[0, 1], [1, Infinity], [1, 1]]), Y),
    /X\[1, 1\] is Infinity/,
  );
  await mlp.fit(X, Y);
  await assert.rejects(
    () => mlp.predictProba(fromRows([[1, 2, 3]])),
    /3 feature columns .* fitted on 2/,
  );
  assert.throws(() => new MlpClassifier({ dropout: 1 }), /dropout must be in \[0, 1\)/);
  assert.throws(() => new MlpClassifier({ hiddenSizes: [0] }), /positive integers/);
});

Deno.test("MlpClassifier trains with input dropout", async () => {
  const { MlpClassifier } = await import("../lib/models/mlp_classifier.ts");
  const n = 120;
  const X = { rows: n, cols: 3, data: new Float32Array(n * 3) };
  const Y = { rows: n, cols: 1, data: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    X.data[i * 3] = (i % 10) / 5 - 1;
    X.data[i * 3 + 1] = ((i * 7) % 13) / 6.5 - 1;
    X.data[i * 3 + 2] = ((i * 3) % 11) / 5.5 - 1;
    Y.data[i] = X.data[i * 3] > 0 ? 1 : 0;
  }
  const mlp = new MlpClassifier({
    hiddenSizes: [16],
    inputDropout: 0.2,
    epochs: 300,
    learningRate: 0.02,
    patience: 300,
    seed: 3,
  });
  await mlp.fit(X, Y);
  const pred = await mlp.predict(X, 0.5);
  let correct = 0;
  for (let i = 0; i < n; i++) correct += pred.data[i] === Y.data[i] ? 1 : 0;
  if (correct / n < 0.8) throw new Error(`accuracy ${correct / n} with input dropout`);
});

Deno.test("MlpClassifier's first Adam step moves every weight against its loss gradient", async () => {
  // One full-batch step without dropout, decay or validation: Adam's first step is
  // −lr·g/(|g| + ε), so each weight moves by ≈ lr against the sign of ∂loss/∂w. The gradient is
  // measured here by central differences of the loss the model's own probabilities give.
  const { X, Y } = synthetic(40, 3, 2, 7, { noise: 0.5 });
  const opts = {
    hiddenSizes: [4],
    dropout: 0,
    weightDecay: 0,
    validationFraction: 0,
    batchSize: 64,
    learningRate: 1e-3,
    seed: 2,
  };
  const start = (await new MlpClassifier({ ...opts, epochs: 0 }).fit(X, Y)).exportState();
  const stepped = (await new MlpClassifier({ ...opts, epochs: 1 }).fit(X, Y)).exportState();
  const loss = async (state: typeof start): Promise<number> => {
    const P = await new MlpClassifier(opts).importState(state).predictProba(X);
    let s = 0;
    for (let i = 0; i < P.data.length; i++) {
      const p = Math.min(Math.max(P.data[i], 1e-7), 1 - 1e-7);
      s -= Y.data[i] ? Math.log(p) : Math.log(1 - p);
    }
    return s / P.data.length;
  };
  let checked = 0;
  const layers = Object.keys(start.arrays).filter((k) => k.startsWith("kernel_")).length;
  for (let l = 0; l < layers; l++) {
    for (const part of ["kernel", "bias"] as const) {
      const name = `${part}_${l}`;
      const w0 = start.arrays[name] as Float32Array;
      const w1 = stepped.arrays[name] as Float32Array;
      for (let i = 0; i < w0.length; i++) {
        const at = (delta: number) => {
          const state = structuredClone(start);
          const w = w0.slice();
          w[i] += delta;
          state.arrays[name] = w;
          return loss(state);
        };
        const g = ((await at(1e-2)) - (await at(-1e-2))) / 2e-2;
        if (Math.abs(g) < 1e-3) continue; // too flat to tell the sign in float32
        const moved = w1[i] - w0[i];
        assert.ok(
          Math.sign(moved) === -Math.sign(g) && Math.abs(Math.abs(moved) - 1e-3) < 2e-4,
          `layer ${l} ${part}[${i}]: moved ${moved} with gradient ${g}`,
        );
        checked++;
      }
    }
  }
  assert.ok(checked >= 15, `only ${checked} weights had a measurable gradient`);
});
