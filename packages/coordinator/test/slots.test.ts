import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Slots } from '../src/slots.js'

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
