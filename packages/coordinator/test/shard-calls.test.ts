import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createDeviceProfile, createRng, createTilePool } from '@tessera/crossbar'
import { ShardExecutor } from '@tessera/peer'
import type { Placement, PlacementPolicy } from '@tessera/scheduler'
import { PeerLeavingError, QUOTA_RESOURCES, QuotaExceededError, RequestTimeoutError } from '@tessera/wire'
import { BatchDeadlineError } from '../src/errors.js'
import { LiveRunContext } from '../src/live-run-context.js'
import type { PeerNetwork } from '../src/peer-network.js'
import type { PeerShards } from '../src/peer-shards.js'
import type { RunContext } from '../src/run-context.js'
import { callShard } from '../src/shard-calls.js'
import { removeCopy } from '../src/shard-state.js'
import type { ShardState } from '../src/shard-state.js'
import { fakeRunContext, fakeShards, liveRunContextInit, TEST_SETTINGS } from './fake-run-context.js'
import { seededFloats } from './helpers.js'

const ROWS = 300
const COLS = 40
const SEED = 'run/fc1/0'

/** A programmed copy of the shard, as every holder (and any re-placement) programs it: same weights, same seed. */
function copy (weights: Float32Array): ShardExecutor {
  const ex = new ShardExecutor(createTilePool({ profile: createDeviceProfile('pcm', { rows: 256, cols: 256 }), tiles: 4 }))
  ex.programShard('fc1/0', ROWS, COLS, weights, SEED)
  return ex
}

/**
 * A run context at time 0 whose shard calls `execute` answers, per peer, routed by {@link firstFree}, the run's
 * shard ids being their own; `overrides` replace further members.
 */
function callContext (execute: (peerId: string, ...call: Parameters<PeerShards['execute']>) => ReturnType<PeerShards['execute']>, overrides: Partial<RunContext> = {}): RunContext {
  return fakeRunContext({
    now: () => 0,
    policy: firstFree,
    rng: createRng('route'),
    remoteId: (id) => id,
    client: (peerId) => fakeShards(peerId, { execute: async (options) => await execute(peerId, options) }),
    ...overrides
  })
}

/**
 * A run context over in-process copies: peer `a` fails its first call with a transport error (and is then found
 * dead), peer `b` serves.
 */
function fakeContext (holders: Map<string, ShardExecutor>, failing: Set<string>): RunContext {
  const dead = new Set<string>()
  return callContext(async (peerId, options) => {
    if (failing.has(peerId)) {
      failing.delete(peerId)
      throw new Error('stream reset')
    }
    const ex = holders.get(peerId) as ShardExecutor
    const { output, stats } = ex.execute(options.shardId, options.input, options.batch, options.noiseKey === undefined ? {} : { noiseKey: options.noiseKey })
    return { output, ...stats }
  }, { dead, recoverOrMarkDead: async (peerId) => { dead.add(peerId); return false } })
}

function shardState (weights: Float32Array): ShardState {
  return {
    spec: { id: 'fc1/0', tilesNeeded: 2, geometry: { rows: 256, cols: 256 }, cells: ROWS * COLS, bytes: ROWS * COLS * 4, sensitivity: 0.5, expectedLoad: 1 },
    blocks: [],
    rows: ROWS,
    cols: COLS,
    weights,
    holders: ['a', 'b'],
    programming: [],
    draining: [],
    quarantined: [],
    inFlight: new Map(),
    tilesByHolder: new Map([['a', 2], ['b', 2]])
  }
}

describe('callShard', () => {
  it('a keyed call retried on a replica that served other calls reads the noise the first copy would have', async () => {
    const weights = seededFloats(ROWS * COLS, 'calls/w')
    const x = seededFloats(3 * ROWS, 'calls/x')
    const busyReplica = (): ShardExecutor => {
      const b = copy(weights)
      // Other batches reached the replica first: its blocks' own generators have moved on.
      for (let i = 0; i < 3; i++) b.execute('fc1/0', seededFloats(2 * ROWS, `calls/other/${i}`), 2)
      return b
    }

    const expected = copy(weights).execute('fc1/0', x, 3, { noiseKey: '0/fc1/0' }).output
    const keyed = await callShard(fakeContext(new Map([['a', copy(weights)], ['b', busyReplica()]]), new Set(['a'])), shardState(weights), x, 3, '0/fc1/0')
    assert.deepEqual(keyed, expected)

    // Without a key the retry's result depends on what the replica ran before.
    const unkeyed = await callShard(fakeContext(new Map([['a', copy(weights)], ['b', busyReplica()]]), new Set(['a'])), shardState(weights), x, 3)
    assert.notDeepEqual(unkeyed, copy(weights).execute('fc1/0', x, 3).output)
  })

  it('a LEAVING reply takes the peer out of the run as leaving (not as a failure) and the call goes to a replica', async () => {
    const weights = seededFloats(ROWS * COLS, 'calls/w')
    const x = seededFloats(2 * ROWS, 'calls/leaving')
    const b = copy(weights)
    const leaving: string[] = []
    const checked: string[] = []
    const shard = shardState(weights)
    const ctx = callContext(async (peerId, options) => {
      if (peerId === 'a') throw new PeerLeavingError('this node is leaving the network')
      const { output, stats } = b.execute(options.shardId, options.input, options.batch)
      return { output, ...stats }
    }, {
      // As LiveRunContext does: the leaving peer loses its copies.
      peerLeaving: (peerId) => { leaving.push(peerId); removeCopy(shard, peerId) },
      recoverOrMarkDead: async (peerId) => { checked.push(peerId); return false }
    })
    const output = await callShard(ctx, shard, x, 2)
    assert.equal(output.length, 2 * COLS)
    assert.deepEqual(leaving, ['a'])
    assert.deepEqual(checked, [], 'a leaving peer is not probed as a possibly dead one')
    assert.deepEqual(shard.holders, ['b'])
  })
})

