import assert from "node:assert/strict";
import {
  type EntryRef,
  type MetricsFile,
  type ModelMetrics,
  TrainedEntries,
} from "../lib/pipeline/metrics_file.ts";

/** A model's metrics as a training gives them, with a recognisable F1 macro. */
function trained(f1: number, cacheKey: string): ModelMetrics {
  return {
    f1_macro: f1,
    f1_micro: f1 + 0.1,
    f1_samples: f1 + 0.2,
    f1_weighted: f1 + 0.3,
    exact_match: f1 / 2,
    hamming_loss: 1 - f1,
    per_genre: { Dramas: { precision: f1, recall: f1, f1, support: 3 } },
    description: "a model",
    features: ["text"],
    features_id: "abc",
    embedder: "lsa/lsa",
    n_features: 6,
    n_train: 60,
    n_test: 20,
    threshold_strategy: "global",
    thresholds: 0.3,
    cv_curve: [],
    cv_f1_macro: f1 - 0.05,
    threshold_variants: {} as ModelMetrics["threshold_variants"],
    fit_seconds: 1,
    predict_seconds: 0.1,
    cv_seconds: 2,
    trained: "2026-12-03T00:00:00.000Z",
    cache_key: cacheKey,
  } as ModelMetrics;
}

const model = (split: "random" | "temporal"): EntryRef => ({
  spec: { name: "lr", features: ["text"] },
  split,
});
const row = (split: "random" | "temporal"): EntryRef => ({
  spec: { name: "lr_ablation_text", features: ["text"] },
  split,
  ablation: "text",
});

Deno.test("TrainedEntries nests each result where metrics.json keeps it", () => {
  const entries = new TrainedEntries(null);
  entries.add(model("random"), trained(0.5, "k1"));
  entries.add(model("temporal"), trained(0.4, "k2"));
  const lr = entries.models.lr;
  assert.equal(lr.f1_macro, 0.5);
  assert.equal(lr.temporal?.f1_macro, 0.4);
  assert.equal(lr.temporal?.cache_key, "k2");
  assert.ok(!("threshold_variants" in lr.temporal!), "the temporal part keeps its split's fields");
  assert.ok(!("temporal" in lr.temporal!));

  // An ablation row keeps the scores, each genre's F1 and its feature blocks.
  entries.add(row("random"), trained(0.3, "k3"));
  entries.add(row("temporal"), trained(0.2, "k4"));
  const ablation = entries.ablation.text;
  assert.deepEqual(ablation.features, ["text"]);
  assert.equal(ablation.f1_macro, 0.3);
  assert.deepEqual(ablation.per_genre, { Dramas: 0.3 });
  assert.equal(ablation.cache_key, "k3");
  assert.equal(ablation.temporal?.f1_macro, 0.2);
  assert.equal(ablation.temporal?.cache_key, "k4");
  assert.equal(entries.ablationRows, 1);
  // A temporal row without its random row has nowhere to go.
  entries.add({ ...row("temporal"), ablation: "categorical" }, trained(0.1, "k5"));
  assert.equal(entries.ablationRows, 1);
});

Deno.test("TrainedEntries finds earlier results and keeps temporal ones made from the same inputs", () => {
  const before = new TrainedEntries(null);
  before.add(model("random"), trained(0.5, "k1"));
  before.add(model("temporal"), trained(0.4, "k2"));
  before.add(row("random"), trained(0.3, "k3"));
  before.add(row("temporal"), trained(0.2, "k4"));
  const previous = { models: before.models, ablation: before.ablation } as MetricsFile;

  const entries = new TrainedEntries(previous);
  assert.equal(entries.earlier(model("random"))?.cache_key, "k1");
  assert.equal(entries.earlier(model("temporal"))?.cache_key, "k2");
  assert.equal(entries.earlier(row("random"))?.cache_key, "k3");
  assert.equal(entries.earlier(row("temporal"))?.cache_key, "k4");
  assert.equal(
    entries.earlier({ ...model("random"), spec: { name: "other", features: ["text"] } }),
    undefined,
  );

  // A reused ablation row is placed as it was; the model is retrained with another key.
  entries.add(row("random"), entries.earlier(row("random"))!);
  entries.add(model("random"), trained(0.6, "k9"));
  entries.keepTemporal();
  assert.equal(entries.ablation.text.temporal?.f1_macro, 0.2, "same inputs: kept");
  assert.equal(entries.models.lr.temporal, undefined, "other inputs: not kept");
});
