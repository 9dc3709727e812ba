import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidSchedulerInputError } from '../src/errors.js'
import { readLoads, readPlacement } from '../src/reconfigure-input.js'
import { normaliseShards } from '../src/validate.js'
import { shard } from './fixtures.js'

const shards = new Map(normaliseShards([shard('s'), shard('t')]).map((s) => [s.id, s]))

describe('reconfigure input', () => {
  it('copies the placement, sorted by peer id, without touching the caller\'s objects', () => {
    const given = { peerId: 'b', state: 'active' as const, inFlight: 2 }
    const out = readPlacement(new Map([['s', [given, { peerId: 'a', state: 'programming' as const, inFlight: 0 }]]]), shards)
    assert.deepEqual(out.get('s')?.map((r) => r.peerId), ['a', 'b'])
    const copy = out.get('s')?.[1]
    assert.ok(copy !== undefined && copy !== given)
    copy.state = 'draining'
    assert.equal(given.state, 'active')
  })

  it('rejects a bad replica or load with a named error that says what is wrong', () => {
    assert.throws(() => readPlacement(new Map([['s', [{ peerId: '', state: 'active', inFlight: 0 }]]]), shards), /peerId/)
    assert.throws(() => readPlacement(new Map([['s', [{ peerId: 'a', state: 'active', inFlight: 0.5 }]]]), shards), InvalidSchedulerInputError)
    assert.throws(() => readLoads(new Map([['s', Number.NaN]]), shards), InvalidSchedulerInputError)
    assert.deepEqual([...readLoads(new Map([['t', 3]]), shards)], [['t', 3]])
    assert.equal(readLoads(undefined, shards).size, 0)
  })
})
