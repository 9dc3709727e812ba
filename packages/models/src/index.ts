/**
 * @packageDocumentation
 * Workloads for tessera: GEMM shape catalogues of well-known networks (BERT-base, ResNet-50, a ResNet-50-FPN
 * detection backbone) with seeded synthetic values. Results on the catalogues are "shapes of" a network,
 * never "accuracy on" it.
 *
 * @example
 * ```ts
 * import { resnet50Shapes, syntheticWeights } from '@tessera/models'
 * const workload = resnet50Shapes()           // 224×224, ImageNet
 * const conv1 = workload.matrices[0]          // 147 × 64 im2col GEMM, 12,544 vectors per image
 * const values = syntheticWeights(conv1, 7)   // seeded Float32Array, rows × cols
 * ```
 *
 * And one real task end to end: an MNIST MLP (the 10,000 digits of the `mnist` package, split 8,000 / 2,000
 * by index: "MNIST subset accuracy") trained in process from a seed, cached on disk, and run on crossbar tiles
 * of any device profile through the partition planner, with an accuracy sweep over presets, tile sizes and
 * drift time.
 *
 * @example
 * ```ts
 * import { createCrossbarMlp, loadMnist, loadOrTrainModel } from '@tessera/models'
 * import { createDeviceProfile } from '@tessera/crossbar'
 * const { train, heldOut } = loadMnist()
 * const { record } = await loadOrTrainModel({ cacheDir: 'reports/cache/models', data: train, seed: 1 })
 * const onTiles = createCrossbarMlp({ model: record.model, profile: createDeviceProfile('pcm'), seed: 3 })
 * onTiles.accuracy(heldOut, { tSeconds: 86_400, driftCompensation: true })
 * onTiles.release()
 * ```
 */
export { bertBaseShapes, gemmWorkloads, resnet50FpnShapes, resnet50Shapes, syntheticWeights } from './shapes.js'
export type { GemmMatrix, GemmWorkload } from './shapes.js'

export * from './errors.js'
export * as modelsConstants from './constants.js'
export { loadMnist, sliceDataset } from './mnist.js'
export type { Dataset, LoadMnistInit, MnistSplit } from './mnist.js'
export { accuracyOf, argmaxRows, checkDatasetFits, logitsFloat, meanCrossEntropy, predictFloat, validateModel } from './mlp.js'
export type { DenseLayer, MlpModel } from './mlp.js'
export { initialiseMlp, resolveHyperparameters, trainMlp } from './train.js'
export type { TrainingHyperparameters, TrainInit, TrainResult } from './train.js'
export { datasetFingerprint, decodeModel, encodeModel, loadModel, modelCacheKey, saveModel } from './model-file.js'
export type { ExpectedModel, ModelRecord } from './model-file.js'
export { loadOrTrainModel, loadOrTrainModels, modelCachePath } from './model-cache.js'
export type { CachedModel, CachedModelInit, LoadOrTrainModelsInit, ModelRequest } from './model-cache.js'
export { createCrossbarMlp, layerMatrixId, planMlp } from './crossbar-mlp.js'
export type { CrossbarMlp, CrossbarMlpInit } from './crossbar-mlp.js'
export { deviceSeed, jobConditions, runAccuracyJob } from './accuracy-job.js'
export type { AccuracyJob, ConditionResult } from './accuracy-job.js'
export { runAccuracySweep, sampleStd } from './accuracy-sweep.js'
export type { AccuracyRow, AccuracySweepInit, AccuracySweepResult, AccuracySweepRow } from './accuracy-sweep.js'
