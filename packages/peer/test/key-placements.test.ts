import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DHT_PROTOCOL, KeyPlacements, closestKnownPeers, kadId, knownDhtPeers } from '../src/index.js'
import type { PeerId, PeerStore } from '@libp2p/interface'

async function peers (n: number): Promise<PeerId[]> {
  return await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
}

const KEY = new TextEncoder().encode('/tessera/cap/some-peer')

describe('KeyPlacements', () => {
  it('finds a key moved once more than half of the closest known peers were not sent its last store, and not before', async () => {
    const ids = (await peers(8)).map(String)
    let closest = ids.slice(0, 4)
    const placements = new KeyPlacements(4, async (_key, count) => closest.slice(0, count))
    assert.equal(await placements.moved(KEY), true, 'never stored while peers are known')
    placements.stored(KEY, ids.slice(0, 4), 1_000)
    assert.equal(await placements.moved(KEY), false)
    assert.equal(placements.held(KEY), true)
    assert.equal(placements.placement(KEY)?.atMs, 1_000)
    // Two of the four closest now are newcomers: half were sent it.
    closest = [ids[4], ids[0], ids[5], ids[1]]
    assert.equal(await placements.moved(KEY), false)
    // Three newcomers: one holder left among the four closest.
    closest = [ids[4], ids[5], ids[6], ids[0]]
    assert.equal(await placements.moved(KEY), true)
  })

  it('does not find a key moved when only some of the peers it was sent to answered: who is closest has not changed', async () => {
    const ids = (await peers(4)).map(String)
    const placements = new KeyPlacements(4, async () => ids)
    placements.stored(KEY, ids.slice(0, 1), 1_000, ids)
    assert.deepEqual([...placements.placement(KEY)!.holders], ids.slice(0, 1))
    assert.equal(await placements.moved(KEY), false)
    assert.equal(placements.held(KEY), true)
  })

  it('finds a store that reached nobody moved as soon as a peer is known, and nothing moved without peers or a way to know them', async () => {
    const [a] = (await peers(1)).map(String)
    let closest: string[] = []
    const placements = new KeyPlacements(20, async () => closest)
    placements.stored(KEY, [], 5)
    assert.equal(placements.held(KEY), false)
    assert.equal(await placements.moved(KEY), false, 'no peer known: nowhere better to store it')
    closest = [a]
    assert.equal(await placements.moved(KEY), true)
    // Sent to that peer, which did not answer in time: not moved, only not held (the publisher stores it again for that).
    placements.stored(KEY, [], 6, [a])
    assert.equal(await placements.moved(KEY), false)
    assert.equal(placements.held(KEY), false)
    const blind = new KeyPlacements(20)
    assert.equal(blind.tracksMoves, false)
    assert.equal(await blind.moved(KEY), false)
  })
})

describe('closestKnownPeers', () => {
  it('orders known DHT peers by kad-dht distance to the key, leaving out this node and peers known not to serve the DHT', async () => {
    const [self, server, client, heardOf, ...others] = await peers(8)
    const stored = [
      { id: self, protocols: [DHT_PROTOCOL] },
      { id: server, protocols: [DHT_PROTOCOL, '/ipfs/id/1.0.0'] },
      { id: client, protocols: ['/ipfs/id/1.0.0'] },
      { id: heardOf, protocols: [] },
      ...others.map((id) => ({ id, protocols: [DHT_PROTOCOL] }))
    ]
    const peerStore = {
      all: async (query?: { filters?: Array<(peer: { id: PeerId, protocols: string[] }) => boolean> }) => stored.filter((p) => (query?.filters ?? []).every((f) => f(p)))
    } as unknown as Pick<PeerStore, 'all'>
    const closest = closestKnownPeers(knownDhtPeers(peerStore, self, DHT_PROTOCOL))
    // A peer's own id is at distance zero from a key of the same bytes.
    const first = await closest(heardOf.toMultihash().bytes, 10)
    assert.equal(first[0], heardOf.toString())
    assert.equal(first.length, 6, 'every server and the peer only heard of; not this node, not the client')
    assert.ok(!first.includes(self.toString()) && !first.includes(client.toString()))
    assert.equal((await closest(server.toMultihash().bytes, 2))[0], server.toString())
    assert.equal((await closest(KEY, 3)).length, 3)
  })

  it('measures distance as kad-dht does: the SHA-256 of the bytes', () => {
    assert.equal(Buffer.from(kadId(new TextEncoder().encode('abc'))).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
