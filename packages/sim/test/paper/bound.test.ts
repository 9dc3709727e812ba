import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { boundProgram, holdableCells, leastBatchMs, throughputBound } from '../../src/paper/bound.js'
import { ThroughputBoundError } from '../../src/paper/errors.js'
import type { BoundNode } from '../../src/paper/bound.js'

const layer = { id: 'dense0', inputs: 100, outputs: 100 } // 10⁴ weights
const big = (id: string, macsPerSecond: number, extra: Partial<BoundNode> = {}): BoundNode => ({ id, macsPerSecond, tiles: 8, geometry: 128, delayMs: 1, ...extra })

function close (actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.max(1, expected), `${what}: ${actual} ≠ ${expected}`)
}

describe('throughputBound', () => {
  it('is the summed compute rate over the weights per request when memory is ample', async () => {
    // 1 + 3 MMAC/s over 10⁴ MACs per request.
    const b = await throughputBound({ nodes: [big('a', 1e6), big('b', 3e6)], layers: [layer] })
    close(b.upperBoundRps, 400, 'bound')
    assert.equal(b.binding, 'capacity')
    close(b.macsPerSecondByNode.a + b.macsPerSecondByNode.b, 4e6, 'work placed')
  })

  it('takes background load off a node\'s rate and one tile off its lendable tiles', async () => {
    const b = await throughputBound({ nodes: [big('a', 1e6), big('b', 3e6, { backgroundLoad: 0.5 })], layers: [layer] })
    close(b.upperBoundRps, 250, 'bound') // (1 + 1.5)·10⁶ / 10⁴
    assert.equal(b.tilesByNode.b, 7)
    assert.equal(b.tilesByNode.a, 8)
  })

  it('limits a node to the weights it can hold: a fast node with little memory serves only its share', async () => {
    // b holds 2 tiles of 50×50 = 5000 weights, so it computes at most 5000 MACs per request: λ·10⁴ ≤ 10⁶ + 5000·λ.
    const b = await throughputBound({ nodes: [big('a', 1e6), big('b', 3e6, { tiles: 2, geometry: 50 })], layers: [layer] })
    close(b.upperBoundRps, 200, 'bound')
    close(b.macsPerSecondByNode.b, 1e6, 'b works at 200 req/s × 5000 MACs')
  })

  it('caps a node at one copy of each layer: one fast node cannot do a layer twice per request', async () => {
    // Two layers of 10⁴ weights; a holds plenty but computes each layer at most once per request, b is slow.
    // λ·2·10⁴ ≤ min(10⁸, 2·10⁴·λ) + 10⁵ … the slow node must do nothing only if a alone suffices: a does all.
    const fast = await throughputBound({ nodes: [big('a', 1e8), big('b', 1e5)], layers: [layer, { ...layer, id: 'dense1' }] })
    close(fast.upperBoundRps, (1e8 + 1e5) / 2e4, 'both nodes share the work')
  })

  it('counts a relayed node\'s weights against the relay\'s data limit', async () => {
    const nodes = [big('a', 1e6), big('b', 3e6, { relayed: true })]
    // 20 000 B at 4 B per weight: 5000 weights on b, as in the memory case above.
    const b = await throughputBound({ nodes, layers: [layer], relayDataBytes: 20_000 })
    close(b.upperBoundRps, 200, 'bound')
    assert.equal(holdableCells(nodes[1], 20_000, 4), 5000)
    close((await throughputBound({ nodes, layers: [layer] })).upperBoundRps, 400, 'no limit')
  })

  it('bounds a closed loop by the requests in flight over the least batch time', async () => {
    // 4 × 10 requests in flight; per batch of 10: max(2 ms round trip, 10⁵ MACs / 4·10⁶ MAC/s = 25 ms) = 25 ms.
    const input = { nodes: [big('a', 1e6, { delayMs: 5 }), big('b', 3e6, { delayMs: 1 })], layers: [layer], closedLoop: { batchSize: 10, batchesInFlight: 4 } }
    close(leastBatchMs(input, 10), 25, 'least batch time')
    const b = await throughputBound(input)
    close(b.concurrencyBoundRps ?? 0, 40 / 0.025, 'concurrency bound')
    close(b.upperBoundRps, 400, 'capacity binds')
    // One batch in flight of 1 request: the 2 ms round trip dominates, 500 req/s, above capacity 400; with a 10 ms
    // delay it is 50 req/s and binds.
    const slow = await throughputBound({ ...input, nodes: input.nodes.map((n) => ({ ...n, delayMs: 10 })), closedLoop: { batchSize: 1, batchesInFlight: 1 } })
    close(slow.upperBoundRps, 50, 'concurrency binds')
    assert.equal(slow.binding, 'concurrency')
  })

  it('writes the same program for the same input and refuses bad input', async () => {
    const input = { nodes: [big('a', 1e6), big('b', 3e6)], layers: [layer] }
    assert.equal(boundProgram(input), boundProgram(structuredClone(input)))
    await assert.rejects(throughputBound({ nodes: [], layers: [layer] }), ThroughputBoundError)
    await assert.rejects(throughputBound({ nodes: [big('a', 0)], layers: [layer] }), ThroughputBoundError)
    await assert.rejects(throughputBound({ nodes: [big('a', 1e6, { backgroundLoad: 1 })], layers: [layer] }), ThroughputBoundError)
  })
})
