import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runDesPolicy } from '../../src/des/engine.js'
import { InvariantViolationError } from '../../src/des/errors.js'
import type { DesFault } from '../../src/des/faults.js'
import { network, peerIdsOf, smallScenario } from './fixtures.js'

function runWith (bug: Extract<DesFault, { kind: 'bug' }>['bug'], policy = 'tessera', strict = true): ReturnType<typeof runDesPolicy> {
  const scenario = smallScenario({ timeline: [{ atMs: 1000, kind: 'leave', nodes: { busiest: 1 } }] })
  return runDesPolicy({ scenario, policy, network, peerIds: peerIdsOf(scenario), faults: [{ atMs: 500, kind: 'bug', bug }], strictInvariants: strict })
}

describe('invariant checker', () => {
  it('holds on a run with a departure and no bug', () => {
    const scenario = smallScenario({ timeline: [{ atMs: 1000, kind: 'leave', nodes: { busiest: 1 } }] })
    const run = runDesPolicy({ scenario, policy: 'tessera', network, peerIds: peerIdsOf(scenario) })
    assert.deepEqual(run.violations, [])
  })

  it('catches a tile over-committed', () => {
    // The over-committing reservation is the first upload after the bug: the re-placement of the departed copies.
    assert.throws(() => runWith('overcommit-tiles'), (err: unknown) => err instanceof InvariantViolationError && /tiles committed of/.test(err.message))
  })

  it('catches a request answered twice', () => {
    assert.throws(() => runWith('duplicate-answer'), (err: unknown) => err instanceof InvariantViolationError && /answered twice/.test(err.message))
  })

  it('catches a request lost without a failure', () => {
    assert.throws(() => runWith('drop-answer', 'round-robin'), (err: unknown) => err instanceof InvariantViolationError && /arrived, \d+ accounted for/.test(err.message))
  })

  it('catches the release of a shard\'s last active copy', () => {
    assert.throws(() => runWith('release-last-copy'), (err: unknown) => err instanceof InvariantViolationError && /removed its last active copy/.test(err.message))
  })

  it('lists every violation instead of throwing when not strict', () => {
    const run = runWith('duplicate-answer', 'tessera', false)
    assert.ok(run.violations.some((v) => /answered twice/.test(v)), run.violations.join('; '))
  })
})
