import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidScenarioError } from '../src/errors.js'
import { applyOverrides, loadScenario, validateScenario } from '../src/scenario.js'

describe('scenarios', () => {
  it('the default scenario loads and has a relay, a relayed node, background load and several geometries', () => {
    const s = loadScenario('default')
    assert.equal(s.name, 'default')
    assert.equal(s.nodes.filter((n) => n.relay === true).length, 1)
    assert.ok(s.nodes.some((n) => n.relayed === true))
    assert.ok(s.nodes.some((n) => (n.backgroundLoad ?? 0) > 0))
    assert.ok(new Set(s.nodes.map((n) => n.geometry)).size >= 2)
    assert.ok(new Set(s.nodes.map((n) => n.preset)).size >= 2)
  })

  it('overrides seed, requests and node count, keeping the relay', () => {
    const s = applyOverrides(loadScenario('default'), { seed: 'x', requests: 10, nodes: 3 })
    assert.equal(s.seed, 'x')
    assert.equal(s.requests, 10)
    assert.equal(s.nodes.length, 3)
    assert.equal(s.nodes[0].relay, true)
    const more = applyOverrides(loadScenario('default'), { nodes: 12 })
    assert.equal(more.nodes.length, 12)
    assert.equal(new Set(more.nodes.map((n) => n.id)).size, 12)
  })

  it('rejects bad scenarios with a named error', () => {
    const good = loadScenario('default')
    assert.throws(() => validateScenario({ ...good, requests: 0 }), InvalidScenarioError)
    assert.throws(() => validateScenario({ ...good, nodes: [{ ...good.nodes[1], preset: 'nope' }] }), InvalidScenarioError)
    assert.throws(() => validateScenario({ ...good, nodes: [good.nodes[1], good.nodes[1]] }), InvalidScenarioError)
    assert.throws(() => validateScenario({ ...good, nodes: [{ ...good.nodes[1], backgroundLoad: 1 }] }), InvalidScenarioError)
    assert.throws(() => loadScenario('no-such-scenario'), (err: Error) => {
      // The file system's reason travels as the cause.
      assert.ok(err instanceof InvalidScenarioError)
      assert.equal(err.code, 'ERR_INVALID_SCENARIO')
      assert.equal((err.cause as { code?: string }).code, 'ENOENT')
      return true
    })
  })

  it('the simulation scenarios load with their timelines: slowdown, churn (leave and join), hotspot, steady', () => {
    const slowdown = loadScenario('slowdown')
    assert.deepEqual(slowdown.timeline?.map((e) => e.kind), ['slowdown'])
    const churn = loadScenario('churn')
    assert.deepEqual(churn.timeline?.map((e) => e.kind), ['leave', 'join'])
    const starting = churn.nodes.filter((n) => n.standby !== true).length
    const leave = churn.timeline?.[0]
    // "30% of nodes leave": the busiest 30% of the starting nodes.
    assert.ok(leave?.kind === 'leave' && !Array.isArray(leave.nodes) && leave.nodes.busiest === Math.round(0.3 * starting))
    const join = churn.timeline?.[1]
    assert.ok(join?.kind === 'join' && join.nodes.every((id) => churn.nodes.find((n) => n.id === id)?.standby === true))
    const hotspot = loadScenario('hotspot')
    assert.ok(hotspot.timeline?.[0].kind === 'hotspot' && hotspot.timeline[0].factor === 3)
    assert.deepEqual(loadScenario('steady').timeline, [])
    for (const s of [slowdown, churn, hotspot]) assert.ok(s.timeline!.every((e) => e.atMs < (s.durationMs as number)))
  })

  it('rejects bad timelines with a named error naming the entry', () => {
    const good = loadScenario('churn')
    const bad = (timeline: unknown[], extra: Record<string, unknown> = {}): void => {
      assert.throws(() => validateScenario({ ...good, ...extra, timeline }), (err: Error) => err instanceof InvalidScenarioError && /timeline\[0\]|durationMs/.test(err.message), JSON.stringify(timeline))
    }
    bad([{ atMs: -1, kind: 'leave', nodes: ['n1'] }])
    bad([{ atMs: 40_000, kind: 'leave', nodes: ['n1'] }])
    bad([{ atMs: 1000, kind: 'leave', nodes: ['relay'] }])
    bad([{ atMs: 1000, kind: 'leave', nodes: ['nobody'] }])
    bad([{ atMs: 1000, kind: 'leave', nodes: { busiest: 0 } }])
    bad([{ atMs: 1000, kind: 'join', nodes: ['n1'] }])
    bad([{ atMs: 1000, kind: 'slowdown', nodes: ['n1'], factor: 0 }])
    bad([{ atMs: 1000, kind: 'hotspot', layer: '', factor: 3 }])
    bad([{ atMs: 1000, kind: 'hotspot', layer: 'dense0', factor: 0.5 }])
    bad([{ atMs: 1000, kind: 'explode' }])
    bad([{ atMs: 1000, kind: 'join', nodes: ['j1'] }], { durationMs: 0 })
    assert.throws(() => validateScenario({ ...good, timeline: [{ atMs: 1, kind: 'join', nodes: ['j1'] }, { atMs: 2, kind: 'join', nodes: ['j1'] }] }), /joins twice/)
    assert.throws(() => validateScenario({ ...good, nodes: good.nodes.map((n) => ({ ...n, standby: true })) }), /at least one node/)
  })
})
