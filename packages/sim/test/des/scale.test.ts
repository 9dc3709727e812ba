import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { wideAreaNetwork } from '../../src/des/network-model.js'
import { discoveryCostAt, runScale } from '../../src/des/scale.js'
import { loadScaleSpec } from '../../src/des/scale-spec.js'
import type { ScaleSpec } from '../../src/des/scale-spec.js'
import { lastPublicationMs } from '../../src/des/world.js'

const spec: ScaleSpec = { ...loadScaleSpec('scale'), simulatedSeconds: 120, churnFractionPerMinute: 0.05, jobs: { perThousandPeers: 5, arrivalRps: 20, batchSize: 32, batchesInFlight: 4 } }
const network = wideAreaNetwork({ requestOverheadMs: 1, replyOverheadMs: 1, pingRttMs: 0.5 })

describe('scale runs', () => {
  it('serve every request on a churning network, with the same result for the same seed', () => {
    const a = runScale(spec, 200, 'tessera', network)
    const b = runScale(spec, 200, 'tessera', network)
    assert.deepEqual({ ...a.row }, { ...b.row })
    assert.equal(a.events, b.events)
    assert.equal(a.row.jobs, 1)
    assert.equal(a.row.requestsLost, 0)
    assert.equal(a.row.requestsDuplicated, 0)
    // 5%/min of 200 peers for 2 min is 20 departures expected; Poisson, so within a generous band.
    assert.ok(a.departures >= 8 && a.departures <= 35, `${a.departures} departures`)
    assert.ok(a.row.discoveryRounds > 1 && a.row.dhtMessages > 0)
    assert.ok(Math.abs(a.row.throughputRps - 20) < 2, `${a.row.throughputRps} req/s`)
  })

  it('discovery: the bucketed design costs far less per round than reading every provider, at any N', () => {
    for (const n of [100, 2000]) {
      const c = discoveryCostAt(spec, n)
      assert.ok(c.bucketedIncremental.messages < c.bucketedFirst.messages)
      if (n >= 2000) assert.ok(c.bucketedFirst.messages < c.readEveryProvider.messages, `${c.bucketedFirst.messages} vs ${c.readEveryProvider.messages}`)
    }
  })

  it('republishes a record after 20 s, then at doubling delays up to every 60 s', () => {
    assert.equal(lastPublicationMs(1000, 20_999), 1000)
    assert.equal(lastPublicationMs(1000, 21_000), 21_000)
    assert.equal(lastPublicationMs(1000, 61_000), 61_000)
    assert.equal(lastPublicationMs(1000, 121_500), 121_000)
    assert.equal(lastPublicationMs(1000, 181_000), 181_000)
  })
})
