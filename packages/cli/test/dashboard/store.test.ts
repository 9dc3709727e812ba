import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DashboardStore, MAX_NOTICES } from '../../src/dashboard/store.js'
import type { WatchedPeer } from '../../src/dashboard/store.js'
import type { DashboardJob } from '../../src/dashboard/types.js'

function peer (peerId: string, name: string | null = null): WatchedPeer {
  return {
    peerId, name, state: 'serving', stateReason: 'connected', stateSinceMs: 0, device: { preset: 'pcm', rows: 128, cols: 128, noiseLevel: 0.01 },
    tilesTotal: 8, tilesUsed: 2, tilesSource: 'record', throughputGflops: 1, load: null, reachability: 'public', natKind: 'none',
    path: { kind: 'direct' }, rttMs: 1, recordSequence: 1, recordExpiresAtMs: 10, addresses: []
  }
}

function job (phase: DashboardJob['phase']): DashboardJob {
  return {
    runId: 'r', policy: 'tessera', plan: 'p', phase, requests: 10, startedAtMs: 0, endedAtMs: null, metrics: null, errors: [],
    series: { tSeconds: [], throughputRps: [], latencyP50Ms: [], latencyP95Ms: [] },
    placement: [{ shardId: 's0', active: ['a'], programming: ['c'], draining: ['b'] }, { shardId: 's1', active: ['a'], programming: [], draining: [] }]
  }
}

function store (): DashboardStore {
  const s = new DashboardStore({ title: 't', mode: 'run', sources: [], now: () => 1_000 })
  for (const id of ['a', 'b', 'c']) s.peers.set(id, peer(id))
  return s
}

describe('dashboard store', () => {
  it('counts each peer\'s copies and calls, and shows a serving peer whose only copies drain as draining', () => {
    const s = store()
    s.job = job('streaming')
    s.callsByPeer = { a: 7 }
    const byId = new Map(s.snapshot().peers.map((p) => [p.peerId, p]))
    assert.equal(byId.get('a')?.copies, 2)
    assert.equal(byId.get('a')?.callsServed, 7)
    assert.equal(byId.get('a')?.state, 'serving')
    assert.equal(byId.get('b')?.state, 'draining')
    assert.equal(byId.get('c')?.state, 'serving', 'a copy being programmed is not draining')
    assert.equal(s.peers.get('b')?.state, 'serving', 'the snapshot does not change the watched peer')
  })

  it('shows a peer flagged by verification as flagged with the reason, unless it is gone', () => {
    const s = store()
    s.job = job('streaming')
    s.flag('b', 'failed-check')
    s.flag('c', 'errors')
    s.peers.set('c', { ...peer('c'), state: 'gone', stateReason: 'record expired' })
    const byId = new Map(s.snapshot().peers.map((p) => [p.peerId, p]))
    assert.equal(byId.get('a')?.state, 'serving')
    assert.equal(byId.get('b')?.state, 'flagged')
    assert.match(byId.get('b')?.stateReason ?? '', /verification: failed-check/)
    assert.equal(byId.get('c')?.state, 'gone', 'a peer that left is shown gone whatever was flagged')
  })

  it('shows no peer draining once the run is done', () => {
    const s = store()
    s.job = job('done')
    assert.ok(s.snapshot().peers.every((p) => p.state === 'serving'))
  })

  it('sorts peers by name, then id, and keeps the newest notices', () => {
    const s = store()
    s.peers.set('z', peer('z', 'alpha'))
    assert.deepEqual(s.snapshot().peers.map((p) => p.peerId), ['a', 'z', 'b', 'c'], 'alpha sorts after a')
    for (let i = 0; i < MAX_NOTICES + 5; i++) s.notice('info', `n${i}`)
    assert.equal(s.notices.length, MAX_NOTICES)
    assert.equal(s.notices[0].text, 'n5')
    assert.equal(s.noticesTotal, MAX_NOTICES + 5)
  })

  it('tells subscribers of every change until they unsubscribe', () => {
    const s = store()
    let calls = 0
    const off = s.subscribe(() => { calls++ })
    s.notice('warning', 'x')
    s.changed()
    off()
    s.changed()
    assert.equal(calls, 2)
  })
})
