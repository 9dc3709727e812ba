import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_JOIN_MAX_WAIT_MS, DEFAULT_JOIN_STABLE_MS, waitForJoin } from '../src/index.js'
import type { JoinOutcome, JoinView } from '../src/index.js'

/** A routing table whose size the test sets, and a self-query the test runs. */
function fakeView (): JoinView & { size: number, selfQuery: () => void } {
  let listener: (() => void) | undefined
  return {
    size: 0,
    routingTableSize () { return this.size },
    onSelfQuery: (l) => { listener = l; return () => { listener = undefined } },
    selfQuery: () => { listener?.() }
  }
}

/** Ticks the mocked clock in 500 ms steps until `outcome` settles or `maxMs` passes; returns the time taken. */
async function until (t: { mock: { timers: { tick: (ms: number) => void } } }, outcome: Promise<JoinOutcome>, maxMs: number, each?: (elapsedMs: number) => void): Promise<{ outcome: JoinOutcome | undefined, elapsedMs: number }> {
  let settled: JoinOutcome | undefined
  void outcome.then((o) => { settled = o })
  let elapsedMs = 0
  while (settled === undefined && elapsedMs < maxMs) {
    each?.(elapsedMs)
    t.mock.timers.tick(500)
    elapsedMs += 500
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  }
  return { outcome: settled, elapsedMs }
}

describe('waitForJoin', () => {
  it('ends once the self-query has run and the routing table has not grown for the stable time', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const view = fakeView()
    const r = await until(t, waitForJoin(view, {}, new AbortController().signal), 20_000, (ms) => {
      // Peers arrive for 3 s; the self-query runs at 1 s.
      if (ms < 3_000) view.size += 2
      if (ms === 1_000) view.selfQuery()
    })
    assert.equal(r.outcome, 'joined')
    assert.ok(r.elapsedMs >= 3_000 + DEFAULT_JOIN_STABLE_MS && r.elapsedMs <= 3_000 + DEFAULT_JOIN_STABLE_MS + 1_000, `joined after ${r.elapsedMs} ms`)
  })

  it('stops waiting at the bound while the routing table keeps growing, or when no self-query ever runs (a lone node)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const growing = fakeView()
    growing.selfQuery()
    const a = await until(t, waitForJoin(growing, {}, new AbortController().signal), 30_000, () => { growing.size++ })
    assert.deepEqual(a, { outcome: 'waited-max', elapsedMs: DEFAULT_JOIN_MAX_WAIT_MS })
    const lone = fakeView()
    const b = await until(t, waitForJoin(lone, { maxWaitMs: 4_000 }, new AbortController().signal), 30_000)
    assert.deepEqual(b, { outcome: 'waited-max', elapsedMs: 4_000 })
  })

  it('does not wait with a bound of 0, and ends when aborted', async (t) => {
    assert.equal(await waitForJoin(fakeView(), { maxWaitMs: 0 }, new AbortController().signal), 'joined')
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const controller = new AbortController()
    const waiting = waitForJoin(fakeView(), {}, controller.signal)
    controller.abort()
    assert.equal(await waiting, 'aborted')
  })
})
