import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConsecutiveChecks, coolingDown, counterKey, liveCooldowns } from '../src/reconfigure-hysteresis.js'

describe('reconfigure hysteresis: consecutive checks', () => {
  it('counts consecutive holds across steps and restarts from zero after a miss', () => {
    let counters: ReadonlyMap<string, number> = new Map()
    const seen: number[] = []
    for (const holds of [true, true, false, true, true, true]) {
      const checks = new ConsecutiveChecks(counters)
      seen.push(checks.check('k', holds))
      counters = checks.counters()
    }
    assert.deepEqual(seen, [1, 2, 0, 1, 2, 3])
  })

  it('forgets a key that was not checked at a step, and one that was reset', () => {
    const first = new ConsecutiveChecks(new Map())
    first.check('a', true)
    first.check('b', true)
    first.reset('b')
    const second = new ConsecutiveChecks(first.counters())
    assert.deepEqual([...first.counters()], [['a', 1]])
    // 'a' is skipped at the second step: at the third it starts again.
    const third = new ConsecutiveChecks(second.counters())
    assert.equal(third.check('a', true), 1)
  })

  it('counts a key checked twice in one step once', () => {
    const checks = new ConsecutiveChecks(new Map([['k', 2]]))
    assert.equal(checks.check('k', true), 3)
    assert.equal(checks.check('k', true), 3)
  })

  it('keeps keys of different kinds, shards and peers apart', () => {
    const keys = new Set([counterKey('migrate', 's', 'a'), counterKey('migrate', 's', 'b'), counterKey('migrate', 't', 'a'), counterKey('evict', 's'), counterKey('replicate', 's')])
    assert.equal(keys.size, 5)
  })
})

describe('reconfigure hysteresis: cool-down', () => {
  it('holds a shard until its cool-down ends and drops expired entries', () => {
    const cooldowns = new Map([['s', 60_000], ['t', 10_000]])
    assert.equal(coolingDown(cooldowns, 's', 59_999), true)
    assert.equal(coolingDown(cooldowns, 's', 60_000), false)
    assert.equal(coolingDown(cooldowns, 'unknown', 0), false)
    assert.deepEqual([...liveCooldowns(cooldowns, 10_000)], [['s', 60_000]])
  })
})
