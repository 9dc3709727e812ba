import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidRunOptionError } from '../../src/coordinator/errors.js'
import { applyOverrides, loadScenario, validateScenario } from '../../src/coordinator/scenario.js'

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
    assert.throws(() => validateScenario({ ...good, requests: 0 }), InvalidRunOptionError)
    assert.throws(() => validateScenario({ ...good, nodes: [{ ...good.nodes[1], preset: 'nope' }] }), InvalidRunOptionError)
    assert.throws(() => validateScenario({ ...good, nodes: [good.nodes[1], good.nodes[1]] }), InvalidRunOptionError)
    assert.throws(() => validateScenario({ ...good, nodes: [{ ...good.nodes[1], backgroundLoad: 1 }] }), InvalidRunOptionError)
    assert.throws(() => loadScenario('no-such-scenario'), InvalidRunOptionError)
  })
})
