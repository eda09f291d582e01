/**
 * A multi-label multilayer perceptron: input → hidden layers (ReLU, dropout) → one sigmoid per
 * label, trained with Adam on binary cross-entropy (optionally weighting each label's
 * positives), with early stopping on a validation split carved from the training rows.
 *
 * The forward and backward passes are written out on typed arrays; their matrix products run
 * on OpenBLAS when it is installed, else on tfjs' wasm back end (`core/native_blas.ts`). Per epoch
 * that is ~5× faster than tfjs' automatic differentiation on wasm (bench/speed_results.md).
 *
 * Determinism: weights are initialised, rows shuffled and the validation split drawn from `seed`
 * (Mersenne Twister, {@linkcode RandomState}), which also seeds each batch's dropout masks. Both
 * product back ends are single-threaded, so the same seed, data and options give the same model
 * bit for bit on one machine; the two back ends differ in the last bits of their sums.
 *
 * Fitted state ({@linkcode MlpClassifier.exportState}): each layer's kernel (`kernel_<l>`,
 * inputs × outputs, row-major float32) and bias (`bias_<l>`), the kept epoch and the validation
 * losses.
 *
 * @module
 */

import {
  checkFeatures,
  checkLabels,
  type EstimatorSpec,
  type FittedState,
  type MultiLabelEstimator,
} from "../core/estimator.ts";
import type { LabelMatrix, Matrix, MatrixData } from "../core/matrix.ts";
import { binarize } from "../metrics/multi_label_metrics.ts";
import { stateChecker } from "./state_checks.ts";
import { RandomState } from "../core/mt19937.ts";
import { matMul, type Sgemm } from "../core/native_blas.ts";

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

