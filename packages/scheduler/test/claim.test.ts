import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { REPUTATION_MIN_SPEED_SAMPLES } from '@tessera/memory'
import { confirmedThroughput } from '../src/claim.js'
import { CLAIM_CONFIRMATION_SLACK } from '../src/constants.js'
import { scoreShard, createScoreModel } from '../src/score.js'
import { normaliseShards } from '../src/validate.js'
import { longTerm, peer, shard } from './fixtures.js'

describe('confirmedThroughput', () => {
  it('leaves the claim of a peer without enough observed calls', () => {
    assert.equal(confirmedThroughput(1e10, undefined), 1e10)
    assert.equal(confirmedThroughput(1e10, { throughput: 1e9, throughputSamples: REPUTATION_MIN_SPEED_SAMPLES - 1 }), 1e10)
    assert.equal(confirmedThroughput(1e10, { throughputSamples: 100 }), 1e10)
  })

  it('caps the claim at the slack × the observed throughput, and never raises it', () => {
    assert.equal(confirmedThroughput(1e10, { throughput: 1e9, throughputSamples: REPUTATION_MIN_SPEED_SAMPLES }), CLAIM_CONFIRMATION_SLACK * 1e9)
    assert.equal(confirmedThroughput(1e9, { throughput: 5e9, throughputSamples: 100 }), 1e9)
  })

  it('a 10× claimer capped by its observed speed scores behind an honest peer of the speed it claims', () => {
    const model = createScoreModel()
    const [s] = normaliseShards([shard('s')])
    const honest = peer('honest', { device: { throughput: 1e9 } })
    const claimed = 1e10
    const observed = 1e8
    const stats = longTerm('claimer', { throughputSamples: 50 })
    // The view the coordinator builds (peers.ts): the claim capped; no measured throughput is handed to the score.
    const claimer = peer('claimer', { device: { throughput: confirmedThroughput(claimed, { throughput: observed, throughputSamples: 50 }) }, longTerm: stats })
    const uncapped = peer('claimer', { device: { throughput: claimed }, longTerm: stats })
    assert.ok(scoreShard(s, uncapped, model).totalMs < scoreShard(s, honest, model).totalMs, 'believed, the claim wins')
    assert.ok(scoreShard(s, claimer, model).totalMs > scoreShard(s, honest, model).totalMs, 'capped, it loses')
  })
})
