import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidSchedulerOptionError } from '../src/errors.js'
import { createScoreModel, scoreShard } from '../src/score.js'
import { normaliseShards } from '../src/validate.js'
import { longTerm, peer, shard } from './fixtures.js'
import type { ShortTermStats } from '@tessera/memory'

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`)
const [big] = normaliseShards([shard('big')])
const model = createScoreModel()

describe('scoreShard', () => {
  it('adds compute, network and amortised upload time and divides by the success probability', () => {
    const s = scoreShard(big, peer('a'), model)
    assert.equal(s.feasible, true)
    close(s.computeMs, 65_536 / 1e9 * 1000)
    close(s.networkMs, 10 + 2048 / 12.5e6 * 1000)
    close(s.uploadMs, 262_144 / 12.5e6 * 1000 / 100)
    close(s.queueMs, 0)
    // No long-term history: the prior failure probability 0.05, availability 1.
    close(s.totalMs, (s.computeMs + s.networkMs + s.uploadMs) / 0.95)
  })

  it('counts queued and in-flight work at the measured service time, plus pending and committed work', () => {
    const shortTerm: ShortTermStats = {
      peerId: 'a',
      lastSeenMs: 0,
      calls: 0,
      queueDepth: { count: 1, latest: 3, mean: 3, ema: 3, p50: 3, p95: 3, min: 3, max: 3 },
      inFlight: { count: 1, latest: 1, mean: 1, ema: 1, p50: 1, p95: 1, min: 1, max: 1 },
      serviceMs: { count: 4, latest: 2, mean: 2.5, ema: 2, p50: 2, p95: 3, min: 2, max: 3 }
    }
    const s = scoreShard(big, peer('a', { shortTerm }), model, { pending: 2, committedMs: 7 })
    close(s.queueMs, (3 + 1 + 2) * 2.5 + 7)
  })

  it('prefers measured throughput to the advertised figure', () => {
    const shortTerm: ShortTermStats = { peerId: 'a', lastSeenMs: 0, calls: 0, throughput: { count: 3, latest: 1e8, mean: 1e8, ema: 2.5e8, p50: 1e8, p95: 1e8, min: 1e8, max: 1e8 } }
    close(scoreShard(big, peer('a', { shortTerm }), model).computeMs, 65_536 / 2.5e8 * 1000)
    close(scoreShard(big, peer('a', { longTerm: longTerm('a', { throughput: 5e8 }) }), model).computeMs, 65_536 / 5e8 * 1000)
  })

  it('rules out weights that cannot cross a default relay, and penalises a raised one', () => {
    const relayed = scoreShard(big, peer('r', { path: 'relayed' }), model)
    assert.equal(relayed.feasible, false)
    assert.match(relayed.reason ?? '', /data limit/)
    assert.equal(relayed.totalMs, Number.POSITIVE_INFINITY)
    const raised = scoreShard(big, peer('r', { path: 'relayed', relayLimits: { dataBytes: 4 * 2 ** 30, durationMs: 30 * 60_000 } }), model)
    assert.equal(raised.feasible, true)
    close(raised.networkMs, 10 + 30 + 2048 / 1.25e6 * 1000)
    assert.ok(raised.totalMs > scoreShard(big, peer('d'), model).totalMs)
    // A relay that allows the bytes but not the time an upload takes at relay bandwidth.
    const slow = scoreShard(big, peer('r', { path: 'relayed', relayLimits: { dataBytes: 1e9, durationMs: 100 } }), model)
    assert.match(slow.reason ?? '', /duration limit/)
    // A small shard crosses a default relay.
    const [small] = normaliseShards([shard('small', { geometry: { rows: 64, cols: 64 }, cells: 4096, bytes: 16_384 })])
    assert.equal(scoreShard(small, peer('r', { path: 'relayed' }), model).feasible, true)
  })

  it('applies reliability, result-error, trend and noise factors', () => {
    const history = longTerm('a', { failureRate: 0.2, availability: 0.8, resultError: 0.05, trend: 'degrading' })
    const s = scoreShard(big, peer('a', { longTerm: history }), model)
    close(s.reliabilityFactor, 1 / (0.8 * 0.8))
    close(s.resultErrorFactor, 1 + 10 * 0.05)
    close(s.trendFactor, 1.5)
    close(s.totalMs, (s.computeMs + s.networkMs + s.uploadMs + s.queueMs) * s.reliabilityFactor * s.resultErrorFactor * s.trendFactor)
    const [sensitive] = normaliseShards([shard('s', { sensitivity: 0.8 })])
    const noisy = scoreShard(sensitive, peer('n', { device: { noiseLevel: 0.06 } }), model)
    close(noisy.noiseFactor, 1 + 50 * 0.8 * (0.06 - 0.03) / 0.03)
    assert.equal(scoreShard(big, peer('n', { device: { noiseLevel: 0.06 } }), model).noiseFactor, 1) // insensitive
    assert.equal(scoreShard(sensitive, peer('q', { device: { noiseLevel: 0.02 } }), model).noiseFactor, 1) // below θ
  })

  it('trusts the short-term error rate only after enough calls', () => {
    const few: ShortTermStats = { peerId: 'a', lastSeenMs: 0, calls: 2, errorRate: 0.5 }
    const many: ShortTermStats = { ...few, calls: 20 }
    close(scoreShard(big, peer('a', { shortTerm: few }), model).reliabilityFactor, 1 / 0.95)
    close(scoreShard(big, peer('a', { shortTerm: many }), model).reliabilityFactor, 1 / 0.5)
  })

  it('checks capacity and geometry unless the shard is already programmed', () => {
    assert.equal(scoreShard(big, peer('a', { device: { tilesFree: 0 } }), model).feasible, false)
    assert.equal(scoreShard(big, peer('a', { device: { geometry: { rows: 128, cols: 128 } } }), model).feasible, false)
    assert.equal(scoreShard(big, peer('a'), model, { tilesFree: 0 }).feasible, false)
    const programmed = scoreShard(big, peer('a', { path: 'relayed', device: { tilesFree: 0 } }), model, { programmed: true })
    assert.equal(programmed.feasible, true)
    assert.equal(programmed.uploadMs, 0)
    assert.equal(scoreShard(big, peer('a', { device: { throughput: 0 } }), model).feasible, false)
  })

  it('rejects bad model options', () => {
    assert.throws(() => createScoreModel({ bandwidthBytesPerSec: { relayed: 0 } }), InvalidSchedulerOptionError)
    assert.throws(() => createScoreModel({ noiseThreshold: 0 }), InvalidSchedulerOptionError)
    assert.throws(() => createScoreModel({ amortisationRequests: 0.5 }), InvalidSchedulerOptionError)
  })
})
