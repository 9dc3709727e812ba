import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryDatastore } from 'datastore-core'
import { REPUTATION_FAILED_CHECK_WEIGHT, REPUTATION_MIN_SPEED_SAMPLES } from '../src/constants.js'
import { InvalidSampleError } from '../src/errors.js'
import { createLongTermMemory } from '../src/long-term.js'
import type { LongTermMemory } from '../src/long-term.js'

const SECOND = 1000
/** A half-life so long that decay is negligible within these tests (weights ≥ 1 − 1e−9). */
const init = { bucketMs: SECOND, halfLifeMs: 1e12, priorWeight: 0 }

/** `n` verified calls of `peerId` one every 10 ms from `fromMs`, each observing `observed` MAC/s against a `claimed` claim. */
function calls (memory: LongTermMemory, peerId: string, n: number, fromMs: number, observed: number, claimed: number): void {
  for (let i = 0; i < n; i++) memory.observe(peerId, { ok: true, latencyMs: 5, throughput: observed, claimedThroughput: claimed, checkPassed: true }, fromMs + i * 10)
}

describe('long-term memory: reputation', () => {
  it('an honest peer whose work confirms its claim keeps a reputation of 1 − its failure rate', () => {
    const memory = createLongTermMemory(init)
    calls(memory, 'honest', 40, 0, 1e9, 1e9)
    const stats = memory.stats('honest', 1000)
    assert.ok(stats !== undefined)
    assert.deepEqual(stats.reputation, { score: 1, checks: 1, speed: 1, reliability: 1 })
    assert.equal(stats.verifiedAnswers, 40)
    assert.equal(stats.failedChecks, 0)
  })

  it('a claim of 10× the observed speed counts once enough calls are in, and gives a speed factor of 0.1', () => {
    const memory = createLongTermMemory(init)
    calls(memory, 'claimer', REPUTATION_MIN_SPEED_SAMPLES - 1, 0, 1e8, 1e9)
    assert.equal(memory.stats('claimer', 1000)?.reputation.speed, 1, 'too few calls to hold the claim against it')
    calls(memory, 'claimer', 1, 500, 1e8, 1e9)
    const stats = memory.stats('claimer', 1000)
    assert.ok(stats !== undefined)
    assert.ok(Math.abs(stats.reputation.speed - 0.1) < 1e-9, String(stats.reputation.speed))
    assert.equal(stats.claimedThroughput, 1e9)
    // A peer faster than it claims is not rewarded beyond 1.
    calls(memory, 'modest', 30, 0, 2e9, 1e9)
    assert.equal(memory.stats('modest', 1000)?.reputation.speed, 1)
  })

  it('one failed check takes the check factor to 1 / (1 + w), and it recovers with the decay', () => {
    const memory = createLongTermMemory({ bucketMs: SECOND, halfLifeMs: 10 * SECOND, priorWeight: 0 })
    calls(memory, 'liar', 10, 0, 1e9, 1e9)
    memory.observe('liar', { ok: false, checkPassed: false }, 200)
    const fresh = memory.stats('liar', 500)
    assert.ok(fresh !== undefined)
    // Weight of the bucket [0, 1 s) at 0.5 s: its centre, age 0.
    assert.ok(Math.abs(fresh.reputation.checks - 1 / (1 + REPUTATION_FAILED_CHECK_WEIGHT)) < 1e-12)
    assert.ok(fresh.reputation.score < 0.01)
    // Ten half-lives later the failure weighs 2^−10.
    const later = memory.stats('liar', 500 + 100 * SECOND)
    assert.ok(later !== undefined)
    assert.ok(Math.abs(later.reputation.checks - 1 / (1 + REPUTATION_FAILED_CHECK_WEIGHT / 1024)) < 1e-9)
  })

  it('timeouts and errors lower reliability; the timeout rate is reported apart', () => {
    const memory = createLongTermMemory(init)
    calls(memory, 'flaky', 6, 0, 1e9, 1e9)
    memory.observe('flaky', { ok: false, timedOut: true }, 100)
    memory.observe('flaky', { ok: false }, 110)
    const stats = memory.stats('flaky', 1000)
    assert.ok(stats !== undefined)
    assert.ok(Math.abs(stats.failureRate - 2 / 8) < 1e-9)
    assert.ok(Math.abs(stats.timeoutRate - 1 / 8) < 1e-9)
    assert.ok(Math.abs(stats.reputation.reliability - 0.75) < 1e-9)
    assert.throws(() => { memory.observe('flaky', { timedOut: true }, 120) }, InvalidSampleError, 'a timeout is a failed call')
    assert.throws(() => { memory.observe('flaky', { ok: true, claimedThroughput: -1 }, 120) }, InvalidSampleError)
  })

  it('persists with the trends: a restarted memory holds the same reputation', async () => {
    const datastore = new MemoryDatastore()
    const memory = createLongTermMemory({ ...init, datastore })
    calls(memory, 'claimer', 30, 0, 1e8, 1e9)
    memory.observe('claimer', { ok: false, timedOut: true, checkPassed: false }, 400)
    await memory.save(1000)
    const restarted = createLongTermMemory({ ...init, datastore })
    assert.equal((await restarted.load(1000)).loaded, 1)
    assert.deepEqual(restarted.stats('claimer', 1000), memory.stats('claimer', 1000))
    assert.ok((restarted.stats('claimer', 1000)?.reputation.score ?? 1) < 0.001)
  })
})
