/**
 * The job the simulator plans: the MNIST MLP's shape (the models package's default layer sizes) with the layer ids and sensitivities `jobFromMlp` gives it. No values are
 * computed, so the weights are zeros: the plan, the shards and their costs depend on the shapes alone.
 */
import { layerMatrixId, modelsConstants } from '@tessera/models'
import type { ModelJob } from '@tessera/coordinator'

/** A job of the given layer sizes (ReLU hidden layers, linear logits), weights zero. */
export function desJob (layerSizes: readonly number[] = modelsConstants.DEFAULT_LAYER_SIZES): ModelJob {
  const n = layerSizes.length - 1
  return {
    name: `mlp-${layerSizes.join('-')}`,
    layers: Array.from({ length: n }, (_, l) => ({
      id: layerMatrixId(l),
      inputs: layerSizes[l],
      outputs: layerSizes[l + 1],
      weights: new Float32Array(layerSizes[l] * layerSizes[l + 1]),
      bias: new Float32Array(layerSizes[l + 1]),
      activation: l < n - 1 ? 'relu' as const : 'identity' as const,
      sensitivity: n > 1 ? l / (n - 1) : 1
    }))
  }
}
