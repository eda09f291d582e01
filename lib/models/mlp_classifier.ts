/**
 * A multi-label multilayer perceptron in tfjs: input → hidden layers (ReLU, dropout) → one
 * sigmoid per label, trained with Adam on binary cross-entropy (optionally weighting each
 * label's positives), with early stopping on a validation split carved from the training rows.
 *
 * Determinism: weights are initialised, rows shuffled, the validation split drawn and dropout
 * masks seeded from `seed` (Mersenne Twister, {@linkcode RandomState}); on the single-threaded
 * wasm backend the same seed, data and options give the same model bit for bit. Other backends
 * (e.g. a GPU) may differ in the last bits of their sums.
 *
 * Save/load: {@linkcode MlpClassifier.toJSON} stores each layer's kernel (inputs × outputs,
 * row-major) and bias as base64 of little-endian float32.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { atomicWriteJson } from "../io/atomic_write.ts";
import { checkFeatures, checkLabels, type MultiLabelEstimator } from "../core/estimator.ts";
import { base64ToFloat32, float32ToBase64 } from "../core/float32_base64.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../core/matrix.ts";
import { binarize } from "../metrics/multi_label_metrics.ts";
import { readJsonFile } from "../io/read_json.ts";
import { RandomState } from "../core/mt19937.ts";
import { useFastBackend } from "../core/tf_backend.ts";

const MLP_FILE = "mlp.json";

/** Options for {@linkcode MlpClassifier}. */
export interface MlpClassifierOptions {
  /** Units of each hidden layer (default `[512]`). */
  hiddenSizes?: number[];
  /** Dropout rate after each hidden layer (default 0.5). */
  dropout?: number;
  /** Dropout rate on the inputs (default 0). */
  inputDropout?: number;
  /** Maximum training epochs (default 200; early stopping usually ends sooner). */
  epochs?: number;
  /** Rows per gradient step (default 256). */
  batchSize?: number;
  /** Adam learning rate (default 2e-3). */
  learningRate?: number;
  /**
   * L2 penalty `weightDecay/2 · Σ‖W‖²` on kernels, added to the loss averaged over rows and
   * labels (default 1e-6; ≈ 1/(C·rows·labels) matches logistic regression's strength).
   */
  weightDecay?: number;
  /**
   * Weight of each label's positive rows in the loss: `null` (1), `"balanced"`
   * (`negatives/positives`), `"sqrt"` (its square root), or one number per label.
   */
  positiveWeight?: null | "balanced" | "sqrt" | number[];
  /** Fraction of training rows held out for early stopping (default 0.1; 0 disables). */
  validationFraction?: number;
  /** Epochs without validation-loss improvement before stopping (default 10). */
  patience?: number;
  /** Seed for initialisation, shuffling, the validation split and dropout (default 0). */
  seed?: number;
  /** Log one line per epoch to stderr (default false). */
  verbose?: boolean;
}

/** One dense layer in the serialised form. */
export interface MlpLayerJSON {
  /** Inputs of the layer. */
  inputs: number;
  /** Outputs of the layer. */
  outputs: number;
  /** base64 little-endian float32, inputs × outputs row-major. */
  kernel: string;
  /** base64 little-endian float32, one per output. */
  bias: string;
}

/** The serialised form produced by {@linkcode MlpClassifier.toJSON}. */
export interface MlpClassifierJSON {
  /** Always `"MlpClassifier"`. */
  kind: "MlpClassifier";
  /** Format version (1). */
  version: 1;
  /** Options the model was built with. */
  options: Required<Omit<MlpClassifierOptions, "positiveWeight">> & {
    positiveWeight: MlpClassifierOptions["positiveWeight"];
  };
  /** Input features. */
  nFeatures: number;
  /** Labels. */
  nLabels: number;
  /** Layers, input side first. */
  layers: MlpLayerJSON[];
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  /** Epochs run. */
  epochsRun: number;
}

interface Layer {
  inputs: number;
  outputs: number;
  kernel: Float32Array;
  bias: Float32Array;
}

/**
 * Multi-label MLP classifier with the project's estimator shape.
 *
 * @example
 * ```ts
 * import { fromRows, labelsFromRows } from "../core/matrix.ts";
 * const X = fromRows([[0, 1], [1, 0], [1, 1], [0, 0]]);
 * const Y = labelsFromRows([[0, 1], [1, 0], [1, 1], [0, 0]]);
 * const mlp = new MlpClassifier({ hiddenSizes: [16], epochs: 50, validationFraction: 0 });
 * await mlp.fit(X, Y);
 * const P = await mlp.predictProba(X); // 4 × 2
 * const copy = MlpClassifier.fromJSON(mlp.toJSON());
 * ```
 */