/** The options in force (defaults filled in): the model's params. */
export type MlpParams = Required<Omit<MlpClassifierOptions, "positiveWeight">> & {
  positiveWeight: Exclude<MlpClassifierOptions["positiveWeight"], undefined>;
};

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
 * const copy = mlp.clone().importState(mlp.exportState());
 * ```
 */
export class MlpClassifier implements MultiLabelEstimator {
  /** Registry key of saved models. */
  readonly kind = "mlp";
  /** The options in force (defaults filled in). */
  readonly options: MlpParams;
  /** One computation (its batches run in turn). */
  readonly splitsFit = false;
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

  /** Kind and params. */
  spec(): EstimatorSpec {
    return { kind: this.kind, params: structuredClone(this.options) };
  }

  /** A new, unfitted model with the same params. */
  clone(): MlpClassifier {
    return new MlpClassifier(structuredClone(this.options));
  }

  /** Trains the network; keeps the weights of the epoch with the lowest validation loss. */
  async fit(X: Matrix<MatrixData>, Y: LabelMatrix): Promise<this> {
    checkFeatures(X, "MlpClassifier.fit");
    checkLabels(Y, X.rows, "MlpClassifier.fit");
    const o = this.options;
    const n = X.rows, d = X.cols, L = Y.cols;
    const rng = new RandomState(o.seed);
    const perm = rng.permutation(n);
    const nVal = o.validationFraction > 0 ? Math.max(1, Math.round(n * o.validationFraction)) : 0;
    if (n - nVal < 1) throw new RangeError(`MlpClassifier.fit: ${n} rows leave none to train on`);
    const valIdx = Array.from(perm.subarray(0, nVal));
    const trainIdx = Array.from(perm.subarray(nVal));

    // Each label's positives among the training part (for its weight and its output bias).
    const positives = new Float64Array(L);
    for (const i of trainIdx) {
      for (let j = 0; j < L; j++) positives[j] += Y.data[i * L + j];
    }
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
          const pos = positives[j];
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
          const rate = Math.min(Math.max(positives[j] / trainIdx.length, 1e-4), 1 - 1e-4);
          bias[j] = Math.log(rate / (1 - rate));
        }
      }
      layers.push({ inputs: fanIn, outputs: fanOut, kernel, bias });
    }

    const xf = X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
    const sgemm = await matMul();
    const nLayers = layers.length;
    const kernels = layers.map((l) => l.kernel), biases = layers.map((l) => l.bias);
    const adam = new Adam([...kernels, ...biases], o.learningRate);
    const valX = nVal > 0 ? gatherRows(xf, d, valIdx) : null;
    const valY = nVal > 0 ? gatherRows(Y.data, L, valIdx) : null;
    const snapshot = (): Layer[] =>
      layers.map((l) => ({ ...l, kernel: l.kernel.slice(), bias: l.bias.slice() }));

    let best = Infinity, bestLayers = snapshot(), bestEpoch = 0, since = 0, epoch = 0;
    this.history = [];
    for (epoch = 1; epoch <= o.epochs; epoch++) {
      const order = rng.permutation(trainIdx.length);
      for (let start = 0; start < order.length; start += o.batchSize) {
        const end = Math.min(order.length, start + o.batchSize);
        const rows = end - start;
        const idx = new Int32Array(rows);
        for (let a = start; a < end; a++) idx[a - start] = trainIdx[order[a]];
        const dropRng = mulberry32(rng.randint(0, 2 ** 31 - 1));
        // Forward, keeping every layer's input; dropout zeroes units in place (inverted
        // dropout), so a unit passes gradient back exactly where its stored activation is > 0.
        const xb = gatherRows(xf, d, idx);
        if (o.inputDropout > 0) dropout(xb, o.inputDropout, dropRng);
        const inputs: Float32Array[] = [xb];
        let z = xb;
        for (let l = 0; l < nLayers; l++) {
          const { inputs: fanIn, outputs: fanOut } = layers[l];
          z = sgemm(inputs[l], kernels[l], { m: rows, n: fanOut, k: fanIn });
          addBias(z, biases[l]);
          if (l + 1 < nLayers) {
            relu(z);
            if (o.dropout > 0) dropout(z, o.dropout, dropRng);
            inputs.push(z);
          }
        }
        // Backward: d(mean weighted BCE)/d logits, then layer by layer.
        let dz = bceGradient(z, gatherRows(Y.data, L, idx), pw);
        const grads: Float32Array[] = new Array(2 * nLayers);
        for (let l = nLayers - 1; l >= 0; l--) {
          const { inputs: fanIn, outputs: fanOut } = layers[l];
          const gk = sgemm(inputs[l], dz, { m: fanIn, n: fanOut, k: rows, transposeA: true });
          if (o.weightDecay > 0) {
            const k = kernels[l];
            for (let i = 0; i < gk.length; i++) gk[i] += o.weightDecay * k[i];
          }
          grads[l] = gk;
          grads[nLayers + l] = columnSums(dz, rows, fanOut);
          if (l > 0) {
            const dh = sgemm(dz, kernels[l], { m: rows, n: fanIn, k: fanOut, transposeB: true });
            const h = inputs[l], scale = o.dropout > 0 ? 1 / (1 - o.dropout) : 1;
            for (let i = 0; i < dh.length; i++) dh[i] = h[i] > 0 ? dh[i] * scale : 0;
            dz = dh;
          }
        }
        adam.step(grads);
      }
      if (valX === null || valY === null) {
        bestEpoch = epoch;
        continue;
      }
      const vl = meanBce(forwardLogits(sgemm, layers, valX, nVal), valY, pw);
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
    this.nFeatures = d;
    this.nLabels = L;
    this.bestEpoch = bestEpoch;
    this.epochsRun = Math.min(epoch, o.epochs);
    return this;
  }

  /** Probabilities, rows × labels (float32). */
  async predictProba(X: Matrix<MatrixData>): Promise<Matrix> {
    if (this.#layers.length === 0) {
      throw new Error(
        "MlpClassifier.predictProba: the model is not fitted; call fit() or load a saved model first",
      );
    }
    checkFeatures(X, "MlpClassifier.predictProba", this.nFeatures);
    const xf = X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
    const data = forwardLogits(await matMul(), this.#layers, xf, X.rows);
    for (let i = 0; i < data.length; i++) data[i] = 1 / (1 + Math.exp(-data[i]));
    return { rows: X.rows, cols: this.nLabels, data };
  }

  /** 0/1 predictions, `p >= threshold` (one number or one per label; default 0.5). */
  async predict(
    X: Matrix<MatrixData>,
    thresholds: number | ArrayLike<number> = 0.5,
  ): Promise<LabelMatrix> {
    return binarize(await this.predictProba(X), thresholds);
  }

  /** What fit learned: the layers' kernels and biases, the kept epoch, the validation losses. */
  exportState(): FittedState {
    if (this.#layers.length === 0) {
      throw new Error("MlpClassifier.exportState: the model is not fitted; call fit() first");
    }
    const arrays: FittedState["arrays"] = {};
    this.#layers.forEach((l, i) => {
      arrays[`kernel_${i}`] = l.kernel;
      arrays[`bias_${i}`] = l.bias;
    });
    return {
      json: {
        nFeatures: this.nFeatures,
        nLabels: this.nLabels,
        sizes: [this.nFeatures, ...this.#layers.map((l) => l.outputs)],
        bestEpoch: this.bestEpoch,
        epochsRun: this.epochsRun,
        history: [...this.history],
      },
      arrays,
      parts: {},
    };
  }

  /**
   * Restores a state from {@linkcode exportState}, checking it: the layer sizes chain from the
   * features to the labels (and match `hiddenSizes`), every weight is finite.
   */
  importState(state: FittedState): this {
    const check = stateChecker("MlpClassifier", state);
    const nFeatures = check.count("nFeatures"), nLabels = check.count("nLabels");
    const expected = [nFeatures, ...this.options.hiddenSizes, nLabels];
    const sizes = check.counts("sizes", expected.length);
    if (sizes.some((v, i) => v !== expected[i])) {
      check.fail(
        `json.sizes is [${sizes}], expected [${expected}] (features, hiddenSizes, labels)`,
      );
    }
    const layers: Layer[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push({
        inputs: sizes[i],
        outputs: sizes[i + 1],
        kernel: check.floats(`kernel_${i}`, sizes[i] * sizes[i + 1]),
        bias: check.floats(`bias_${i}`, sizes[i + 1]),
      });
    }
    const epochsRun = check.count("epochsRun");
    const history = check.json("history");
    if (!Array.isArray(history) || history.some((v) => typeof v !== "number")) {
      check.fail("json.history must be a list of numbers");
    }
    this.#layers = layers;
    this.nFeatures = nFeatures;
    this.nLabels = nLabels;
    this.bestEpoch = check.count("bestEpoch");
    this.epochsRun = epochsRun;
    this.history = [...(history as number[])];
    return this;
  }
}

/** The rows `idx` of a row-major matrix with `cols` columns, as float32. */
function gatherRows(data: ArrayLike<number>, cols: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * cols);
  if (data instanceof Float32Array) {
    for (let a = 0; a < idx.length; a++) {
      out.set(data.subarray(idx[a] * cols, idx[a] * cols + cols), a * cols);
    }
    return out;
  }
  for (let a = 0; a < idx.length; a++) {
    const off = idx[a] * cols;
    for (let j = 0; j < cols; j++) out[a * cols + j] = data[off + j];
  }
  return out;
}

/** Adds `bias[j]` to column j of a row-major matrix, in place. */
function addBias(z: Float32Array, bias: Float32Array): void {
  const n = bias.length;
  for (let i = 0; i < z.length; i += n) {
    for (let j = 0; j < n; j++) z[i + j] += bias[j];
  }
}

function relu(z: Float32Array): void {
  for (let i = 0; i < z.length; i++) if (z[i] < 0) z[i] = 0;
}

/** Inverted dropout in place: zero with probability `rate`, else scale by 1 / (1 − rate). */
function dropout(h: Float32Array, rate: number, random: () => number): void {
  const scale = 1 / (1 - rate);
  for (let i = 0; i < h.length; i++) h[i] = random() < rate ? 0 : h[i] * scale;
}

/** Sums of the columns of a rows × cols matrix. */
function columnSums(z: Float32Array, rows: number, cols: number): Float32Array {
  const s = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) s[j] += z[off + j];
  }
  return Float32Array.from(s);
}

/**
 * Gradient of the weighted binary cross-entropy `(1−y)·z + (1 + (pw−1)·y)·softplus(−z)`,
 * averaged over rows and labels, with respect to the logits z.
 */
function bceGradient(z: Float32Array, y: Float32Array, pw: Float32Array): Float32Array {
  const L = pw.length, scale = 1 / z.length;
  const g = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const yi = y[i], lw = 1 + (pw[i % L] - 1) * yi;
    const sNeg = 1 / (1 + Math.exp(z[i])); // σ(−z)
    g[i] = ((1 - yi) - lw * sNeg) * scale;
  }
  return g;
}

/** The mean weighted binary cross-entropy of logits z (see {@linkcode bceGradient}). */
function meanBce(z: Float32Array, y: Float32Array, pw: Float32Array): number {
  const L = pw.length;
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i], yi = y[i], lw = 1 + (pw[i % L] - 1) * yi;
    const softplusNeg = Math.max(-zi, 0) + Math.log1p(Math.exp(-Math.abs(zi)));
    sum += (1 - yi) * zi + lw * softplusNeg;
  }
  return sum / z.length;
}

/** Logits of `rows` rows of x through the layers (ReLU between them, no dropout). */
function forwardLogits(sgemm: Sgemm, layers: Layer[], x: Float32Array, rows: number): Float32Array {
  let h = x;
  layers.forEach((l, i) => {
    h = sgemm(h, l.kernel, { m: rows, n: l.outputs, k: l.inputs });
    addBias(h, l.bias);
    if (i + 1 < layers.length) relu(h);
  });
  return h;
}

/** A small, fast 32-bit generator (mulberry32) for dropout masks, seeded once per batch. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adam (β₁ 0.9, β₂ 0.999, ε 1e-7 as in tfjs) over float32 parameter arrays, updated in place. */
class Adam {
  #params: Float32Array[];
  #m: Float32Array[];
  #v: Float32Array[];
  #t = 0;
  #lr: number;

  constructor(params: Float32Array[], learningRate: number) {
    this.#params = params;
    this.#m = params.map((p) => new Float32Array(p.length));
    this.#v = params.map((p) => new Float32Array(p.length));
    this.#lr = learningRate;
  }

  /** One update from one gradient per parameter array (same order and sizes). */
  step(grads: Float32Array[]): void {
    const b1 = 0.9, b2 = 0.999, eps = 1e-7;
    this.#t++;
    const c1 = 1 / (1 - b1 ** this.#t), c2 = 1 / (1 - b2 ** this.#t);
    for (let a = 0; a < this.#params.length; a++) {
      const p = this.#params[a], g = grads[a], m = this.#m[a], v = this.#v[a];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi, v[i] = vi;
        p[i] -= this.#lr * (mi * c1) / (Math.sqrt(vi * c2) + eps);
      }
    }
  }
}
