import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { summarizeRunPeers } from '../../src/commands/run.js'
import type { PeerTarget } from '@tessera/coordinator'
import type { CapacityRecord } from '@tessera/memory'

function target (peerId: string, record: Pick<CapacityRecord, 'reachability' | 'natKind'>, path: PeerTarget['path']): PeerTarget {
  return {
    peerId,
    path,
    measuredRttMs: 1,
    record: {
      peerId,
      device: { preset: 'pcm', geometry: { rows: 256, cols: 256 }, noiseLevel: 0.01 },
      tilesTotal: 8,
      tilesFree: 8,
      throughputGflopPerSecond: 1,
      queueDepth: 0,
      addresses: [],
      sequence: 1,
      issuedAtMs: 0,
      expiresAtMs: 1,
      ...record
    }
  }
}

describe('tessera run summary', () => {
  it('summarizeRunPeers counts each peer\'s shards and calls and keeps both paths', () => {
    const targets = [
      target('peer-c', { reachability: 'private', natKind: 'symmetric' }, 'relayed'),
      target('peer-a', { reachability: 'public', natKind: 'none' }, 'direct'),
      target('peer-b', { reachability: 'private', natKind: 'cone' }, 'relayed')
    ]
    const placement = { s0: ['peer-a', 'peer-b'], s1: ['peer-b'], s2: ['peer-c'] }
    const calls = { 'peer-b': 7, 'peer-c': 3 }
    const now: Record<string, 'direct' | 'relayed'> = { 'peer-a': 'direct', 'peer-b': 'direct' }
    const summary = summarizeRunPeers(targets, placement, calls, (peerId) => now[peerId])
    assert.deepEqual(summary, [
      { peerId: 'peer-a', reachability: 'public', natKind: 'none', path: 'direct', pathAfterRun: 'direct', shards: 1, calls: 0 },
      { peerId: 'peer-b', reachability: 'private', natKind: 'cone', path: 'relayed', pathAfterRun: 'direct', shards: 2, calls: 7 },
      { peerId: 'peer-c', reachability: 'private', natKind: 'symmetric', path: 'relayed', pathAfterRun: null, shards: 1, calls: 3 }
    ])
  })

  it('summarizeRunPeers lists a peer found but given no shard', () => {
    const summary = summarizeRunPeers([target('idle', { reachability: 'public', natKind: 'none' }, 'direct')], {}, {}, () => undefined)
    assert.equal(summary.length, 1)
    assert.equal(summary[0].shards, 0)
    assert.equal(summary[0].calls, 0)
    assert.equal(summary[0].pathAfterRun, null)
  })
})
