import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ClockWentBackwardsError, InvalidSampleError } from '../src/errors.js'
import { createShortTermMemory } from '../src/short-term.js'

describe('short-term memory', () => {
  it('summarises each metric over the window and forgets old samples', () => {
    const memory = createShortTermMemory({ windowMs: 10_000 })
    memory.observe('a', { queueDepth: 4, throughput: 1e9 }, 0)
    memory.observe('a', { latencyMs: 10, ok: true }, 1000)
    memory.observe('a', { latencyMs: 30, ok: false }, 2000)
    memory.observe('a', { latencyMs: 20, ok: true, queueDepth: 2 }, 3000)
    const stats = memory.stats('a', 3000)
    assert.ok(stats !== undefined)
    assert.equal(stats.latencyMs?.count, 3)
    assert.equal(stats.latencyMs?.mean, 20)
    assert.equal(stats.latencyMs?.p50, 20)
    assert.equal(stats.latencyMs?.min, 10)
    assert.equal(stats.latencyMs?.max, 30)
    assert.equal(stats.latencyMs?.latest, 20)
    assert.equal(stats.queueDepth?.latest, 2)
    assert.equal(stats.calls, 3)
    assert.equal(stats.errorRate, 1 / 3)
    assert.equal(stats.inFlight, undefined)
    assert.equal(stats.lastSeenMs, 3000)
    // At 11 s the samples taken at 0 and 1 s have left the window.
    const later = memory.stats('a', 11_000)
    assert.equal(later?.queueDepth?.count, 1)
    assert.equal(later?.throughput, undefined)
    assert.equal(later?.latencyMs?.count, 2)
    assert.equal(memory.errorRate('a', 11_000), 0.5)
    assert.equal(memory.errorRate('a', 20_000), undefined)
    assert.equal(memory.quantile('a', 'latencyMs', 1, 11_000), 30)
    assert.equal(memory.stats('nobody', 0), undefined)
  })

  it('keeps at most maxPeers, dropping the least recently observed', () => {
    const memory = createShortTermMemory({ maxPeers: 3 })
    memory.observe('a', { ok: true }, 0)
    memory.observe('b', { ok: true }, 1)
    memory.observe('c', { ok: true }, 2)
    memory.observe('a', { ok: true }, 3)
    memory.observe('d', { ok: true }, 4)
    assert.deepEqual(memory.peers(), ['c', 'a', 'd'])
    memory.forget('c')
    assert.deepEqual(memory.peers(), ['a', 'd'])
  })

  it('rejects bad samples and peer ids', () => {
    const memory = createShortTermMemory()
    assert.throws(() => memory.observe('a', { latencyMs: -1 }, 0), InvalidSampleError)
    assert.throws(() => memory.observe('a', { throughput: Number.POSITIVE_INFINITY }, 0), InvalidSampleError)
    const badPeerId = (err: unknown): boolean => err instanceof InvalidSampleError && /invalid peer id/.test(err.message)
    assert.throws(() => memory.observe('', { ok: true }, 0), badPeerId)
    assert.throws(() => memory.observe('a/b', { ok: true }, 0), badPeerId)
  })

  it('rejects an observation from the past without recording any part of it', () => {
    const memory = createShortTermMemory()
    memory.observe('a', { latencyMs: 5 }, 100)
    assert.throws(() => memory.observe('a', { queueDepth: 1, latencyMs: 7 }, 50), ClockWentBackwardsError)
    assert.equal(memory.summary('a', 'queueDepth', 100), undefined)
    assert.equal(memory.summary('a', 'latencyMs', 100)?.count, 1)
    // Other peers keep their own clocks.
    memory.observe('b', { latencyMs: 5 }, 50)
    assert.equal(memory.summary('b', 'latencyMs', 50)?.count, 1)
  })
})
