import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RELAYED_CALLS_PER_PEER } from '../src/constants.js'
import { callSlotsFor, Slots } from '../src/slots.js'

describe('Slots', () => {
  it('lets at most `size` holders in and hands a released slot to the longest waiter', async () => {
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
})

describe('call slots per path', () => {
  it('a relayed path gets at most RELAYED_CALLS_PER_PEER, other paths the coordinator\'s callsPerPeer', () => {
    assert.equal(callSlotsFor('direct', 6), 6)
    assert.equal(callSlotsFor('hole-punched', 6), 6)
    assert.equal(callSlotsFor(undefined, 6), 6)
    assert.equal(callSlotsFor('relayed', 64), RELAYED_CALLS_PER_PEER)
    assert.equal(callSlotsFor('relayed', 1), 1)
  })
})
