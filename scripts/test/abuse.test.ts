import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ATTACKS } from '../abuse/attacks.js'
import { runAbuseSuite } from '../abuse/harness.js'

/** Tile quota the suite's node is started with (of 16 tiles). */
const MAX_TILES_PER_PEER = 8

describe('hostile clients against a running tessera node', () => {
  it('every attack leaves the node up, the honest client without a failed call and the node\'s memory bounded', { timeout: 170_000 }, async () => {
    const rows = await runAbuseSuite({ attacks: Object.keys(ATTACKS), baselineMs: 1_000, attackMs: 3_000, tiles: 16, maxTilesPerPeer: MAX_TILES_PER_PEER })
    assert.deepEqual(rows.map((r) => r.attack), Object.keys(ATTACKS))
    for (const r of rows) {
      assert.ok(r.nodeAlive, `${r.attack}: the node went down`)
      assert.equal(r.honestFailures, 0, r.attack)
      assert.ok(r.honestCalls > 0, `${r.attack}: no honest call completed`)
      assert.ok(r.rssGrowthMiB <= 100, `${r.attack}: the node grew by ${r.rssGrowthMiB} MiB`)
    }
    const byName = new Map(rows.map((r) => [r.attack, r.stats]))
    const foreign = byName.get('foreign-shards')
    assert.ok((foreign?.attempts ?? 0) > 0)
    assert.equal(foreign?.foreignSuccesses, 0)
    const grab = byName.get('tile-grab')
    assert.equal(grab?.tilesTaken, MAX_TILES_PER_PEER)
    assert.ok((grab?.refused ?? 0) > 0)
  })
})
