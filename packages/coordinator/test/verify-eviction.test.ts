import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CopyMoves } from '../src/copy-moves.js'
import { newShardState } from '../src/shard-state.js'
import type { ShardState } from '../src/shard-state.js'
import type { CopyRestorer, RunContext } from '../src/run-context.js'
import { RunVerification } from '../src/verify.js'
import { fakeRunContext, fakeShards } from './fake-run-context.js'
import { REPUTATION_MIN_SPEED_SAMPLES } from '@tessera/memory'

function shardOn (id: string, holders: string[]): ShardState {
  const shard = newShardState({
    spec: { id, tilesNeeded: 1, geometry: { rows: 4, cols: 4 }, cells: 16, bytes: 64, sensitivity: 0, expectedLoad: 1 },
    blocks: [],
    rows: 4,
    cols: 4,
    weights: new Float32Array(16)
  })
  for (const p of holders) {
    shard.holders.push(p)
    shard.tilesByHolder.set(p, 1)
  }
  return shard
}

/** A context whose loop only counts the steps it is asked for, and whose peers log the releases they get. */
function context (shards: ShardState[], released: string[]): { ctx: RunContext, steps: () => number } {
  let steps = 0
  const loop: CopyRestorer = { restore: async () => {}, stepNow: async () => { steps++ } }
  const ctx = fakeRunContext({
    shards: new Map(shards.map((s) => [s.spec.id, s])),
    client: (peerId) => fakeShards(peerId, {
      release: async (shardId) => { released.push(`${peerId} ${shardId}`); return { released: true } },
      program: async () => ({ tilesUsed: 1 })
    }),
    reconfiguration: loop
  })
  return { ctx, steps: () => steps }
}

describe('eviction of a flagged peer', () => {
  it('make-before-break: a peer flagged for errors keeps a last copy, quarantined, until a replacement is active', async () => {
    const only = shardOn('only', ['dropper'])
    const shared = shardOn('shared', ['dropper', 'honest'])
    const released: string[] = []
    const { ctx, steps } = context([only, shared], released)
    new RunVerification({ secret: 'x' }).flag(ctx, 'dropper', 'errors', 'only')

    assert.ok(ctx.dead.has('dropper'), 'out of placement and routing')
    // The last copy stays, off the step's lists; the one with another live copy goes at once.
    assert.deepEqual([only.holders, only.quarantined], [[], ['dropper']])
    assert.ok(only.tilesByHolder.has('dropper'))
    assert.deepEqual([shared.holders, shared.quarantined], [['honest'], []])
    assert.deepEqual(ctx.abandoned, [{ peerId: 'dropper', remoteId: 'run/shared' }])
    assert.equal(steps(), 1, 'the loop is asked to re-place at once')

    // The loop's replacement becomes active: the quarantined copy is released then, not before.
    assert.deepEqual(released, [])
    const moves = new CopyMoves(ctx)
    moves.apply({ kind: 'program', shardId: 'only', peerId: 'honest', tiles: 1 })
    await moves.settle()
    assert.deepEqual(only.holders, ['honest'])
    assert.deepEqual(only.quarantined, [])
    assert.deepEqual(released, ['dropper run/only'])
    assert.ok(!only.tilesByHolder.has('dropper'))
  })

  it('break at once: a peer caught answering wrong keeps nothing, last copy or not', () => {
    const only = shardOn('only', ['liar'])
    const released: string[] = []
    const { ctx, steps } = context([only], released)
    new RunVerification({ secret: 'x' }).flag(ctx, 'liar', 'failed-check', 'only')
    assert.deepEqual([only.holders, only.quarantined], [[], []])
    assert.ok(!only.tilesByHolder.has('liar'))
    assert.deepEqual(ctx.abandoned, [{ peerId: 'liar', remoteId: 'run/only' }])
    assert.equal(steps(), 0)
  })

  it('without a reconfiguration loop there is nothing to make first: the copy goes', () => {
    const only = shardOn('only', ['dropper'])
    const ctx = fakeRunContext({ shards: new Map([['only', only]]) })
    new RunVerification({ secret: 'x' }).flag(ctx, 'dropper', 'errors')
    assert.deepEqual([only.holders, only.quarantined], [[], []])
  })

  it('an over-claimer is flagged once its calls confirm a third of its claim or less, and stays in the run', () => {
    const ctx = fakeRunContext({ now: () => 5000 })
    const flags: string[] = []
    const verification = new RunVerification({ secret: 'x' }, (f) => { flags.push(`${f.peerId} ${f.reason} ${f.evicted}`) })
    for (let i = 0; i < REPUTATION_MIN_SPEED_SAMPLES; i++) {
      ctx.longTerm.observe('claimer', { ok: true, throughput: 1e8, claimedThroughput: 1e9 }, 1000 + i)
      ctx.longTerm.observe('honest', { ok: true, throughput: 0.9e9, claimedThroughput: 1e9 }, 1000 + i)
      // Before the last sample the claim is not held against it yet.
      verification.checkClaim(ctx, 'claimer')
      verification.checkClaim(ctx, 'honest')
      if (i < REPUTATION_MIN_SPEED_SAMPLES - 1) assert.deepEqual(flags, [])
    }
    assert.deepEqual(flags, ['claimer overclaim false'])
    assert.ok(!ctx.dead.has('claimer'))
    assert.ok(!verification.isFlagged('claimer'), 'not evicted')
    verification.checkClaim(ctx, 'claimer')
    assert.equal(verification.stats.flagged.length, 1, 'flagged once')
  })
})