const A = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const B = '12D3KooWBhEXsSK5wWkzuUmXWpaFZTfgKnBp3XUYoELh3cvDQKDw'
const C = '12D3KooWEdmPw7pTiDsvRccBq3mYuYgdh19aQ8z4vDcdwK9NFWaR'

/** Places a lost shard on the first peer with a free tile, or says why not; routes to the first copy. */
const firstFree: PlacementPolicy = {
  name: 'first-free',
  place: ({ shards, peers }): Placement => {
    const p = peers.find((v) => v.device.tilesFree > 0)
    return {
      policy: 'first-free',
      assignments: new Map(p === undefined ? [] : [[shards[0].id, [p.peerId]]]),
      unplaced: p === undefined ? [shards[0].id] : [],
      reasons: new Map(p === undefined ? [[shards[0].id, 'no peers']] : []),
      tilesByPeer: new Map(p === undefined ? [] : [[p.peerId, 1]])
    }
  },
  route: ({ replicas }) => replicas[0]
}

/** What a fake peer does: its answer to each execute in turn (then `ok`), and whether a dial reaches it. */
interface FakePeer {
  executes: Array<'ok' | 'timeout' | 'reset'>
  connected: boolean
  /** Whether the next dials succeed, in turn (then the last entry, or false). */
  dials: boolean[]
  programmed: number
  dialed: number
  timeoutsSeen: number[]
  /** Copies its per-owner tile quota lets the coordinator program (one tile each); unbounded when absent. */
  tileQuota?: number
}

/**
 * The coordinator's run context over a fake network (connections and dials of the fake peers) and fake shard
 * services: the departure check, the back-off and the re-placement are the coordinator's own.
 */
function policyContext (peers: Map<string, FakePeer>, known: string[], batchDeadlineMs = 30_000): LiveRunContext {
  const connected = (peerId: string): boolean => peers.get(peerId)?.connected === true
  const network: PeerNetwork = {
    isConnected: connected,
    hasOpenConnection: connected,
    ping: async (peerId) => {
      if (!connected(peerId)) throw new Error('no connection')
      return 1
    },
    dial: async (addresses) => {
      const id = addresses[0].split('/p2p/')[1]
      const p = peers.get(id)
      if (p !== undefined) p.dialed++
      const ok = p === undefined ? false : (p.dials.length > 1 ? p.dials.shift() as boolean : p.dials[0] ?? false)
      if (p === undefined || !ok) throw new Error('ECONNREFUSED')
      p.connected = true
    }
  }
  const ctx: LiveRunContext = new LiveRunContext(liveRunContextInit(network, known, {
    connectShards: (peerId) => fakeShards(peerId, {
      execute: async (options) => {
        const p = peers.get(peerId) as FakePeer
        p.timeoutsSeen.push(ctx.health.timeoutMs(peerId))
        const what = p.executes.shift() ?? 'ok'
        if (what === 'timeout') throw new RequestTimeoutError('no reply from the peer in time')
        if (what === 'reset' || !p.connected) throw new Error('stream reset')
        return { output: new Float32Array(options.batch * COLS).fill(1), deviceTimeNs: 1000, macs: 1 }
      },
      program: async () => {
        const p = peers.get(peerId) as FakePeer
        if (!p.connected) throw new Error('stream reset')
        if (p.tileQuota !== undefined && p.programmed >= p.tileQuota) {
          throw new QuotaExceededError('tiles over quota', { quota: { resource: QUOTA_RESOURCES.tiles, limit: p.tileQuota, requested: p.programmed + 1 } })
        }
        p.programmed++
        return { tilesUsed: 1 }
      },
      release: async () => 0
    }),
    policy: firstFree,
    rng: createRng('policy'),
    settings: { ...TEST_SETTINGS, batchDeadlineMs }
  }))
  return ctx
}

