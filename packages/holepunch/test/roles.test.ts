import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { HolePunchError } from '../src/errors.js'
import { electRole } from '../src/roles.js'

const seed32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

describe('hole-punch role election', () => {
  it('gives the two sides opposite roles, the same answer both ways', async () => {
    await fc.assert(fc.asyncProperty(seed32, seed32, async (a, b) => {
      const pa = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', a))
      const pb = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', b))
      fc.pre(!pa.equals(pb))
      const ra = electRole(pa, pb)
      const rb = electRole(pb, pa)
      assert.notEqual(ra, rb)
      // The lower multihash is the outbound side.
      const lower = Buffer.compare(Buffer.from(pa.toMultihash().bytes), Buffer.from(pb.toMultihash().bytes)) < 0 ? 'a' : 'b'
      assert.equal(lower === 'a' ? ra : rb, 'outbound')
    }), { seed: 3, numRuns: 50 })
  })

  it('refuses to elect roles between a peer and itself', async () => {
    const p = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32)))
    assert.throws(() => electRole(p, p), HolePunchError)
  })
})
