import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { TesseraNode, TesseraNodeInit } from '@tessera/peer'
import { NetworkWatch } from '../../src/dashboard/network-watch.js'
import type { NetworkWatchInit } from '../../src/dashboard/network-watch.js'
import { DashboardStore } from '../../src/dashboard/store.js'
import { startClient, startNodes, stopAll } from './network.js'
import { until } from './sse-client.js'

const WAIT_MS = 30_000

/** Each peer's state and reason, for failure messages. */
function seen (store: DashboardStore): () => string {
  return () => JSON.stringify(store.snapshot().peers.map((p) => [p.peerId.slice(-6), p.state, p.stateReason, p.path.kind, p.load !== null]))
}

/** Three live nodes and a watch from a client node joined through the first, started before and stopped after the suite. */
interface WatchedNetwork {
  nodes: TesseraNode[]
  client?: TesseraNode
  watch?: NetworkWatch
  store: DashboardStore
}

/**
 * Registers the suite's set-up and tear-down of a {@link WatchedNetwork}; `beforeWatch` runs on the nodes before
 * the client joins.
 */
function watchedNetwork (init: { nodeInit?: TesseraNodeInit, watch?: Partial<NetworkWatchInit>, beforeWatch?: (nodes: TesseraNode[]) => Promise<void> } = {}): WatchedNetwork {
  const net: WatchedNetwork = { nodes: [], store: new DashboardStore({ title: 'test', mode: 'watch', sources: [] }) }
  before(async () => {
    net.nodes = await startNodes(3, init.nodeInit)
    await init.beforeWatch?.(net.nodes)
    net.client = await startClient(net.nodes[0])
    net.watch = new NetworkWatch({ node: net.client, store: net.store, ownMetrics: true, discoverEveryMs: 300, ...init.watch })
    await net.watch.start()
  })
  after(async () => {
    await net.watch?.stop()
    await stopAll([net.client, ...net.nodes])
  })
  return net
}

describe('network watch on a live loopback network', () => {
  const net = watchedNetwork()
  const { store } = net

  it('shows every peer serving, with its record, its path and the load it gossips', async () => {
    const ids = net.nodes.map((n) => n.peerId.toString()).sort()
    await until('every node serving with gossiped load', () => {
      const peers = store.snapshot().peers
      return peers.length === 3 && peers.every((p) => p.state === 'serving' && p.load !== null && p.rttMs !== null)
    }, WAIT_MS, seen(store))
    const peers = store.snapshot().peers
    assert.deepEqual(peers.map((p) => p.peerId).sort(), ids)
    for (const p of peers) {
      assert.equal(p.device?.preset, 'ideal')
      assert.equal(p.tilesTotal, 4)
      assert.equal(p.tilesSource, 'gossip')
      assert.deepEqual(p.path, { kind: 'direct' })
      assert.equal(p.reachability, 'public')
      assert.ok(p.load !== null && p.load.busy >= 0 && p.load.busy <= 1)
    }
    assert.equal(store.connected, true)
    assert.equal(store.self, net.client?.peerId.toString())
  })

  it('marks a peer that stops gone: its connection closes and the re-dial is refused', async () => {
    const leaving = net.nodes[2]
    const id = leaving.peerId.toString()
    await leaving.stop()
    await until('the stopped node gone', () => store.peers.get(id)?.state === 'gone', WAIT_MS, seen(store))
    const peer = store.peers.get(id)
    assert.match(peer?.stateReason ?? '', /re-dial failed/)
    assert.deepEqual(peer?.path, { kind: 'none' })
    assert.equal(peer?.load, null)
    assert.ok(store.notices.some((n) => n.level === 'warning' && n.text.includes(id) && n.text.includes('gone')))
    // The others are untouched, and discovery (which still finds the leaver's unexpired record) does not revive it.
    await net.watch?.discoverOnce()
    assert.equal(store.peers.get(id)?.state, 'gone')
    assert.ok(net.nodes.slice(0, 2).every((n) => store.peers.get(n.peerId.toString())?.state === 'serving'))
  })
})

describe('network watch: a record that outlives its peer', () => {
  const net = watchedNetwork({
    nodeInit: { recordTtlMs: 10_000 },
    watch: { dialTimeoutMs: 2_000 },
    // The third node leaves once both others hold its record and its provider entry. It joined through the first
    // and may not have heard of the second yet: in a network of three, a lookup asks only peers closer to the key
    // than the one that answered, so its puts could keep reaching the first alone. Connected, the second enters its
    // routing table, the key counts as moved and the next publication goes through a lookup that asks both.
    beforeWatch: async (nodes) => {
      let stored = false
      nodes[2].addEventListener('record:published', (evt) => { if (evt.detail.peersAcked >= 2 && evt.detail.provided) stored = true })
      await nodes[2].libp2p.dial(nodes[1].getMultiaddrs()[0])
      await until('the third node\'s record stored on both others', () => stored, WAIT_MS)
      await nodes[2].stop()
    }
  })
  const { store } = net

  it('shows a peer whose record is valid but whose dial fails as unreachable, then gone when the record expires', async () => {
    const ghost = net.nodes[2].peerId.toString()
    await until('the ghost unreachable', () => store.peers.get(ghost)?.state === 'unreachable', WAIT_MS, seen(store))
    assert.match(store.peers.get(ghost)?.stateReason ?? '', /record is valid but a dial failed/)
    await until('the ghost gone', () => store.peers.get(ghost)?.state === 'gone', WAIT_MS, seen(store))
    assert.equal(store.peers.get(ghost)?.stateReason, 'its capacity record expired')
    assert.ok(net.nodes.slice(0, 2).every((n) => store.peers.get(n.peerId.toString())?.state === 'serving'))
  })
})
