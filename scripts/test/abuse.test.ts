import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ATTACKS } from '../abuse/attacks.js'
import { SUITE_CONNECTION_LIMITS, runAbuseSuite } from '../abuse/harness.js'

/** Tile quota the suite's node is started with (of 16 tiles). */
const MAX_TILES_PER_PEER = 8
const ATTACK_MS = 3_000

describe('hostile clients against a running tessera node', () => {
  it('every attack leaves the node up, the honest client without a failed call and the node\'s memory bounded', { timeout: 200_000 }, async () => {
    // The first attack is repeated at the end. The first attack meets a node whose heap has not yet grown to its
    // working size (V8 widens its young generation under the first burst of allocation: measured 110 MiB in the first
    // attack, then 0–30 MiB per attack after), so its peak is reported, not held to the bound; every attack on the
    // warmed node, the first one run again included, must stay within it, which is what "bounded" asks.
    const order = [...Object.keys(ATTACKS), Object.keys(ATTACKS)[0]]
    const rows = await runAbuseSuite({ attacks: order, baselineMs: 1_000, attackMs: ATTACK_MS, tiles: 16, maxTilesPerPeer: MAX_TILES_PER_PEER })
    assert.deepEqual(rows.map((r) => r.attack), order)
    rows.forEach((r, i) => {
      assert.ok(r.nodeAlive, `${r.attack}: the node went down`)
      assert.equal(r.honestFailures, 0, r.attack)
      assert.ok(r.honestCalls > 0, `${r.attack}: no honest call completed`)
      if (i > 0) assert.ok(r.rssGrowthMiB <= 100, `${r.attack}: the node grew by ${r.rssGrowthMiB} MiB`)
      assert.ok(r.ownRecordHeld, `${r.attack}: the node no longer serves its own capacity record`)
      assert.ok(r.honestRecordHeld, `${r.attack}: the node no longer serves the honest client's capacity record`)
    })
    const byName = new Map(rows.map((r) => [r.attack, r.stats]))
    const foreign = byName.get('foreign-shards')
    assert.ok((foreign?.attempts ?? 0) > 0)
    assert.equal(foreign?.foreignSuccesses, 0)
    const grab = byName.get('tile-grab')
    assert.equal(grab?.tilesTaken, MAX_TILES_PER_PEER)
    assert.ok((grab?.refused ?? 0) > 0)
  })

  it('a flood of 100 PeerIds from one address meets the per-address rate and the connection cap, not only as settings', { timeout: 120_000 }, async () => {
    const rows = await runAbuseSuite({ attacks: ['connection-flood'], baselineMs: 1_000, attackMs: ATTACK_MS, tiles: 16, maxTilesPerPeer: MAX_TILES_PER_PEER })
    const [flood] = rows
    const { maxConnections, inboundConnectionThreshold, maxIncomingPendingConnections } = SUITE_CONNECTION_LIMITS
    assert.equal(flood.stats.peers, 100)
    // All 100 dial at once: one second's worth from 127.0.0.1 gets in (an earlier connection may have used some).
    assert.ok(flood.stats.firstRoundConnected <= inboundConnectionThreshold, `${flood.stats.firstRoundConnected} admitted in the first round`)
    // Over the whole attack, at most a second's worth per second begun (fixed one-second windows).
    const windows = Math.ceil(ATTACK_MS / 1000) + 2
    assert.ok(flood.stats.connected <= inboundConnectionThreshold * windows, `${flood.stats.connected} admitted`)
    assert.ok(flood.stats.refused > 0)
    // The honest client and the attacker's own node hold one connection each; the flood gets the rest of the cap.
    assert.ok(flood.stats.maxOpenAtOnce <= maxConnections - 2, `${flood.stats.maxOpenAtOnce} flood connections open at once`)
    // libp2p admits an inbound connection while fewer than maxConnections are open and does not count upgrades in
    // progress, so at worst every pending upgrade lands at once, and the pruner brings the count back down after.
    assert.ok(flood.peakPeersConnected <= maxConnections - 1 + maxIncomingPendingConnections, `${flood.peakPeersConnected} peers at once`)
    assert.equal(flood.honestFailures, 0)
    assert.ok(flood.nodeAlive)
  })

  it('the DHT attack stores nothing: no forged, foreign, expired, far-future or oversized record; the node\'s and the honest one stay', { timeout: 120_000 }, async () => {
    const [dht] = await runAbuseSuite({ attacks: ['dht-records'], baselineMs: 1_000, attackMs: ATTACK_MS, tiles: 16, maxTilesPerPeer: MAX_TILES_PER_PEER })
    assert.ok(dht.stats.puts >= 5, `${dht.stats.puts} puts`)
    assert.equal(dht.stats.acknowledged, 0)
    assert.equal(dht.stats.forgedHeld, 0)
    assert.equal(dht.stats.foreignHeld, 0)
    // Expired, far-future and oversized records all went under the attacker's own key: nothing is held there.
    assert.equal(dht.stats.attackerKeyHeld, 0)
    assert.equal(dht.stats.targetKeyHeld, 1)
    assert.ok(dht.ownRecordHeld)
    assert.ok(dht.honestRecordHeld)
    assert.equal(dht.honestFailures, 0)
  })
})
