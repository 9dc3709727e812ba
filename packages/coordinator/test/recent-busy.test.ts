import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RecentBusy } from '../src/recent-busy.js'

describe('RecentBusy', () => {
  it('sums the device time of calls that ended since a moment, and forgets past its horizon', () => {
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
