// End to end on real loopback nodes: the `liars` scenario scaled down — four honest nodes and three liars (large
// perturbations, the answers of other weights, 30 % of calls dropped) — streamed through tessera with verification
// on, and the same scenario with every node honest as the reference. No wrong answer may be accepted (every
// request's predicted class equals the reference's), every liar must be flagged, no honest node, and no request
// lost or answered twice.
//
// Every node is PCM, the noisiest preset (the hardest case for false alarms), with 128×128 tiles: a copy's
// programming seed and each call's noise key do not depend on the peer, so honest answers are bit-identical
// wherever a shard sits, and the reference is exact — any class that differs is a lie that was accepted. (With
// mixed presets two honest runs differ on a few borderline requests whose shards moved between presets; see
// docs/metrics.md.)
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeRunError, loadMnistWorkload } from '@tessera/coordinator'
import { simRowOf, simulatePolicy, validateScenario } from '@tessera/sim'
import type { Scenario, ScenarioNode } from '@tessera/sim'
import { CACHE_DIR } from './e2e-network.js'

const honest = (id: string, delayMs: number): ScenarioNode => ({ id, preset: 'pcm', geometry: 128, tiles: 6, macsPerSecond: 5e7, delayMs })
// The liars are the fastest nodes, so that placement gives them shards to lie about.
const liar = (id: string, lie: ScenarioNode['lie']): ScenarioNode => ({ id, preset: 'pcm', geometry: 128, tiles: 4, macsPerSecond: 8e7, delayMs: 1, lie })

const scenario: Scenario = validateScenario({
  name: 'e2e-liars',
  description: 'four honest nodes and three liars',
  seed: 'e2e-liars',
  requests: 200_000,
  batchSize: 16,
  batchesInFlight: 4,
  arrivalRps: 40,
  durationMs: 8_000,
  nodes: [
    { ...honest('relay', 1), relay: true },
    honest('n1', 2),
    honest('n2', 2),
    honest('n3', 3),
    liar('liar-large', { kind: 'perturb', relative: 2 }),
    liar('liar-weights', { kind: 'other-weights' }),
    liar('liar-drop', { kind: 'drop', fraction: 0.3 })
  ],
  timeline: []
})

describe('liars on real nodes', () => {
  it('accepts no wrong answer, flags every liar and no honest node, and loses no request', async (t) => {
    const workload = await loadMnistWorkload({ cacheDir: CACHE_DIR, seed: scenario.seed })
    const network = { metricsIntervalMs: 500 }
    const run = await simulatePolicy({ scenario, policy: 'tessera', workload, network })
    const reference = await simulatePolicy({ scenario, policy: 'tessera', workload, network, honest: true })
    const row = simRowOf(run, { reference })
    const v = run.result.verification
    assert.ok(v !== undefined, 'tessera verifies by default')
    t.diagnostic(`row ${JSON.stringify(row)}`)
    t.diagnostic(`flagged ${v.flagged.map((f) => `${run.nodeIdOf(f.peerId) ?? f.peerId} (${f.reason}, evicted ${f.evicted})`).join(', ')}; ${v.checks} checks, ${v.rejected} rejected`)
    t.diagnostic(`placement ${JSON.stringify(Object.fromEntries(Object.entries(run.result.placement).map(([s, ps]) => [s, ps.map((p) => run.nodeIdOf(p))])))}`)

    assert.equal(run.result.metrics.requestsLost, 0, run.result.errors.map(describeRunError).join('\n'))
    assert.equal(run.result.metrics.requestsDuplicated, 0)
    assert.equal(reference.result.metrics.requestsLost, 0, reference.result.errors.map(describeRunError).join('\n'))
    // Every liar told its lie (it held a shard and was called), and was flagged; no honest node was.
    for (const id of ['liar-large', 'liar-weights', 'liar-drop']) {
      assert.notEqual(run.lieLogs.get(id)?.firstLieAtMs, undefined, `${id} was never called`)
    }
    assert.deepEqual(new Set(v.flagged.map((f) => run.nodeIdOf(f.peerId))), new Set(['liar-large', 'liar-weights', 'liar-drop']))
    assert.equal(row.cheaters, 3)
    assert.equal(row.cheatersDetected, 3)
    assert.equal(row.falseAlarms, 0)
    assert.equal(reference.result.verification?.flagged.length, 0, 'a false alarm in the honest reference run')
    // Rejected answers were recomputed elsewhere: every request's class is the one the honest network gives it.
    assert.ok(v.rejected > 0)
    assert.equal(row.wrongAnswers, 0)
    // No call accepted from a liar after its flag, but for the dropper's quarantined copies (its answers checked).
    for (const flag of v.flagged.filter((f) => f.reason === 'failed-check')) {
      assert.deepEqual(run.result.recorder.calls.filter((c) => c.ok && c.peerId === flag.peerId && c.startMs > flag.atMs), [])
    }
  })
})
