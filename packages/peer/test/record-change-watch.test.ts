import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startRecordChangeWatch } from '../src/index.js'

describe('startRecordChangeWatch', () => {
  it('publishes once per change of the key, never for an unchanged key', async () => {
    let key = 'unknown'
    let publications = 0
    const watch = startRecordChangeWatch({ key: () => key, publish: async () => { publications++ }, intervalMs: 60_000 })
    await watch.check()
    assert.equal(publications, 0, 'the key at start counts as published')
    key = 'private/cone'
    await watch.check()
    await watch.check()
    assert.equal(publications, 1)
    key = 'private/cone/circuit'
    await watch.check()
    watch.stop()
    assert.equal(publications, 2)
  })

  it('a failed publication is retried on the next change, not lost for good', async () => {
    let key = 'a'
    const attempts: string[] = []
    const watch = startRecordChangeWatch({
      key: () => key,
      publish: async () => { attempts.push(key); if (key === 'b') throw new Error('no DHT peer') },
      intervalMs: 60_000
    })
    key = 'b'
    await watch.check()
    key = 'c'
    await watch.check()
    watch.stop()
    assert.deepEqual(attempts, ['b', 'c'])
  })
})
