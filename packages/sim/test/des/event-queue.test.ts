import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EventQueue } from '../../src/des/event-queue.js'
import { DesClockError } from '../../src/des/errors.js'

describe('EventQueue', () => {
  it('runs events in time order, and those at the same time in the order they were scheduled', () => {
    const q = new EventQueue(2)
    const seen: string[] = []
    const times = [5, 1, 3, 1, 5, 0, 3]
    times.forEach((t, i) => { q.at(t, () => { seen.push(`${t}:${i}`) }) })
    q.runUntil(10)
    assert.deepEqual(seen, ['0:5', '1:1', '1:3', '3:2', '3:6', '5:0', '5:4'])
    assert.equal(q.processed, times.length)
  })

  it('stops at the bound, keeps later events, and advances the clock to it', () => {
    const q = new EventQueue()
    const seen: number[] = []
    q.at(2, () => { seen.push(2); q.after(5, () => { seen.push(7) }) })
    q.at(20, () => { seen.push(20) })
    q.runUntil(10)
    assert.deepEqual(seen, [2, 7])
    assert.equal(q.nowMs, 10)
    assert.equal(q.pending, 1)
  })

  it('rejects an event in the past', () => {
    const q = new EventQueue()
    q.at(5, () => { assert.throws(() => { q.at(4, () => {}) }, DesClockError) })
    q.runUntil(5)
    assert.throws(() => { q.at(Number.NaN, () => {}) }, DesClockError)
  })
})
