/**
 * The MNIST workload of `tessera run` and `tessera demo`: the trained MLP (from the model cache, trained there
 * once if missing) as a job, and the 2,000 held-out digits ("MNIST subset") in a seeded order, so that any
 * prefix of the requests samples every class (the held-out set is stored class by class).
 */
import { createRng } from '@tessera/crossbar'
import { accuracyOf, loadMnist, loadOrTrainModel, predictFloat } from '@tessera/models'
import type { MlpModel } from '@tessera/models'
import { jobFromMlp } from './job.js'
import type { ModelJob } from './job.js'

/** The MNIST MLP job and its requests. */
export interface MnistWorkload {
  model: MlpModel
  job: ModelJob
  /** Held-out digits in request order, `count × 784`. */
  inputs: Float32Array
  labels: Uint8Array
  /** Float32 predictions of the model on `inputs` (the local reference). */
  floatPredictions: Uint8Array
  floatAccuracy: number
  /** Whether the model came from the cache. */
  fromCache: boolean
}

/** Loads (or trains and caches) the default MNIST MLP and orders the held-out digits by `seed`. */
export async function loadMnistWorkload (init: { cacheDir: string, seed: string }): Promise<MnistWorkload> {
  const { train, heldOut } = loadMnist()
  const cached = await loadOrTrainModel({ cacheDir: init.cacheDir, data: train })
  const model = cached.record.model
  const count = heldOut.count
  const order = Array.from({ length: count }, (_, i) => i)
  const rng = createRng(`${init.seed}/request-order`)
  for (let i = count - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const t = order[i]
    order[i] = order[j]
    order[j] = t
  }
  const inputs = new Float32Array(count * heldOut.pixels)
  const labels = new Uint8Array(count)
  order.forEach((src, dst) => {
    inputs.set(heldOut.images.subarray(src * heldOut.pixels, (src + 1) * heldOut.pixels), dst * heldOut.pixels)
    labels[dst] = heldOut.labels[src]
  })
  const data = { images: inputs, labels, count, pixels: heldOut.pixels }
  const floatPredictions = predictFloat(model, data)
  return { model, job: jobFromMlp(model), inputs, labels, floatPredictions, floatAccuracy: accuracyOf(floatPredictions, labels), fromCache: cached.fromCache }
}
