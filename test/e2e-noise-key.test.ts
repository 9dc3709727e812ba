// End to end: on noisy (PCM) nodes, the same run repeated gives bit-identical logits although several batches are
// in flight, every shard has two copies and calls are routed between them by measured load: each shard call
// carries a noise key fixed by (batch, layer, call), so the order calls reach a node and the copy that serves
// them do not change what the device reads.
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { createCoordinator, loadMnistWorkload, startLocalNetwork } from '@tessera/node'
import type { Coordinator, LocalNetwork, MnistWorkload, Scenario } from '@tessera/node'

const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reports', 'cache', 'models')
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
  let net: LocalNetwork
  let coordinator: Coordinator
  let workload: MnistWorkload

  before(async () => {
    workload = await loadMnistWorkload({ cacheDir: CACHE_DIR, seed: SEED })
    net = await startLocalNetwork(scenario, { metricsIntervalMs: 500, nodeInit: { recordRefreshMs: 2_000, recordTtlMs: 10_000, redialIntervalMs: 300 } })
    coordinator = createCoordinator({ node: net.coordinatorNode, callTimeoutMs: 5_000, metricsIntervalMs: 500 })
    const found = await coordinator.discover({ minPeers: scenario.nodes.length, timeoutMs: 30_000 })
    assert.equal(found.length, scenario.nodes.length)
  })
  after(async () => {
    await coordinator?.stop()
    await net?.stop()
  })

  it('give bit-identical logits with batches in flight and two copies of every shard', async () => {
    const run = async (seed: string): Promise<Float32Array> => {
      const result = await coordinator.run({ job: workload.job, policy: 'tessera', inputs: workload.inputs, labels: workload.labels, requests: REQUESTS, batchSize: 16, batchesInFlight: 4, seed, replicas: 2 })
      assert.equal(result.metrics.requestsLost, 0, result.errors.join('; '))
      return result.logits
    }
    const first = await run(SEED)
    const second = await run(SEED)
    assert.deepEqual(second, first)
    // The devices are noisy: another programming seed reads other values.
    assert.notDeepEqual(await run(`${SEED}/other`), first)
  })
})
