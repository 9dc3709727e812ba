import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runDesPolicy } from '../../src/des/engine.js'
import { InvalidDesOptionError } from '../../src/des/errors.js'
import { desRowOf } from '../../src/des/report.js'
import { network, peerIdsOf, smallScenario } from './fixtures.js'

describe('runDesPolicy', () => {
  it('gives bit-identical reports for one seed, and a different result for another', () => {
    const scenario = smallScenario({ timeline: [{ atMs: 1500, kind: 'slowdown', nodes: { busiest: 1 }, factor: 4 }] })
    const once = (seed: string): string => {
      const s = { ...scenario, seed }
      const run = runDesPolicy({ scenario: s, policy: 'tessera', network, peerIds: peerIdsOf(s) })
      return JSON.stringify({ row: desRowOf(run), answers: run.recorder.answeredAtMs, calls: run.recorder.calls, events: run.events })
    }
    const a = once('seed-1')
    assert.equal(once('seed-1'), a)
    assert.notEqual(once('seed-2'), a)
  })

  it('serves an offer well under capacity completely, each request once, with every invariant checked', () => {
    const scenario = smallScenario()
    for (const policy of ['tessera', 'round-robin']) {
      const run = runDesPolicy({ scenario, policy, network, peerIds: peerIdsOf(scenario) })
      const requests = Math.floor((80 * 4000) / 1000)
      assert.equal(run.metrics.requests, requests)
      assert.equal(run.metrics.answered, requests)
      assert.equal(run.metrics.requestsDuplicated, 0)
      assert.deepEqual(run.violations, [])
      assert.ok(run.invariantChecks > requests / 16, `${run.invariantChecks} checks`)
      // Open loop at 80 req/s: the answered rate over the stream is the offer, within one batch of 16.
      assert.ok(Math.abs(run.metrics.throughputRps - 80) < 16 / (run.metrics.durationMs / 1000), `${run.metrics.throughputRps} req/s`)
    }
  })

  it('loses no request when the busiest peer leaves: its copies are re-placed and the calls retried', () => {
    const scenario = smallScenario({ durationMs: 6000, timeline: [{ atMs: 2000, kind: 'leave', nodes: { busiest: 1 } }] })
    for (const policy of ['tessera', 'random']) {
      const run = runDesPolicy({ scenario, policy, network, peerIds: peerIdsOf(scenario) })
      assert.equal(run.metrics.requestsLost, 0, policy)
      assert.ok(run.metrics.replacements >= 1, `${policy}: ${run.metrics.replacements} re-placements`)
      assert.equal(run.fired[0].kind, 'leave')
      assert.deepEqual(run.violations, [])
    }
  })

  it('counts a liar\'s wrong answers as accepted (no verification is modelled)', () => {
    const scenario = smallScenario()
    const clean = runDesPolicy({ scenario, policy: 'round-robin', network, peerIds: peerIdsOf(scenario) })
    assert.equal(clean.wrongAnswers, 0)
    const lying = runDesPolicy({ scenario, policy: 'round-robin', network, peerIds: peerIdsOf(scenario), faults: [{ atMs: 0, kind: 'liar', nodes: ['a', 'b', 'c', 'd', 'e'], wrongFraction: 1, relativeError: 0.5 }] })
    // Every call lies: the wrong answers are the successful calls.
    assert.equal(lying.wrongAnswers, lying.metrics.shardCalls - lying.metrics.failedCalls)
  })

  it('replays a real run\'s placement: its copies are the holders once programmed and serve the calls', () => {
    const scenario = smallScenario()
    const peerIds = peerIdsOf(scenario)
    const nodeOf = new Map([...peerIds].map(([node, peer]) => [peer, node]))
    const own = runDesPolicy({ scenario, policy: 'round-robin', network, peerIds })
    // Every copy moved to the node after its own (a placement round-robin would not make here).
    const nodes = scenario.nodes.map((n) => n.id)
    const moved = new Map(Object.entries(own.placement).map(([shardId, peers]) => [shardId, peers.map((p) => nodes[(nodes.indexOf(nodeOf.get(p) as string) + 1) % nodes.length])]))
    const replay = runDesPolicy({ scenario, policy: 'round-robin', network, peerIds, placement: { peers: nodes, copies: moved } })
    assert.notDeepEqual(replay.placement, own.placement)
    assert.deepEqual(replay.placement, Object.fromEntries([...moved].map(([shardId, ns]) => [shardId, ns.map((n) => peerIds.get(n))])))
    for (const call of replay.recorder.calls) assert.ok(replay.placement[call.shardId].includes(call.peerId), `${call.shardId} called on ${call.peerId}`)
    assert.equal(replay.metrics.requestsLost, 0)
    // A placement of other shards than the plan's is refused.
    assert.throws(() => runDesPolicy({ scenario, policy: 'round-robin', network, peerIds, placement: { peers: nodes, copies: new Map([['no-such-shard', ['a']]]) } }), InvalidDesOptionError)
  })

  it('stalls the calls in flight while the nodes publish their records, and only then', () => {
    const scenario = smallScenario({ durationMs: 4000 })
    const stalling = { ...network, publicationWorkMs: 100 }
    const slowest = (publicationsMs: number[]): number => {
      const run = runDesPolicy({ scenario, policy: 'round-robin', network: stalling, peerIds: peerIdsOf(scenario), publicationsMs })
      assert.equal(run.metrics.requestsLost, 0)
      return Math.max(...run.recorder.calls.map((c) => c.endMs - c.startMs))
    }
    // Five publications of 100 ms that finish at 1.55 s hold the loop from 1.45 s, while the batch that arrived at
    // 1.4 s is in flight: its calls wait for the last of them.
    assert.ok(slowest([1550, 1550, 1550, 1550, 1550]) >= 400, `${slowest([1550, 1550, 1550, 1550, 1550])} ms`)
    // Publications that finished before the stream hold nothing up.
    assert.ok(slowest([-5000, -5000, -5000, -5000, -5000]) < 200, `${slowest([-5000, -5000, -5000, -5000, -5000])} ms`)
  })

  it('re-places a lost copy where the replayed run did, for a policy without a loop', () => {
    const scenario = smallScenario({ durationMs: 5000, timeline: [{ atMs: 2000, kind: 'leave', nodes: ['a'] }] })
    const peerIds = peerIdsOf(scenario)
    const nodeOf = new Map([...peerIds].map(([node, peer]) => [peer, node]))
    const own = runDesPolicy({ scenario, policy: 'random', network, peerIds })
    const copies = new Map(Object.entries(own.placement).map(([shardId, peers]) => [shardId, peers.map((p) => nodeOf.get(p) as string)]))
    const lost = [...copies].filter(([, nodes]) => nodes.includes('a')).map(([shardId]) => shardId)
    assert.ok(lost.length > 0)
    const replacements = new Map([...copies.keys()].map((shardId) => [shardId, ['d']]))
    const replay = runDesPolicy({ scenario, policy: 'random', network, peerIds, placement: { peers: scenario.nodes.map((n) => n.id), copies, replacements } })
    assert.equal(replay.metrics.requestsLost, 0)
    for (const shardId of lost) {
      const after = replay.recorder.calls.filter((c) => c.ok && c.shardId === shardId && c.startMs > replay.startMs + 2500)
      assert.ok(after.length > 0 && after.every((c) => nodeOf.get(c.peerId) === 'd'), shardId)
    }
  })
})
