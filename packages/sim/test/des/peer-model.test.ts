import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EventQueue } from '../../src/des/event-queue.js'
import { ModelledPeer } from '../../src/des/peer-model.js'
import { peerSpecOf } from '../../src/des/population.js'

function peer (): { q: EventQueue, p: ModelledPeer } {
  const q = new EventQueue()
  const p = new ModelledPeer(peerSpecOf({ id: 'x', preset: 'ideal', geometry: 128, tiles: 4, macsPerSecond: 1_000_000, delayMs: 0 }, 'x'), { now: () => q.nowMs, schedule: (d, a) => { q.after(d, a) } }, () => 0.5)
  p.alive = true
  return { q, p }
}

describe('ModelledPeer', () => {
  it('runs executes one at a time in arrival order, each MACs ÷ rate long', () => {
    const { q, p } = peer()
    const done: Array<[string, number]> = []
    p.submit(100_000, 16, (ms) => { done.push(['first', q.nowMs]); assert.equal(ms, 100) })
    p.submit(50_000, 16, () => { done.push(['second', q.nowMs]) })
    assert.equal(p.queueDepth, 2)
    q.runUntil(1000)
    assert.deepEqual(done, [['first', 100], ['second', 150]])
    assert.equal(p.busyMs, 150)
    assert.deepEqual(p.loadSummary(1000), { count: 2, p50Ms: 75 })
  })

  it('applies a new speed after the executes already queued, as a message to the worker does', () => {
    const { q, p } = peer()
    const ends: number[] = []
    p.submit(100_000, 1, () => { ends.push(q.nowMs) })
    p.setSpeed(500_000)
    p.submit(100_000, 1, () => { ends.push(q.nowMs) })
    q.runUntil(1000)
    assert.deepEqual(ends, [100, 300])
  })

  it('never holds more tiles than it has', () => {
    const { p } = peer()
    assert.equal(p.reserve('s1', 3), true)
    assert.equal(p.reserve('s2', 2), false)
    assert.equal(p.reserve('s1', 1), false)
    assert.equal(p.release('s1'), true)
    assert.equal(p.tilesFree, 4)
    p.leave()
    assert.equal(p.reserve('s3', 1), false)
  })
})
