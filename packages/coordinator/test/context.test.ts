import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RecentBusy, Slots } from '../src/context.js'

describe('run context helpers', () => {
  it('Slots lets at most `size` holders in and hands a released slot to the longest waiter', async () => {
    const slots = new Slots(2)
    const order: number[] = []
    await slots.acquire()
    await slots.acquire()
    const third = slots.acquire().then(() => { order.push(3) })
    const fourth = slots.acquire().then(() => { order.push(4) })
    await Promise.resolve()
    assert.deepEqual(order, [])
    slots.release()
    await third
    assert.deepEqual(order, [3])
    slots.release()
    await fourth
    assert.deepEqual(order, [3, 4])
  })

  it('RecentBusy sums the device time of calls that ended since a moment, and forgets past its horizon', () => {
    const busy = new RecentBusy(1000)
    busy.record('a', 100, 10)
    busy.record('a', 500, 20)
    busy.record('b', 600, 5)
    assert.equal(busy.since('a', 0), 30)
    assert.equal(busy.since('a', 200), 20)
    assert.equal(busy.since('b', 0), 5)
    busy.record('a', 1400, 1) // the call that ended at 100 is now past the horizon
    assert.equal(busy.since('a', 0), 21)
  })
})
