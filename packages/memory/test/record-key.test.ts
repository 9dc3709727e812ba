import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CAPACITY_RECORD_KEY_PREFIX } from '../src/constants.js'
import { MalformedRecordError } from '../src/errors.js'
import { capacityRecordKey, parseCapacityRecordKey } from '../src/record-key.js'
import { keyFromSeed } from './capacity-record-fixtures.js'

describe('capacity record keys', () => {
  it('are /tessera/cap/<peerId> with at least three segments and parse back', async () => {
    const peerId = peerIdFromPrivateKey(await keyFromSeed(1))
    const text = new TextDecoder().decode(capacityRecordKey(peerId))
    assert.equal(text, `/tessera/cap/${peerId.toString()}`)
    assert.equal(text.split('/').length, 4)
    assert.equal(CAPACITY_RECORD_KEY_PREFIX, '/tessera/cap/')
    assert.ok(parseCapacityRecordKey(capacityRecordKey(peerId.toString())).equals(peerId))
  })

  it('reject other namespaces and non-peer segments', () => {
    for (const text of ['/tessera/caps/x', '/ipns/abc', '/tessera/cap/', '/tessera/cap/%%%']) {
      assert.throws(() => parseCapacityRecordKey(new TextEncoder().encode(text)), MalformedRecordError)
    }
  })
})
