import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createReconfigureConfig, createReconfigureState } from '@tessera/scheduler'
import type { ReconfigureAction, ReconfigureEvent, ReconfigureInput, Reconfigurer } from '@tessera/scheduler'
import { ShardUnavailableError } from '../src/errors.js'
import { startReconfigureLoop } from '../src/reconfigure-loop.js'
import { replicasOf, targetViews } from '../src/reconfigure-views.js'
import type { RunContext } from '../src/run-context.js'
import { newShardState } from '../src/shard-state.js'
import type { ShardState } from '../src/shard-state.js'
import { fakeRunContext, fakeShards } from './fake-run-context.js'
import type { PeerView } from '@tessera/scheduler'

/** A reconfigurer that answers each step with the next scripted actions and events (the decision core is tested in its package). */
function scripted (script: Array<{ actions?: ReconfigureAction[], events?: ReconfigureEvent[] }>): Reconfigurer & { inputs: ReconfigureInput[] } {
  const inputs: ReconfigureInput[] = []
  return {
    inputs,
    config: createReconfigureConfig(),
    initialState: () => createReconfigureState(),
    step: (state, input) => {
      inputs.push(input)
      const next = script.shift() ?? {}
      return { state, actions: next.actions ?? [], events: next.events ?? [], unplaced: [] }
    }
  }
}

/** A deferred upload the test resolves or rejects. */
interface Upload { peerId: string, resolve: () => void, reject: (err: Error) => void }

/** A run context holding `shard`; uploads wait for the test, releases are recorded. */
function fakeContext (shard: ShardState, overrides: Partial<RunContext> = {}): { ctx: RunContext, uploads: Upload[], released: string[] } {
  const uploads: Upload[] = []
  const released: string[] = []
  const ctx = fakeRunContext({
    shards: new Map([[shard.spec.id, shard]]),
    now: () => 0,
    client: (peerId) => fakeShards(peerId, {
      program: async () => await new Promise<{ tilesUsed: number }>((resolve, reject) => {
        uploads.push({ peerId, resolve: () => { resolve({ tilesUsed: 1 }) }, reject })
      }),
      release: async (remoteId) => {
        released.push(`${remoteId}@${peerId}`)
        return 1
      }
    }),
    ...overrides
  })
  return { ctx, uploads, released }
}

function shardOn (holders: string[]): ShardState {
  const s = newShardState({ spec: { id: 'L/0', tilesNeeded: 1, geometry: { rows: 4, cols: 4 }, cells: 16, bytes: 64, sensitivity: 0, expectedLoad: 1 }, blocks: [], rows: 4, cols: 4, weights: new Float32Array(16) })
  for (const h of holders) {
    s.holders.push(h)
    s.tilesByHolder.set(h, 1)
  }
  return s
}

const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve)) }
const LOOP = { intervalMs: 60_000, discoverEveryMs: 60_000, loadWindowMs: 1000, demandMemoryMs: 10_000, seed: 't' }

