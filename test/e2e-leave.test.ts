// End to end: a node holding shards leaves gracefully (`TesseraNode.leave`, what `tessera node` does on SIGTERM)
// while tessera's coordinator streams MNIST through four real nodes on 127.0.0.1. Its LEAVING replies and its
// leaving record take it out of the run before it goes: no request is lost or answered twice, its shards are
// re-placed, the answers stay exactly the float32 model's (ideal devices), and it is not counted as a failed peer.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { describeRunError } from '@tessera/coordinator'
import type { LeaveResult } from '@tessera/peer'
import type { Scenario } from '@tessera/sim'
import { peerWithMostSoleCopies, startE2eNetwork } from './e2e-network.js'
import type { E2eNetwork } from './e2e-network.js'

const SEED = 'e2e-leave'

const scenario: Scenario = {
  name: 'e2e-leave',
  description: 'four ideal nodes, one leaves gracefully',
  seed: SEED,
  requests: 256,
  batchSize: 32,
  batchesInFlight: 3,
  nodes: [0, 1, 2, 3].map((i) => ({ id: `n${i}`, preset: 'ideal', geometry: 128, tiles: 8, macsPerSecond: 1e12, delayMs: 0 }))
}

describe('a node leaving gracefully mid-run', () => {
  let setup: E2eNetwork | undefined
  before(async () => { setup = await startE2eNetwork(scenario) })
  after(async () => { await setup?.stop() })

  it('loses and duplicates no request, re-places its shards and is not counted as a failure', async () => {
    assert.ok(setup !== undefined)
    const { net, coordinator, workload } = setup
    let leaver: string | undefined
    let left: Promise<LeaveResult> | undefined
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
        leaver = peerWithMostSoleCopies(placement)
      },
      onProgress: (answered) => {
        if (left !== undefined || leaver === undefined || answered < 32) return
        const node = net.nodes.get(net.nodeIdOf(leaver) as string)
        left = node?.leave({ drainTimeoutMs: 10_000 })
      }
    })
    const leaveResult = await left
    assert.ok(leaveResult !== undefined, 'a node holding the last copy of a shard left mid-run')
    assert.equal(leaveResult.drained, true, 'the calls in flight on the leaving node finished')
    assert.equal(result.metrics.requestsLost, 0, result.errors.map(describeRunError).join('; '))
    assert.equal(result.metrics.requestsDuplicated, 0)
    assert.ok(result.answers.every((a) => a === 1))
    assert.ok(result.metrics.replacements >= 1, 'the leaving node\'s shards were re-placed')
    assert.equal(result.recorder.peerFailures, 0, 'leaving is not failing')
    let wrong = 0
    for (let i = 0; i < scenario.requests; i++) if (result.predictions[i] !== workload.floatPredictions[i]) wrong++
    assert.equal(wrong, 0)
  })
})
