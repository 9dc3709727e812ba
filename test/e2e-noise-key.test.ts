// End to end: on noisy (PCM) nodes, the same run repeated gives bit-identical logits although several batches are
// in flight, every shard has two copies and calls are routed between them by measured load: each shard call
// carries a noise key fixed by (batch, layer, call), so the order calls reach a node and the copy that serves
// them do not change what the device reads.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { describeRunError } from '@tessera/coordinator'
import type { Coordinator, MnistWorkload } from '@tessera/coordinator'
import type { Scenario } from '@tessera/sim'
import { startE2eNetwork } from './e2e-network.js'
import type { E2eNetwork } from './e2e-network.js'

const SEED = 'e2e-noise-key'
const REQUESTS = 96

const scenario: Scenario = {
  name: 'e2e-noise-key',
  description: 'three PCM nodes',
  seed: SEED,
  requests: REQUESTS,
  batchSize: 16,
  batchesInFlight: 4,
  nodes: [0, 1, 2].map((i) => ({ id: `n${i}`, preset: 'pcm', geometry: 128, tiles: 16, macsPerSecond: 1e12, delayMs: 0 }))
}

describe('noisy MNIST runs repeated', () => {
  let coordinator: Coordinator
  let workload: MnistWorkload
  let setup: E2eNetwork | undefined

  before(async () => {
    setup = await startE2eNetwork(scenario)
    ;({ coordinator, workload } = setup)
  })
  after(async () => {
    await setup?.stop()
  })

  it('give bit-identical logits with batches in flight and two copies of every shard', async () => {
    const run = async (seed: string): Promise<Float32Array> => {
      const result = await coordinator.run({ job: workload.job, policy: 'tessera', inputs: workload.inputs, labels: workload.labels, requests: REQUESTS, batchSize: 16, batchesInFlight: 4, seed, replicas: 2 })
      assert.equal(result.metrics.requestsLost, 0, result.errors.map(describeRunError).join('; '))
      return result.logits
    }
    const first = await run(SEED)
    const second = await run(SEED)
    assert.deepEqual(second, first)
    // The devices are noisy: another programming seed reads other values.
    assert.notDeepEqual(await run(`${SEED}/other`), first)
  })
})