describe('reconfiguration loop', () => {
  it('carries out a migration make-before-break: the new copy serves before the old one stops, then is released', async () => {
    const migrate: ReconfigureEvent = { type: 'migrate', shardId: 'L/0', from: 'a', to: 'b', reason: 'a slower', predictedGain: 2, atMs: 0 }
    const seen: ReconfigureEvent[] = []
    const shard2 = shardOn(['a'])
    const f = fakeContext(shard2)
    const script = scripted([
      { actions: [{ kind: 'program', shardId: 'L/0', peerId: 'b', tiles: 1 }], events: [migrate] },
      { actions: [{ kind: 'drain', shardId: 'L/0', peerId: 'a' }] },
      { actions: [{ kind: 'release', shardId: 'L/0', peerId: 'a', peerGone: false }] }
    ])
    const loop2 = startReconfigureLoop(f.ctx, { ...LOOP, reconfigurer: script, onEvent: (e) => seen.push(e) })
    try {
      await loop2.stepNow()
      assert.deepEqual([shard2.holders, shard2.programming], [['a'], ['b']])
      // Until its upload is done, b takes no calls and a serves.
      f.uploads[0].resolve()
      await settle()
      assert.deepEqual([shard2.holders, shard2.programming], [['a', 'b'], []])
      await loop2.stepNow()
      assert.deepEqual([shard2.holders, shard2.draining], [['b'], ['a']])
      assert.deepEqual(f.released, [])
      await loop2.stepNow()
      await settle()
      assert.deepEqual([shard2.holders, shard2.draining], [['b'], []])
      assert.deepEqual(f.released, ['run/L/0@a'])
      assert.equal(shard2.tilesByHolder.has('a'), false)
      assert.equal(script.inputs[1].replicas.get('L/0')?.find((r) => r.peerId === 'b')?.state, 'active')
      assert.deepEqual(loop2.events, [migrate])
    } finally {
      await loop2.stop()
    }
    assert.deepEqual(seen, [migrate])
  })

  it('offers the step only peers with the tiles the shards were planned for, and every peer holding a copy', () => {
    const view = (peerId: string, tile: number): PeerView => ({
      peerId, path: 'direct', rttMs: 1,
      device: { preset: 'pcm', geometry: { rows: tile, cols: tile }, noiseLevel: 0, tilesFree: 4, tilesTotal: 4, throughput: 1e9 }
    })
    const shard = shardOn(['big'])
    shard.spec = { ...shard.spec, geometry: { rows: 128, cols: 128 } }
    const offered = targetViews([view('a', 128), view('big', 512), view('c', 256), view('d', 128)], [shard])
    assert.deepEqual(offered.map((v) => v.peerId), ['a', 'big', 'd'])
  })

  it('lists copies for the step as they are: active with calls in flight, programming, draining', () => {
    const shard = shardOn(['a'])
    shard.programming.push('b')
    shard.draining.push('c')
    shard.inFlight.set('a', 3).set('c', 1).set('b', 2)
    assert.deepEqual(replicasOf(shard), [
      { peerId: 'a', state: 'active', inFlight: 3 },
      { peerId: 'b', state: 'programming', inFlight: 0 },
      { peerId: 'c', state: 'draining', inFlight: 1 }
    ])
  })

  it('gives the tiles back of a copy cancelled while it uploaded, and never lets it serve', async () => {
    const shard = shardOn(['a'])
    const { ctx, uploads, released } = fakeContext(shard)
    const loop = startReconfigureLoop(ctx, {
      ...LOOP,
      reconfigurer: scripted([
        { actions: [{ kind: 'program', shardId: 'L/0', peerId: 'b', tiles: 1 }] },
        { actions: [{ kind: 'release', shardId: 'L/0', peerId: 'b', peerGone: false }] }
      ])
    })
    try {
      await loop.stepNow()
      await loop.stepNow()
      assert.deepEqual(shard.programming, [])
      uploads[0].resolve()
      await settle()
      assert.deepEqual(shard.holders, ['a'])
      assert.deepEqual(released, ['run/L/0@b'])
      assert.equal(shard.tilesByHolder.has('b'), false)
    } finally {
      await loop.stop()
    }
  })

  it('restores a shard with no live copy by stepping at once, and says so when nothing could be placed', async () => {
    const shard = shardOn([])
    const { ctx, uploads } = fakeContext(shard)
    const replace: ReconfigureEvent = { type: 'replace', shardId: 'L/0', from: 'a', to: 'c', reason: 'peer a departed', predictedGain: null, atMs: 0 }
    const loop = startReconfigureLoop(ctx, {
      ...LOOP,
      reconfigurer: scripted([{ actions: [{ kind: 'program', shardId: 'L/0', peerId: 'c', tiles: 1 }], events: [replace] }, {}])
    })
    try {
      const restored = loop.restore(shard, 10_000)
      while (uploads.length === 0) await new Promise((resolve) => setTimeout(resolve, 2))
      uploads[0].resolve()
      await restored
      assert.deepEqual(shard.holders, ['c'])
      assert.equal(ctx.recorder.replacements, 1)
      shard.holders.length = 0
      // The next step places nothing: the call is told, with a named error, instead of waiting forever.
      await assert.rejects(loop.restore(shard, 10_000), ShardUnavailableError)
      assert.equal(loop.steps(), 2)
    } finally {
      await loop.stop()
    }
    assert.equal(ctx.reconfiguration, undefined)
  })

  it('drops a copy whose upload failed and checks whether its peer left', async () => {
    const shard = shardOn(['a'])
    const checked: string[] = []
    const { ctx, uploads } = fakeContext(shard, { recoverOrMarkDead: async (p) => { checked.push(p); return false } })
    const loop = startReconfigureLoop(ctx, { ...LOOP, reconfigurer: scripted([{ actions: [{ kind: 'program', shardId: 'L/0', peerId: 'b', tiles: 1 }] }]) })
    try {
      await loop.stepNow()
      uploads[0].reject(Object.assign(new Error('connection refused'), { name: 'Error' }))
      await settle()
      assert.deepEqual([shard.holders, shard.programming], [['a'], []])
      assert.deepEqual(checked, ['b'])
      assert.deepEqual(ctx.recorder.uploadFailures, [{ shardId: 'L/0', peerId: 'b', code: 'ERR_UNKNOWN', name: 'Error', message: 'connection refused' }])
    } finally {
      await loop.stop()
    }
  })

  it('a release the peer refuses still takes the copy out of the placement, and is reported with the run', async () => {
    const shard = shardOn(['a', 'b'])
    const { ctx } = fakeContext(shard, { client: (peerId) => fakeShards(peerId, { release: async () => { throw new Error('stream reset') } }) })
    const loop = startReconfigureLoop(ctx, { ...LOOP, reconfigurer: scripted([{ actions: [{ kind: 'release', shardId: 'L/0', peerId: 'a', peerGone: false }] }]) })
    try {
      await loop.stepNow()
      await settle()
      assert.deepEqual(shard.holders, ['b'])
      assert.equal(shard.tilesByHolder.has('a'), false)
      assert.deepEqual(ctx.errors, [{ kind: 'release', code: 'ERR_UNKNOWN', name: 'Error', message: 'stream reset', shardId: 'L/0', peerId: 'a' }])
    } finally {
      await loop.stop()
    }
  })
})