function fakePeer (init: Partial<FakePeer>): FakePeer {
  return { executes: [], connected: true, dials: [true], programmed: 0, dialed: 0, timeoutsSeen: [], ...init }
}

/** The run's one shard, held by `holder` alone. */
function lone (ctx: LiveRunContext, holder: string): ShardState {
  const shard = { ...shardState(new Float32Array(ROWS * COLS)), holders: [holder], tilesByHolder: new Map([[holder, 1]]) }
  ctx.shards.set(shard.spec.id, shard)
  return shard
}

describe('callShard recovery policy', () => {
  it('a connected peer that times out is backed off with a growing timeout and retried, not marked dead or re-placed', async () => {
    const a = fakePeer({ executes: ['timeout', 'timeout'] })
    const ctx = policyContext(new Map([[A, a]]), [A])
    const shard = lone(ctx, A)
    const out = await callShard(ctx, shard, new Float32Array(2 * ROWS), 2, 'k')
    assert.equal(out.length, 2 * COLS)
    assert.deepEqual(a.timeoutsSeen, [1000, 2000, 4000])
    assert.equal(ctx.dead.has(A), false)
    assert.deepEqual(shard.holders, [A])
    assert.equal(ctx.recorder.replacements, 0)
    assert.equal(a.programmed, 0)
    assert.equal(ctx.health.failures(A), 0)
  })

  // A's call resets and its connection is gone: re-dials refused once (B, live, takes the shard), or refused twice
  // and then accepted (A is back, restarted without its copy, and takes it again after the call waited).
  for (const c of [
    { title: 'a departed peer (connection closed, re-dial refused) loses its copy and the shard is re-placed', dialsOfA: [false], withB: true, aDead: true, holder: B },
    { title: 'with no live peer to take the shard the call waits, looks again and recovers when a peer comes back', dialsOfA: [false, false, true], withB: false, aDead: false, holder: A }
  ]) {
    it(c.title, async () => {
      const peers = new Map([[A, fakePeer({ executes: ['reset'], connected: false, dials: c.dialsOfA })]])
      if (c.withB) peers.set(B, fakePeer({}))
      const ctx = policyContext(peers, [...peers.keys()])
      const shard = lone(ctx, A)
      const out = await callShard(ctx, shard, new Float32Array(ROWS), 1, 'k')
      assert.equal(out.length, COLS)
      assert.equal(ctx.dead.has(A), c.aDead)
      assert.deepEqual(shard.holders, [c.holder])
      assert.equal(peers.get(c.holder)?.programmed, 1)
      assert.equal(ctx.recorder.replacements, 1)
      assert.equal(ctx.recorder.peerFailures, 1)
    })
  }

  it('a peer that refuses tiles by its quota gets none of the next placements: its view shows the quota full', async () => {
    // A departs; B (first in view order) holds nothing and its quota allows this coordinator no tile; C takes it.
    const peers = new Map([[A, fakePeer({ executes: ['reset'], connected: false, dials: [false] })], [B, fakePeer({ tileQuota: 0 })], [C, fakePeer({})]])
    const ctx = policyContext(peers, [...peers.keys()])
    const shard = lone(ctx, A)
    await callShard(ctx, shard, new Float32Array(ROWS), 1, 'k')
    assert.deepEqual(shard.holders, [C])
    assert.equal(ctx.dead.has(B), false, 'a quota refusal is not a departure')
    assert.equal(ctx.views().find((v) => v.peerId === B)?.device.tilesFree, 0)
    assert.equal(ctx.views().find((v) => v.peerId === C)?.device.tilesFree, 3)
    // The next placement, by a policy that takes the first peer with free tiles, goes straight to C.
    const placement = ctx.policy.place({ shards: [shard.spec], peers: ctx.views(), nowMs: ctx.now(), rng: ctx.rng })
    assert.deepEqual(placement.assignments.get(shard.spec.id), [C])
  })

  it('a shard no peer can take is given up only at the batch deadline, with a BatchDeadlineError', async () => {
    const a = fakePeer({ executes: ['reset'], connected: false, dials: [false] })
    const ctx = policyContext(new Map([[A, a]]), [A], 600)
    await assert.rejects(callShard(ctx, lone(ctx, A), new Float32Array(ROWS), 1, 'k'), (err: Error) => {
      assert.ok(err instanceof BatchDeadlineError)
      assert.equal(err.code, 'ERR_BATCH_DEADLINE')
      assert.match(err.message, /no live peer can take shard/)
      return true
    })
    // The departed peer was looked for again while the call waited, not only by the first check.
    assert.ok(a.dialed > 1, `${a.dialed} dials`)
    assert.equal(ctx.dead.has(A), true)
  })
})
