// End to end on real loopback nodes: the `churn` scenario — a third of the nodes that served the most calls leave
// mid-run and new ones join — streamed through tessera's coordinator with its reconfiguration loop. No request
// may be lost or answered twice, the lost copies must be re-placed on live peers, the joiners admitted, and
// throughput must come back within 10% of what it was before the departures.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeRunError, loadMnistWorkload } from '@tessera/coordinator'
import { loadScenario, recoveryOf, simRowOf, simulatePolicy, validateScenario } from '@tessera/sim'
import type { ReconfigureEvent, ShardEvent } from '@tessera/scheduler'
import { CACHE_DIR } from './e2e-network.js'

describe('churn on real nodes', () => {
  it('loses and duplicates no request, re-places lost copies on live peers, admits joiners and recovers throughput', async (t) => {
    // The shipped scenario, scaled to CI: six starting nodes, two of them (a third) leave, two join, 26 s.
    const shipped = loadScenario('churn')
    const keep = new Set(['relay', 'n1', 'n2', 'n3', 'n4', 'n5', 'j1', 'j2'])
    const scenario = validateScenario({
      ...shipped,
      durationMs: 26_000,
      nodes: shipped.nodes.filter((n) => keep.has(n.id)),
      timeline: [
        { atMs: 8000, kind: 'leave', nodes: { busiest: 2 } },
        { atMs: 9000, kind: 'join', nodes: ['j1', 'j2'] }
      ]
    })
    const workload = await loadMnistWorkload({ cacheDir: CACHE_DIR, seed: scenario.seed })
    const run = await simulatePolicy({ scenario, policy: 'tessera', workload, network: { metricsIntervalMs: 500 } })
    const { metrics, events } = run.result
    const row = simRowOf(run)
    const recovery = recoveryOf(run)
    const perSecond = Array.from({ length: Math.ceil(26) }, (_, i) => run.result.recorder.answeredAtMs.filter((a) => a - run.startMs >= i * 1000 && a - run.startMs < (i + 1) * 1000).length)
    t.diagnostic(`answers per second: ${perSecond.join(' ')}`)
    t.diagnostic(`throughput ${row.throughputRps} req/s, before the departures ${recovery?.beforeRps.toFixed(1)} req/s, trough ${recovery?.lowestRps.toFixed(1)} req/s, recovered after ${row.recoveryMs} ms; ${events.length} decisions`)

    // Open loop: every request that arrived within the duration was started (and, below, answered once).
    assert.equal(metrics.requests, Math.floor((scenario.arrivalRps as number) * (scenario.durationMs as number) / 1000))
    assert.equal(metrics.requestsLost, 0, run.result.errors.map(describeRunError).join('\n'))
    assert.equal(metrics.requestsDuplicated, 0)
    assert.equal(row.requestsLost, 0)

    const leave = run.fired.find((f) => f.kind === 'leave')
    assert.ok(leave !== undefined && leave.error === undefined, leave?.error)
    assert.equal(leave.nodes.length, 2)
    const departed = new Set(leave.nodes)
    const shardEvents = events.filter((e): e is ShardEvent => e.type !== 'admit')
    const replaced = shardEvents.filter((e) => e.type === 'replace')
    assert.ok(replaced.length > 0, 'no copy was re-placed')
    // A decision taken before the coordinator noticed a departure may target the departed node: its upload must
    // fail, and no call may be served there once the node is gone.
    for (const e of shardEvents) {
      if (e.to === undefined || e.atMs < leave.atMs || !departed.has(run.nodeIdOf(e.to) ?? '')) continue
      assert.ok(run.result.recorder.uploadFailures.some((f) => f.shardId === e.shardId && f.peerId === e.to), `${e.type} of ${e.shardId} onto departed ${run.nodeIdOf(e.to)} did not fail`)
    }
    const servedByDeparted = run.result.recorder.calls.filter((c) => c.ok && departed.has(run.nodeIdOf(c.peerId) ?? '') && c.endMs > leave.atMs + 1000)
    assert.deepEqual(servedByDeparted, [])
    // Every re-placement after the departures names a departed node as where the copy was lost.
    for (const e of replaced.filter((x) => x.atMs >= leave.atMs && x.from !== undefined)) assert.ok(departed.has(run.nodeIdOf(e.from as string) ?? ''), e.reason)

    const admitted = new Set(events.filter((e: ReconfigureEvent) => e.type === 'admit').map((e) => run.nodeIdOf(e.to ?? '')))
    assert.ok(admitted.has('j1') && admitted.has('j2'), `admitted ${[...admitted].join(', ')}`)

    assert.notEqual(recovery, undefined)
    assert.notEqual(row.recoveryMs, null, `throughput never came back within 10% of ${recovery?.beforeRps.toFixed(1)} req/s`)
  })
})
