import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createDeviceProfile, createRng, createTilePool } from '@tessera/crossbar'
import { ShardExecutor } from '../../src/index.js'
import { Slots } from '../../src/coordinator/context.js'
import type { RunContext, ShardState } from '../../src/coordinator/context.js'
import { callShard } from '../../src/coordinator/shard-calls.js'
import type { ExecuteOptions } from '../../src/shard-client.js'
import { seededFloats } from '../helpers.js'

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
 * The part of a run context `callShard` uses, over in-process copies: peer `a` fails its first call with a
 * transport error (and is then found dead), peer `b` serves.
 */
function fakeContext (holders: Map<string, ShardExecutor>, failing: Set<string>): RunContext {
  const dead = new Set<string>()
  const ctx = {
    settings: { runId: 'run', seed: 's', callTimeoutMs: 1000, programTimeoutMs: 1000, callsPerPeer: 2, maxAttempts: 3, uploadConcurrency: 1, progress: false },
    dead,
    pending: new Map<string, number>(),
    rng: createRng('route'),
    now: () => 0,
    views: () => [],
    policy: { route: ({ replicas }: { replicas: string[] }) => replicas[0] },
    slotsOf: () => new Slots(2),
    emulatedDelayMs: () => 0,
    remoteId: (id: string) => id,
    client: (peerId: string) => ({
      execute: async (options: ExecuteOptions) => {
        if (failing.has(peerId)) {
          failing.delete(peerId)
          throw new Error('stream reset')
        }
        const ex = holders.get(peerId) as ShardExecutor
        const { output, stats } = ex.execute(options.shardId, options.input, options.batch, options.noiseKey === undefined ? {} : { noiseKey: options.noiseKey })
        return { type: 'execute-result', requestId: 0, shardId: options.shardId, batch: options.batch, cols: COLS, output, ...stats }
      }
    }),
    recorder: { call: () => {} },
    recentBusy: { record: () => {} },
    shortTerm: { observe: () => {} },
    longTerm: { observe: () => {} },
    dropAllocation: () => {},
    recoverOrMarkDead: async (peerId: string) => { dead.add(peerId); return false }
  }
  return ctx as unknown as RunContext
}

function shardState (weights: Float32Array): ShardState {
  return {
    spec: { id: 'fc1/0', tilesNeeded: 2, geometry: { rows: 256, cols: 256 }, cells: ROWS * COLS, bytes: ROWS * COLS * 4, sensitivity: 0.5, expectedLoad: 1 },
    blocks: [],
    rows: ROWS,
    cols: COLS,
    weights,
    holders: ['a', 'b'],
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
})
