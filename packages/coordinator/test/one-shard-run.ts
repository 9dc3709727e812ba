// A one-layer, one-shard run context whose calls take a fixed time (shared by the pipeline and layer-load tests).
import { performance } from 'node:perf_hooks'
import type { ModelJob } from '../src/job.js'
import type { RunContext } from '../src/run-context.js'
import { newShardState } from '../src/shard-state.js'
import { Slots } from '../src/slots.js'
import { fakeRunContext, fakeShards, TEST_SETTINGS } from './fake-run-context.js'

export const INPUTS = 3
export const OUTPUTS = 2
export const SERVICE_MS = 20

/**
 * One identity-like layer on one shard held by peer `p`, whose calls take SERVICE_MS; every call's start time is
 * recorded. The job computes y = x · W with W picking the first two inputs.
 */
export function oneShardRun (): { ctx: RunContext, job: ModelJob, starts: number[] } {
  const weights = new Float32Array([1, 0, 0, 1, 0, 0])
  const job: ModelJob = { name: 't', layers: [{ id: 'L', inputs: INPUTS, outputs: OUTPUTS, weights, bias: new Float32Array(OUTPUTS), activation: 'identity', sensitivity: 0 }] }
  const shard = newShardState({
    spec: { id: 'L/0', tilesNeeded: 1, geometry: { rows: INPUTS, cols: OUTPUTS }, cells: 6, bytes: 24, sensitivity: 0, expectedLoad: 1 },
    blocks: [{ matrixId: 'L', matrixRow: 0, matrixCol: 0, rows: INPUTS, cols: OUTPUTS, deviceId: 'p', tile: 0, rowOffset: 0, colOffset: 0 }],
    rows: INPUTS,
    cols: OUTPUTS,
    weights
  })
  shard.holders.push('p')
  const starts: number[] = []
  const slots = new Slots(64)
  const ctx = fakeRunContext({
    settings: { ...TEST_SETTINGS, callTimeoutMs: 5000 },
    shards: new Map([['L/0', shard]]),
    slotsOf: () => slots,
    remoteId: (id) => id,
    client: (peerId) => fakeShards(peerId, {
      execute: async ({ input, batch }) => {
        starts.push(performance.now())
        await new Promise((resolve) => setTimeout(resolve, SERVICE_MS))
        const output = new Float32Array(batch * OUTPUTS)
        for (let s = 0; s < batch; s++) for (let c = 0; c < OUTPUTS; c++) output[s * OUTPUTS + c] = input[s * INPUTS + c]
        return { output, deviceTimeNs: SERVICE_MS * 1e6, macs: batch * INPUTS * OUTPUTS }
      }
    })
  })
  return { ctx, job, starts }
}
