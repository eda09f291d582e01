/**
 * Re-records the vectors of tests/fixtures/use_reference.json (not run by the tests or by
 * `deno task bench`). The fixture was first recorded with the tfjs-models tokenizer as an oracle
 * for the token ids (see its `how`); this script keeps those ids as the reference: it tokenizes
 * each sentence with our {@linkcode SentencePieceTokenizer}, stops if any id differs, then runs
 * the package's graph on tfjs's plain-JavaScript `cpu` back end (not the wasm back end the encoder
 * uses), all sentences in one batch, and writes the vectors back with a new `how`.
 *
 * Usage: `npx deno run -A bench/use_reference_record.ts`
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { atomicWrite } from "../lib/io/atomic_write.ts";
import { readUseWeights } from "../lib/embedders/use_encoder.ts";
import { SentencePieceTokenizer } from "../lib/text/sentence_piece.ts";

const FIXTURE = new URL("../tests/fixtures/use_reference.json", import.meta.url);

interface Fixture {
  how: string;
  package: string;
  version: string;
  weightsSha256: string;
  tolerance: number;
  sentences: { text: string; ids: number[]; vector: number[] }[];
}

if (import.meta.main) {
  const fixture: Fixture = JSON.parse(await Deno.readTextFile(FIXTURE));
  const weights = await readUseWeights();
  const tokenizer = await SentencePieceTokenizer.fromFile(weights.vocabPath);
  for (const s of fixture.sentences) {
    const ids = Array.from(tokenizer.encode(s.text));
    if (JSON.stringify(ids) !== JSON.stringify(s.ids)) {
      console.error(
        `Our tokenizer gives ${JSON.stringify(ids)} for ${JSON.stringify(s.text)} but the ` +
          `fixture's reference ids are ${JSON.stringify(s.ids)}; fix the tokenizer first.`,
      );
      Deno.exit(1);
    }
  }
  await tf.setBackend("cpu");
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: weights.modelJson.modelTopology,
    weightSpecs: weights.modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.shards,
  }));
  const pairs: number[] = [];
  const values: number[] = [];
  fixture.sentences.forEach((s, i) =>
    s.ids.forEach((id, p) => {
      pairs.push(i, p);
      values.push(id);
    })
  );
  if (fixture.sentences.at(-1)!.ids.length === 0) {
    throw new Error("the last fixture sentence must have tokens (the graph would drop its row)");
  }
  const output = await model.executeAsync({
    indices: tf.tensor2d(pairs, [values.length, 2], "int32"),
    values: tf.tensor1d(values, "int32"),
  }) as tf.Tensor;
  const data = await output.data() as Float32Array;
  const commit = new TextDecoder().decode(
    (await new Deno.Command("git", { args: ["rev-parse", "--short", "HEAD"] }).output()).stdout,
  ).trim();
  fixture.how =
    `Vectors re-recorded on ${new Date().toISOString().slice(0, 10)} (commit ${commit}) ` +
    "by bench/use_reference_record.ts: the package's graph on @tensorflow/tfjs's cpu back end, all " +
    "sentences in one batch, fed the token ids below. The ids were first recorded from the " +
    "tfjs-models Universal Sentence Encoder tokenizer (commit 18a7342, Apache-2.0) run as an " +
    "oracle outside the repository, and still equal this project's tokenizer's.";
  fixture.weightsSha256 = weights.sha256;
  fixture.version = weights.packageVersion;
  fixture.sentences.forEach((s, i) => {
    s.vector = Array.from(
      data.subarray(i * 512, (i + 1) * 512),
      (x) => Number(x.toPrecision(9)),
    );
  });
  const text = JSON.stringify(fixture, null, 1).replace(
    /\[\n[\s\d.,eE+-]*\]/g,
    (m) => "[" + m.slice(1, -1).replace(/\s+/g, "") + "]",
  );
  await atomicWrite(FIXTURE.pathname, text + "\n");
  console.log(`wrote ${fixture.sentences.length} vectors to ${FIXTURE.pathname}`);
}
