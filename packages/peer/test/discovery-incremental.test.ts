import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DhtDiscovery, createTesseraNode } from '../src/index.js'
import { FAST, startNodes, stopAll, waitFor } from './helpers.js'
import type { DhtDiscoveryRound, TesseraNode } from '../src/index.js'

/** Records that live 120 s and are re-published every 60 s, so none falls due while the test reads newcomers. */
const SLOW_RECORDS = { recordTtlMs: 120_000, recordRefreshMs: 60_000 }

const published = (node: TesseraNode): boolean => node.lastPublished()?.provided === true && node.lastPublished()!.peersAcked > 0

describe('incremental discovery on real nodes', () => {
  let nodes: TesseraNode[] = []
  let client: TesseraNode | undefined
  let newcomer: TesseraNode | undefined
  before(async () => {
    nodes = await startNodes(5, SLOW_RECORDS)
    await waitFor('every node published', () => nodes.every(published) ? true : undefined)
    client = await createTesseraNode({ ...FAST, serve: false, bootstrap: [nodes[0].getMultiaddrs()[0].toString()] })
  })
  after(async () => { await stopAll([client, newcomer, ...nodes]) })

  it('reads each record once, then only the newcomer, then each re-published record once', async () => {
    let offsetMs = 0
    const discovery = new DhtDiscovery(client!.libp2p.services.dht, client!.validator, client!.peerId, { now: () => Date.now() + offsetMs })
    const rounds: DhtDiscoveryRound[] = []
    const ids = (xs: Array<{ record: { peerId: string } }>): string[] => xs.map((x) => x.record.peerId).sort()
    const all = nodes.map((n) => n.peerId.toString()).sort()
    const served = (): number => nodes.reduce((sum, n) => sum + n.dhtStoreStats().inboundRequests, 0)
    const servedBefore = served()
    await waitFor('the five records', async () => {
      rounds.push(await discovery.round({ timeoutMs: 5_000 }))
      return discovery.candidates().length === 5 ? true : undefined
    })
    assert.deepEqual(ids(discovery.candidates()), all)
    assert.equal(rounds.reduce((s, r) => s + r.recordsRead, 0), 5, 'no record read twice')
    assert.ok(rounds[0].messages > 0, 'the first round went over the network')
    // Every answer the client got was a request some node served (the nodes' own traffic adds to the count).
    assert.ok(served() - servedBefore >= discovery.count.responses, `${served() - servedBefore} served, ${discovery.count.responses} answers`)

    const quiet = await discovery.round({ timeoutMs: 5_000 })
    assert.equal(quiet.recordsRead, 0)
    assert.deepEqual([quiet.added, quiet.updated, quiet.dropped], [[], [], []])

    newcomer = await createTesseraNode({ ...FAST, ...SLOW_RECORDS, bootstrap: [nodes[0].getMultiaddrs()[0].toString()] })
    await waitFor('the newcomer published', () => published(newcomer!) ? true : undefined)
    const later: DhtDiscoveryRound[] = []
    await waitFor('the newcomer found', async () => {
      later.push(await discovery.round({ timeoutMs: 5_000 }))
      return later.at(-1)!.added.length > 0 ? true : undefined
    })
    assert.deepEqual(later.flatMap((r) => ids(r.added)), [newcomer.peerId.toString()])
    assert.equal(later.reduce((s, r) => s + r.recordsRead, 0), 1, 'only the newcomer was read')

    // nodes[1] re-publishes; once the held records are half their lifetime old each is read once more.
    const republished = await nodes[1].publishCapacity()
    offsetMs = 60_000
    const due = await discovery.round({ timeoutMs: 10_000 })
    assert.equal(due.recordsRead, 6)
    assert.ok(ids(due.updated).includes(nodes[1].peerId.toString()))
    for (const u of due.updated) {
      const publisher = [...nodes, newcomer].find((n) => n.peerId.toString() === u.record.peerId)!
      assert.ok(u.record.sequence > 0 && u.record.sequence <= publisher.lastPublished()!.record.sequence)
    }
    assert.equal(due.updated.find((u) => u.record.peerId === nodes[1].peerId.toString())!.record.sequence, republished.record.sequence)
    const after = await discovery.round({ timeoutMs: 5_000 })
    assert.equal(after.recordsRead, 0, 'records just read are not due again')
  })
})
