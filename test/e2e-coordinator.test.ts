// End to end: MNIST MLP inference through four real tessera nodes on 127.0.0.1 (ideal devices, no emulated
// slowdown), placed by tessera's policy. On ideal devices the network's predictions must be exactly the float32
// model's; when a node holding shards leaves mid-run its shards are re-placed from the coordinator's copy of
// the weights and every request is still answered exactly once.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { describeRunError } from '@tessera/coordinator'
import type { Coordinator, MnistWorkload } from '@tessera/coordinator'
import type { LocalNetwork, Scenario } from '@tessera/sim'
import { peerWithMostSoleCopies, startE2eNetwork } from './e2e-network.js'
import type { E2eNetwork } from './e2e-network.js'

const SEED = 'e2e-coordinator'

const scenario: Scenario = {
  name: 'e2e',
  description: 'four ideal nodes',
  seed: SEED,
  requests: 256,
  batchSize: 32,
  batchesInFlight: 3,
  nodes: [0, 1, 2, 3].map((i) => ({ id: `n${i}`, preset: 'ideal', geometry: 128, tiles: 8, macsPerSecond: 1e12, delayMs: 0 }))
}

function mismatches (a: Uint8Array, b: Uint8Array, n: number): number {
  let bad = 0
  for (let i = 0; i < n; i++) if (a[i] !== b[i % b.length]) bad++
  return bad
}

describe('MNIST through four nodes', () => {
  let net: LocalNetwork
  let coordinator: Coordinator
  let workload: MnistWorkload
  let setup: E2eNetwork | undefined

  before(async () => {
    setup = await startE2eNetwork(scenario)
    ;({ net, coordinator, workload } = setup)
  })
  after(async () => {
    await setup?.stop()
  })

  it('gives exactly the local float32 predictions on ideal devices, each request answered once', async () => {
    const result = await coordinator.run({ job: workload.job, policy: 'tessera', inputs: workload.inputs, labels: workload.labels, requests: scenario.requests, batchSize: 32, batchesInFlight: 3, seed: SEED })
    assert.equal(result.metrics.requestsLost, 0)
    assert.equal(result.metrics.requestsDuplicated, 0)
    assert.ok(result.answers.every((a) => a === 1))
    assert.equal(mismatches(result.predictions, workload.floatPredictions, scenario.requests), 0)
    assert.ok(result.metrics.failedCalls === 0, result.errors.map(describeRunError).join('; '))
  })

  it('places two copies of every shard on distinct peers when asked and still answers exactly', async () => {
    let placed: Record<string, string[]> = {}
    const result = await coordinator.run({ job: workload.job, policy: 'tessera', inputs: workload.inputs, labels: workload.labels, requests: 128, batchSize: 32, batchesInFlight: 3, seed: SEED, replicas: 2, onPlaced: (p) => { placed = p } })
    assert.ok(Object.keys(placed).length > 0)
    for (const peers of Object.values(placed)) {
      assert.equal(peers.length, 2)
      assert.notEqual(peers[0], peers[1])
    }
    assert.equal(result.metrics.requestsLost, 0)
    assert.equal(mismatches(result.predictions, workload.floatPredictions, 128), 0)
  })

  it('loses and duplicates no request when a node holding shards leaves mid-run', async () => {
    let victim: string | undefined
    let killed: Promise<void> | undefined
    const result = await coordinator.run({
      job: workload.job,
      policy: 'tessera',
      inputs: workload.inputs,
      labels: workload.labels,
      requests: scenario.requests,
      batchSize: 32,
      batchesInFlight: 3,
      seed: SEED,
      onPlaced: (placement) => {
        victim = peerWithMostSoleCopies(placement)
      },
      onProgress: (answered) => {
        if (killed === undefined && answered >= 32 && victim !== undefined) killed = net.stopNode(net.nodeIdOf(victim) as string)
      }
    })
    await killed
    assert.ok(victim !== undefined && killed !== undefined, 'a node holding the last copy of a shard was stopped mid-run')
    assert.equal(result.metrics.requestsLost, 0, result.errors.map(describeRunError).join('; '))
    assert.equal(result.metrics.requestsDuplicated, 0)
    assert.ok(result.answers.every((a) => a === 1))
    assert.ok(result.metrics.replacements >= 1, 'the lost shards were re-placed')
    assert.equal(mismatches(result.predictions, workload.floatPredictions, scenario.requests), 0)
  })
})
