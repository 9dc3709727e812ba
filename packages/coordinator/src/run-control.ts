/** What a run's timeline may do to the run itself: add load on one layer, read the calls each peer served. */
import { startLayerLoad } from './layer-load.js'
import type { LayerLoad, LayerLoadInit, LayerLoadStats } from './layer-load.js'
import type { RunContext } from './run-context.js'
import type { RunControl } from './run-options.js'

/** A run's control and the layer loads it started. */
export interface RunControlHandle {
  control: RunControl
  /** Stops every layer load; resolves to their batches answered and failed, summed. */
  stop: () => Promise<LayerLoadStats>
}

/** The control of a run; layer loads run `job`'s layers on `inputs` in batches of `batchSize`. */
export function createRunControl (ctx: RunContext, init: Pick<LayerLoadInit, 'job' | 'batchSize' | 'inputs' | 'seed'>): RunControlHandle {
  const loads: LayerLoad[] = []
  const control: RunControl = {
    loadLayer: (layerId, lanes, arrivalRps) => {
      loads.push(startLayerLoad(ctx, { ...init, layerId, lanes, ...(arrivalRps !== undefined ? { arrivalRps } : {}) }))
    },
    callsServed: () => {
      const served = new Map<string, number>()
      for (const c of ctx.recorder.calls) if (c.ok) served.set(c.peerId, (served.get(c.peerId) ?? 0) + 1)
      return served
    }
  }
  return {
    control,
    async stop () {
      const total: LayerLoadStats = { batches: 0, failed: 0 }
      for (const stats of await Promise.all(loads.map(async (l) => await l.stop()))) {
        total.batches += stats.batches
        total.failed += stats.failed
      }
      return total
    }
  }
}
