import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { flowAt, maxThroughput } from '../src/flow.js'
import type { FlowShard } from '../src/flow.js'

const rates = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries))

describe('maxThroughput: the rate a replicated placement sustains', () => {
  it('splits one shard between its copies in proportion to their rates', () => {
    const solution = maxThroughput([{ id: 's', work: 1, holders: ['a', 'b'] }], rates({ a: 3, b: 1 }))
    assert.ok(Math.abs(solution.lambda - 4) < 4e-4)
    assert.ok(Math.abs((solution.split.get('s')?.get('a') ?? 0) - 3) < 1e-3)
    assert.ok(Math.abs((solution.split.get('s')?.get('b') ?? 0) - 1) < 1e-3)
  })

  it('solves a hand-solved instance: a shard held by one peer shares that peer with a replicated one', () => {
    // s1 only on a (rate 2), s2 on a and b (rate 1), one MAC each per request: a and b together carry 2λ ≤ 3.
    const shards: FlowShard[] = [{ id: 's1', work: 1, holders: ['a'] }, { id: 's2', work: 1, holders: ['a', 'b'] }]
    const solution = maxThroughput(shards, rates({ a: 2, b: 1 }))
    assert.ok(Math.abs(solution.lambda - 1.5) < 1.5e-4)
    assert.ok(Math.abs((solution.split.get('s2')?.get('b') ?? 0) - 1) < 1e-3)
    assert.deepEqual([...solution.bottleneck].sort(), ['s1', 's2'])
    // A slower shard that only b holds: b is the bottleneck alone, a has rate to spare.
    const alone = maxThroughput([{ id: 'x', work: 1, holders: ['a'] }, { id: 'y', work: 4, holders: ['b'] }], rates({ a: 2, b: 1 }))
    assert.ok(Math.abs(alone.lambda - 0.25) < 2.5e-5)
    assert.deepEqual([...alone.bottleneck], ['y'])
  })

  it('is 0 when a shard with work has no holder with a rate, and unbounded without work', () => {
    assert.equal(maxThroughput([{ id: 's', work: 1, holders: ['gone'] }], rates({ a: 1 })).lambda, 0)
    assert.equal(maxThroughput([{ id: 's', work: 0, holders: [] }], rates({ a: 1 })).lambda, Number.POSITIVE_INFINITY)
  })

  it('on random placements: the split carries every shard\'s work at λ within every peer\'s rate, and λ is the largest such rate', () => {
    const instance = fc.record({
      peers: fc.integer({ min: 1, max: 6 }),
      shards: fc.array(fc.record({ work: fc.double({ min: 0.1, max: 10, noNaN: true }), holders: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 8 }),
      rates: fc.array(fc.double({ min: 0.5, max: 20, noNaN: true }), { minLength: 6, maxLength: 6 })
    })
    fc.assert(fc.property(instance, ({ peers, shards, rates: r }) => {
      const peerRates = new Map(r.slice(0, peers).map((x, i) => [`p${i}`, x]))
      const flowShards = shards.map((s, i) => ({ id: `s${i}`, work: s.work, holders: [...new Set(s.holders.map((h) => `p${h % peers}`))] }))
      const solution = maxThroughput(flowShards, peerRates)
      assert.ok(solution.lambda > 0)
      for (const s of flowShards) {
        const carried = [...(solution.split.get(s.id) ?? new Map<string, number>()).values()].reduce((a, b) => a + b, 0)
        assert.ok(Math.abs(carried - s.work * solution.lambda) <= 1e-6 * s.work * solution.lambda + 1e-9, `${s.id}: ${carried} vs ${s.work * solution.lambda}`)
        for (const p of solution.split.get(s.id)?.keys() ?? []) assert.ok(s.holders.includes(p), `${s.id} split onto ${p}, which does not hold it`)
      }
      for (const [p, load] of solution.loadByPeer) assert.ok(load <= (peerRates.get(p) ?? 0) * (1 + 1e-9), `${p} above its rate`)
      // Largest: a little more does not fit; a little less does.
      assert.equal(flowAt(flowShards, peerRates, solution.lambda * 0.999).feasible, true)
      assert.equal(flowAt(flowShards, peerRates, solution.lambda * 1.001).feasible, false)
    }), { seed: 15, numRuns: 200 })
  })
})

describe('flowAt: the max-flow at one rate', () => {
  it('reports the work left over and the rate to spare', () => {
    const at = flowAt([{ id: 's', work: 1, holders: ['a'] }], rates({ a: 2, b: 5 }), 3)
    assert.equal(at.feasible, false)
    assert.ok(Math.abs((at.unrouted.get('s') ?? 0) - 1) < 1e-9)
    assert.equal(at.spare.get('a'), 0)
    assert.ok(Math.abs((at.spare.get('b') ?? 0) - 5) < 1e-9)
  })
})
