import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { capabilityCid, TESSERA_CAPABILITY_CID } from '../src/record-discovery.js'

describe('capability CID', () => {
  it('is CID v1, raw codec, SHA-256 of "tessera/capability/v1" (checked with multiformats\' own hasher)', async () => {
    const expected = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('tessera/capability/v1')))
    assert.ok(TESSERA_CAPABILITY_CID.equals(expected))
    assert.equal(TESSERA_CAPABILITY_CID.version, 1)
    assert.equal(TESSERA_CAPABILITY_CID.code, raw.code)
  })

  it('differs between capability names', () => {
    assert.ok(!capabilityCid('tessera/capability/v2').equals(TESSERA_CAPABILITY_CID))
  })
})
