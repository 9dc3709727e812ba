import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FlaggedPeer } from '@tessera/coordinator'
import { detectionOf, medianOf, steadyThroughputRps, verificationOverheadOf, wrongAnswersOf } from '../src/verification-row.js'
import type { LieLog } from '../src/liars.js'

const nodeIdOf = (peerId: string): string | undefined => peerId.startsWith('peer-') ? peerId.slice(5) : undefined
const flag = (nodeId: string, atMs: number): FlaggedPeer => ({ peerId: `peer-${nodeId}`, reason: 'failed-check', atMs, evicted: true })

describe('detectionOf', () => {
  it('counts flagged liars, their time from the first lie, and flagged honest nodes as false alarms', () => {
    const lieLogs = new Map<string, LieLog>([['liar-a', { firstLieAtMs: 1000 }], ['liar-b', { firstLieAtMs: 2000 }], ['liar-c', { firstLieAtMs: 500 }], ['liar-d', {}]])
    const figures = detectionOf({
      lieLogs,
      // liar-a after 300 ms, liar-b after 4000 ms, liar-d (a speed claim: no logged lie) 900 ms after the start; liar-c never.
      // A peer flagged twice (an over-claimer later caught lying) counts once, at its first flag.
      flagged: [flag('liar-a', 1300), flag('honest', 1500), flag('liar-b', 6000), flag('liar-d', 1900), flag('liar-a', 9000)],
      nodeIdOf,
      startMs: 1000
    })
    assert.deepEqual(figures, { cheaters: 4, cheatersDetected: 3, detectionMsP50: 900, falseAlarms: 1, flagged: 4 })
  })

  it('has no detection figures when verification was off, but still counts the cheaters', () => {
    const figures = detectionOf({ lieLogs: new Map([['liar', {}]]), flagged: undefined, nodeIdOf, startMs: 0 })
    assert.deepEqual(figures, { cheaters: 1, cheatersDetected: null, detectionMsP50: null, falseAlarms: null, flagged: null })
  })

  it('gives no median when no liar was caught', () => {
    assert.equal(detectionOf({ lieLogs: new Map([['liar', { firstLieAtMs: 0 }]]), flagged: [], nodeIdOf, startMs: 0 }).detectionMsP50, null)
  })
})

describe('medianOf', () => {
  it('takes the lower middle of an even count', () => {
    assert.equal(medianOf([4, 1, 3, 2]), 2)
    assert.equal(medianOf([5, 1, 3]), 3)
    assert.equal(medianOf([]), null)
  })
})

describe('wrongAnswersOf', () => {
  it('counts requests answered in both runs with different predicted classes', () => {
    const run = { answers: Uint8Array.from([1, 1, 0, 1, 2]), predictions: Uint8Array.from([3, 4, 5, 6, 7]) }
    // Request 1 differs; 2 is unanswered in the run, 3 unanswered in the reference; 4 answered twice, same class.
    const reference = { answers: Uint8Array.from([1, 1, 1, 0, 1, 1]), predictions: Uint8Array.from([3, 9, 0, 0, 7, 1]) }
    assert.equal(wrongAnswersOf(run, reference), 1)
  })
})

describe('steadyThroughputRps and verificationOverheadOf', () => {
  it('rate over the second half of the scheduled stream', () => {
    // 10/s for the first 10 s, 40/s for the next 10 s; one answer after the planned end.
    const answers = [...Array.from({ length: 100 }, (_, i) => i * 100), ...Array.from({ length: 400 }, (_, i) => 10_000 + i * 25), 20_500]
    assert.equal(steadyThroughputRps(answers, 0, 20_000), 40)
  })

  it('overhead is the relative throughput lost, null without a rate to compare with', () => {
    assert.equal(verificationOverheadOf(38, 40), 1 - 38 / 40)
    assert.equal(verificationOverheadOf(5, 0), null)
  })
})
