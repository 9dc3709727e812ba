import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { forEachConcurrently } from '../src/concurrently.js'

/** A task that waits until the test releases it, so the test sees how many run at once. */
function gate (): { promise: Promise<void>, open: () => void } {
  let open = (): void => {}
  const promise = new Promise<void>((resolve) => { open = resolve })
  return { promise, open }
}

describe('forEachConcurrently', () => {
  it('runs every item in order, never more than `concurrency` at once', async () => {
    const gates = Array.from({ length: 7 }, gate)
    const started: number[] = []
    let running = 0
    let most = 0
    const done = forEachConcurrently(gates.map((_, i) => i), 3, async (i) => {
      started.push(i)
      running++
      most = Math.max(most, running)
      await gates[i].promise
      running--
    })
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(started, [0, 1, 2], 'three at once, the first three')
    for (const g of gates) {
      g.open()
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.equal(await done, 7)
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6])
    assert.equal(most, 3)
  })

  it('starts no item once the signal aborts and says how many were started', async () => {
    const controller = new AbortController()
    const seen: string[] = []
    const items = ['a', 'b', 'c', 'd', 'e']
    const started = await forEachConcurrently(items, 2, async (item) => {
      seen.push(item)
      if (item === 'c') controller.abort()
    }, controller.signal)
    assert.deepEqual(seen, ['a', 'b', 'c'])
    assert.equal(started, 3)
    assert.deepEqual(items.slice(started), ['d', 'e'])
  })

  it('starts nothing for no items or an aborted signal', async () => {
    assert.equal(await forEachConcurrently([], 4, async () => { throw new Error('never') }), 0)
    assert.equal(await forEachConcurrently([1, 2], 4, async () => { throw new Error('never') }, AbortSignal.abort()), 0)
  })
})