export class MlpClassifier implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "mlp";
  /** The options in force (defaults filled in). */
  readonly options: MlpClassifierJSON["options"];
  /** Input features seen in fit. */
  nFeatures = 0;
  /** Labels seen in fit. */
  nLabels = 0;
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch = 0;
  /** Epochs run. */
  epochsRun = 0;
  /** Validation loss after each epoch (empty without a validation split). */
  history: number[] = [];
  #layers: Layer[] = [];

  constructor(options: MlpClassifierOptions = {}) {
    this.options = {
      hiddenSizes: options.hiddenSizes ?? [512],
      dropout: options.dropout ?? 0.5,
      inputDropout: options.inputDropout ?? 0,
      epochs: options.epochs ?? 200,
      batchSize: options.batchSize ?? 256,
      learningRate: options.learningRate ?? 2e-3,
      weightDecay: options.weightDecay ?? 1e-6,
      positiveWeight: options.positiveWeight ?? null,
      validationFraction: options.validationFraction ?? 0.1,
      patience: options.patience ?? 10,
      seed: options.seed ?? 0,
      verbose: options.verbose ?? false,
    };
    const o = this.options;
    for (const [name, v] of [["dropout", o.dropout], ["inputDropout", o.inputDropout]] as const) {
      if (!(v >= 0 && v < 1)) {
        throw new RangeError(`MlpClassifier: ${name} must be in [0, 1), got ${v}`);
      }
    }
    if (!(o.validationFraction >= 0 && o.validationFraction < 1)) {
      throw new RangeError(
        `MlpClassifier: validationFraction must be in [0, 1), got ${o.validationFraction}`,
      );
    }
    if (o.hiddenSizes.some((h) => !(Number.isInteger(h) && h > 0))) {
      throw new RangeError(
        `MlpClassifier: hiddenSizes must be positive integers, got [${o.hiddenSizes}]`,
      );
    }
  }

  /** Trains the network; keeps the weights of the epoch with the lowest validation loss. */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this> {
    checkFeatures(X, "MlpClassifier.fit");
    checkLabels(Y, X.rows, "MlpClassifier.fit");
    await useFastBackend();
    const o = this.options;
    const n = X.rows, d = X.cols, L = Y.cols;
    const rng = new RandomState(o.seed);
    const perm = rng.permutation(n);
    const nVal = o.validationFraction > 0 ? Math.max(1, Math.round(n * o.validationFraction)) : 0;
    if (n - nVal < 1) throw new RangeError(`MlpClassifier.fit: ${n} rows leave none to train on`);
    const valIdx = Array.from(perm.subarray(0, nVal));
    const trainIdx = Array.from(perm.subarray(nVal));

    // Positive weights from the training part only.
    const pw = new Float32Array(L).fill(1);
    if (o.positiveWeight !== null) {
      if (Array.isArray(o.positiveWeight)) {
        if (o.positiveWeight.length !== L) {
          throw new RangeError(
            `MlpClassifier.fit: positiveWeight has ${o.positiveWeight.length} entries for ${L} labels`,
          );
        }
        pw.set(o.positiveWeight);
      } else {
        for (let j = 0; j < L; j++) {
          let pos = 0;
          for (const i of trainIdx) pos += Y.data[i * L + j];
          const ratio = pos === 0 ? 1 : (trainIdx.length - pos) / pos;
          pw[j] = o.positiveWeight === "balanced" ? ratio : Math.sqrt(ratio);
        }
      }
    }

    // Initialise: He-uniform for ReLU layers, Glorot-uniform for the output layer; output bias
    // at the logit of each label's training rate.
    const sizes = [d, ...o.hiddenSizes, L];
    const layers: Layer[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l], fanOut = sizes[l + 1];
      const last = l + 2 === sizes.length;
      const limit = last ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
      const kernel = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < kernel.length; i++) kernel[i] = (2 * rng.randomSample() - 1) * limit;
      const bias = new Float32Array(fanOut);
      if (last) {
        for (let j = 0; j < L; j++) {
          let pos = 0;
          for (const i of trainIdx) pos += Y.data[i * L + j];
          const rate = Math.min(Math.max(pos / trainIdx.length, 1e-4), 1 - 1e-4);
          bias[j] = Math.log(rate / (1 - rate));
        }
      }
      layers.push({ inputs: fanIn, outputs: fanOut, kernel, bias });
    }

    const xf = X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
    const Xall = tf.tensor2d(xf, [n, d]);
    const Yall = tf.tensor2d(Float32Array.from(Y.data), [n, L]);
    const pwT = tf.tensor1d(pw);
    const kernels = layers.map((l, i) =>
      tf.variable(tf.tensor2d(l.kernel, [l.inputs, l.outputs]), true, `k${i}`)
    );
    const biases = layers.map((l, i) => tf.variable(tf.tensor1d(l.bias), true, `b${i}`));
    const optimizer = tf.train.adam(o.learningRate);
    const valX = nVal > 0 ? tf.gather(Xall, tf.tensor1d(valIdx, "int32")) : null;
    const valY = nVal > 0 ? tf.gather(Yall, tf.tensor1d(valIdx, "int32")) : null;

    const forward = (x: tf.Tensor2D, train: boolean, seed: number): tf.Tensor2D => {
      let h = x;
      if (train && o.inputDropout > 0) {
        h = tf.dropout(h, o.inputDropout, undefined, seed) as tf.Tensor2D;
      }
      for (let l = 0; l < kernels.length; l++) {
        const product = !train
          ? tf.matMul(h, kernels[l])
          : l === 0 && o.inputDropout === 0
          ? inputProduct(h, kernels[0])
          : hiddenProduct(h, kernels[l]);
        h = tf.add(product, biases[l]);
        if (l + 1 < kernels.length) {
          h = tf.relu(h);
          if (train && o.dropout > 0) {
            h = tf.dropout(h, o.dropout, undefined, seed + 7919 * (l + 1)) as tf.Tensor2D;
          }
        }
      }
      return h; // logits
    };
    // Products whose gradients avoid wasm's ~10× slower transposed-operand matMul: transpose
    // explicitly, then multiply. The input product needs no gradient for its (constant) rows.
    type GradArg = tf.Tensor | tf.GradSaveFunc;
    const inputProduct = (x: tf.Tensor2D, k: tf.Tensor2D): tf.Tensor2D =>
      tf.customGrad((...args: GradArg[]) => ({
        value: tf.matMul(x, args[0] as tf.Tensor2D),
        gradFunc: (dy: tf.Tensor) => tf.matMul(tf.transpose(x), dy as tf.Tensor2D),
      }))(k) as tf.Tensor2D;
    const hiddenProduct = tf.customGrad((...args: GradArg[]) => {
      const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
      save([a, b]);
      return {
        value: tf.matMul(a, b),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1] as tf.Tensor2D)),
          tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
        ],
      };
    }) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;
    // Weighted BCE from logits: (1−y)·z + (1 + (pw−1)·y)·softplus(−z), mean over rows and labels.
    const bce = (z: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar => {
      const lw = tf.add(1, tf.mul(tf.sub(pwT, 1), y));
      const sp = tf.softplus(tf.neg(z));
      return tf.mean(tf.add(tf.mul(tf.sub(1, y), z), tf.mul(lw, sp)));
    };

    const snapshot = (): Layer[] =>
      layers.map((l, i) => ({
        inputs: l.inputs,
        outputs: l.outputs,
        kernel: Float32Array.from(kernels[i].dataSync() as Float32Array),
        bias: Float32Array.from(biases[i].dataSync() as Float32Array),
      }));

    let best = Infinity, bestLayers = snapshot(), bestEpoch = 0, since = 0, epoch = 0;
    this.history = [];
    try {
      for (epoch = 1; epoch <= o.epochs; epoch++) {
        const order = rng.permutation(trainIdx.length);
        for (let start = 0; start < order.length; start += o.batchSize) {
          const end = Math.min(order.length, start + o.batchSize);
          const idx = new Int32Array(end - start);
          for (let a = start; a < end; a++) idx[a - start] = trainIdx[order[a]];
          const seed = rng.randint(0, 2 ** 31 - 1);
          tf.tidy(() => {
            const it = tf.tensor1d(idx, "int32");
            const xb = tf.gather(Xall, it) as tf.Tensor2D;
            const yb = tf.gather(Yall, it) as tf.Tensor2D;
            optimizer.minimize(() => {
              let loss = bce(forward(xb, true, seed), yb);
              if (o.weightDecay > 0) {
                for (const k of kernels) {
                  loss = tf.add(loss, tf.mul(o.weightDecay / 2, tf.sum(tf.square(k))));
                }
              }
              return loss as tf.Scalar;
            }, false);
          });
        }
        if (valX === null || valY === null) {
          bestEpoch = epoch;
          continue;
        }
        const vl = tf.tidy(() =>
          bce(forward(valX as tf.Tensor2D, false, 0), valY as tf.Tensor2D).dataSync()[0]
        );
        this.history.push(vl);
        if (o.verbose) {
          console.error(`MlpClassifier epoch ${epoch}: validation loss ${vl.toFixed(5)}`);
        }
        if (vl < best - 1e-6) {
          best = vl, bestEpoch = epoch, since = 0;
          bestLayers = snapshot();
        } else if (++since >= o.patience) break;
      }
      this.#layers = valX === null ? snapshot() : bestLayers;
    } finally {
      tf.dispose([Xall, Yall, pwT, ...kernels, ...biases]);
      if (valX) tf.dispose([valX, valY!]);
      optimizer.dispose();
    }
    this.nFeatures = d;
    this.nLabels = L;
    this.bestEpoch = bestEpoch;
    this.epochsRun = Math.min(epoch, o.epochs);
    return this;
  }

  #proba(X: Matrix<MatrixData>, where: string): Matrix {
    if (this.#layers.length === 0) {
      throw new Error(`MlpClassifier.${where}: call fit() or fromJSON() first`);
    }
    checkFeatures(X, `MlpClassifier.${where}`, this.nFeatures);
    const xf = X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
    const out = tf.tidy(() => {
      let h: tf.Tensor2D = tf.tensor2d(xf, [X.rows, X.cols]);
      this.#layers.forEach((l, i) => {
        h = tf.add(tf.matMul(h, tf.tensor2d(l.kernel, [l.inputs, l.outputs])), tf.tensor1d(l.bias));
        h = i + 1 < this.#layers.length ? tf.relu(h) : tf.sigmoid(h);
      });
      return h;
    });
    const data = Float32Array.from(out.dataSync() as Float32Array);
    out.dispose();
    return { rows: X.rows, cols: this.nLabels, data };
  }

  /** Probabilities, rows × labels (float32). Runs on the wasm backend. */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    await useFastBackend();
    return this.#proba(X, "predictProba");
  }

  /** 0/1 predictions, `p >= threshold` (one number or one per label; default 0.5). */
  async predict(
    X: Matrix<MatrixData>,
    thresholds: number | ArrayLike<number> = 0.5,
  ): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), thresholds);
  }

  /** Writes `mlp.json` (the {@linkcode toJSON} snapshot) into `dir`. */
  async save(dir: string): Promise<void> {
    await atomicWriteJson(join(dir, MLP_FILE), this.toJSON());
  }

  /** Loads a model written by {@linkcode MlpClassifier.save}. */
  static async load(dir: string): Promise<MlpClassifier> {
    return MlpClassifier.fromJSON(await readJsonFile(join(dir, MLP_FILE)));
  }

  /** A JSON-safe snapshot (see the module doc for the encoding). */
  toJSON(): MlpClassifierJSON {
    if (this.#layers.length === 0) {
      throw new Error("MlpClassifier.toJSON: nothing to save; call fit() first");
    }
    return {
      kind: "MlpClassifier",
      version: 1,
      options: structuredClone(this.options),
      nFeatures: this.nFeatures,
      nLabels: this.nLabels,
      layers: this.#layers.map((l) => ({
        inputs: l.inputs,
        outputs: l.outputs,
        kernel: float32ToBase64(l.kernel),
        bias: float32ToBase64(l.bias),
      })),
      bestEpoch: this.bestEpoch,
      epochsRun: this.epochsRun,
    };
  }

  /** Rebuilds a model saved with {@linkcode MlpClassifier.toJSON}. */
  static fromJSON(json: MlpClassifierJSON): MlpClassifier {
    if (json?.kind !== "MlpClassifier" || json.version !== 1) {
      throw new Error(
        `MlpClassifier.fromJSON: expected kind "MlpClassifier" version 1, got ${json?.kind} ` +
          `version ${json?.version}`,
      );
    }
    const m = new MlpClassifier(json.options);
    m.nFeatures = json.nFeatures;
    m.nLabels = json.nLabels;
    m.bestEpoch = json.bestEpoch;
    m.epochsRun = json.epochsRun;
    m.#layers = json.layers.map((l, i) => {
      const prev = i === 0 ? json.nFeatures : json.layers[i - 1].outputs;
      if (l.inputs !== prev) {
        throw new RangeError(
          `MlpClassifier.fromJSON: layer ${i} takes ${l.inputs} inputs but receives ${prev}`,
        );
      }
      return {
        inputs: l.inputs,
        outputs: l.outputs,
        kernel: base64ToFloat32(l.kernel, l.inputs * l.outputs),
        bias: base64ToFloat32(l.bias, l.outputs),
      };
    });
    if (m.#layers.at(-1)?.outputs !== json.nLabels) {
      throw new RangeError(
        `MlpClassifier.fromJSON: the last layer does not output ${json.nLabels} labels`,
      );
    }
    return m;
  }
}
