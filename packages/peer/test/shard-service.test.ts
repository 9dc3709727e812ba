import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { lpStream } from '@libp2p/utils'
import { createDeviceProfile, createTilePool } from '@tessera/crossbar'
import {
  DeviceMismatchError, QuotaExceededError, DuplicateShardError, InsufficientCapacityError, MAX_FRAME_SIZE_BYTES, SHARD_PROTOCOL,
  ShapeMismatchError, UnknownShardError, decodeShardReply, pb
} from '@tessera/wire'
import fc from 'fast-check'
import { encode as varint } from 'uint8-varint'
import { ShardExecutor, createTesseraNode } from '../src/index.js'
import { seededFloats, stopAll } from './helpers.js'
import type { TesseraNode } from '../src/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ShardReply } from '@tessera/wire'
import type { Stream } from '@libp2p/interface'

/** Reads every reply frame until the stream ends; fails the test if that takes longer than `timeoutMs`. */
async function drain (stream: Stream, timeoutMs: number): Promise<{ replies: ShardReply[], undecodable: number }> {
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME_SIZE_BYTES, maxBufferSize: MAX_FRAME_SIZE_BYTES + 16 })
  const replies: ShardReply[] = []
  let undecodable = 0
  const signal = AbortSignal.timeout(timeoutMs)
  while (true) {
    let frame
    try {
      frame = await lp.read({ signal })
    } catch {
      // The stream ended (closed or reset): every reply there was has been read.
      if (signal.aborted) throw new Error('the server left the stream hanging')
      return { replies, undecodable }
    }
    try {
      replies.push(decodeShardReply(frame))
    } catch {
      undecodable++
    }
  }
}

/** `body` with its length as an unsigned varint in front (the shard protocol's frame). */
function frame (body: Uint8Array): Uint8Array {
  return Buffer.concat([varint(body.byteLength), body])
}

describe('shard protocol between two nodes on 127.0.0.1', () => {
  const profile = createDeviceProfile('pcm')
  let server: TesseraNode
  let client: TesseraNode
  let addr: Multiaddr

  before(async () => {
    server = await createTesseraNode({ network: 'local', device: 'pcm', tiles: 6, calibrate: false, shard: { maxInFlightPerPeer: 2, idleTimeoutMs: 2_000 } })
    client = await createTesseraNode({ network: 'local', serve: false })
    addr = server.getMultiaddrs()[0]
  })
  after(async () => { await stopAll([client, server]) })

  it('a 512×512 block programmed remotely computes what the local executor computes, bit for bit', async () => {
    const rows = 512
    const cols = 512
    const batch = 16
    const weights = seededFloats(rows * cols, 'remote/w')
    const x = seededFloats(batch * rows, 'remote/x')
    const local = new ShardExecutor(createTilePool({ profile, tiles: 6 }))
    local.programShard('block', rows, cols, weights, 'seed-512')

    const shards = client.shardClient(addr)
    const progress: number[] = []
    const result = await shards.program({
      shardId: 'block', weights, rows, cols, seed: 'seed-512', devicePreset: 'pcm', onProgress: (sent) => progress.push(sent)
    })
    assert.deepEqual(result, { tilesReserved: 4, tilesUsed: 4 })
    assert.equal(progress.at(-1), rows * cols * 4)
    assert.ok(progress.every((v, i) => i === 0 || v > progress[i - 1]))
    assert.equal((await shards.status()).tilesFree, 2)

    for (let call = 0; call < 2; call++) {
      const remote = await shards.execute({ shardId: 'block', input: x, batch })
      const expected = local.execute('block', x, batch)
      assert.deepEqual(remote.output, expected.output, `call ${call}`)
      assert.equal(remote.macs, expected.stats.macs)
      assert.equal(remote.deviceTimeNs, expected.stats.deviceTimeNs)
    }
    assert.equal(await shards.release('block'), 4)
    assert.equal((await shards.status()).tilesFree, 6)
  })

  it('an execute session runs many batches on one stream with the same results as single calls', async () => {
    const shards = client.shardClient(addr)
    const local = new ShardExecutor(createTilePool({ profile, tiles: 6 }))
    const weights = seededFloats(300 * 40, 'session/w')
    local.programShard('sess', 300, 40, weights, 5)
    await shards.program({ shardId: 'sess', weights, rows: 300, cols: 40, seed: 5 })
    const session = await shards.openExecuteSession()
    const inputs = [0, 1, 2, 3].map((i) => seededFloats(3 * 300, `session/x/${i}`))
    // Sent back to back; served in order, so read noise advances exactly as in the local sequence.
    const results = await Promise.all(inputs.map(async (input) => await session.execute({ shardId: 'sess', input, batch: 3 })))
    for (let i = 0; i < inputs.length; i++) {
      assert.deepEqual(results[i].output, local.execute('sess', inputs[i], 3).output)
    }
    await assert.rejects(session.execute({ shardId: 'gone', input: inputs[0], batch: 3 }), UnknownShardError)
    await assert.rejects(session.execute({ shardId: 'sess', input: inputs[0], batch: 3 }), UnknownShardError, 'a failed session stays failed')
    await session.close()
    assert.equal(await shards.release('sess'), 2, '300 rows span two 256-row tiles')
  })

  it('executes with the same noise key read the same noise, whatever runs between them, on any copy', async () => {
    const shards = client.shardClient(addr)
    const weights = seededFloats(300 * 40, 'keyed/w')
    const x = seededFloats(3 * 300, 'keyed/x')
    const other = seededFloats(2 * 300, 'keyed/other')
    await shards.program({ shardId: 'keyed', weights, rows: 300, cols: 40, seed: 11 })
    const first = await shards.execute({ shardId: 'keyed', input: x, batch: 3, noiseKey: 'batch/0/fc1/0' })
    await shards.execute({ shardId: 'keyed', input: other, batch: 2 })
    const session = await shards.openExecuteSession()
    await session.execute({ shardId: 'keyed', input: other, batch: 2, noiseKey: 'batch/1/fc1/0' })
    const again = await session.execute({ shardId: 'keyed', input: x, batch: 3, noiseKey: 'batch/0/fc1/0' })
    const otherKey = await session.execute({ shardId: 'keyed', input: x, batch: 3, noiseKey: 'batch/2/fc1/0' })
    await session.close()
    assert.deepEqual(again.output, first.output)
    assert.notDeepEqual(otherKey.output, first.output, 'another key reads other noise')
    // A copy with the same seed that ran nothing before (a replica, a retry's target) agrees with the node.
    const copy = new ShardExecutor(createTilePool({ profile, tiles: 6 }))
    copy.programShard('keyed', 300, 40, weights, 11)
    assert.deepEqual(copy.execute('keyed', x, 3, { noiseKey: 'batch/0/fc1/0' }).output, first.output)
    assert.equal(await shards.release('keyed'), 2)
  })

  it('maps failures to named errors', async () => {
    const shards = client.shardClient(addr)
    await assert.rejects(shards.execute({ shardId: 'nope', input: new Float32Array(8), batch: 2 }), UnknownShardError)
    await assert.rejects(shards.release('nope'), UnknownShardError)
    await assert.rejects(shards.program({ shardId: 'too-big', weights: new Float32Array(1024 * 512), rows: 1024, cols: 512, seed: 1 }), InsufficientCapacityError)
    await assert.rejects(shards.program({ shardId: 'dev', weights: new Float32Array(16), rows: 4, cols: 4, seed: 1, devicePreset: 'ideal' }), DeviceMismatchError)
    await shards.program({ shardId: 'small', weights: seededFloats(64, 's'), rows: 8, cols: 8, seed: 1 })
    await assert.rejects(shards.program({ shardId: 'small', weights: seededFloats(64, 's'), rows: 8, cols: 8, seed: 1 }), DuplicateShardError)
    await assert.rejects(shards.execute({ shardId: 'small', input: new Float32Array(18), batch: 2 }), ShapeMismatchError)
    assert.equal(await shards.release('small'), 1)
    assert.equal((await shards.status()).tilesFree, 6, 'failed programs left no tiles reserved')
  })

  it('refuses a stream past the per-peer streams quota with QUOTA_EXCEEDED and serves again once streams finish', async () => {
    const held = await Promise.all([0, 1].map(async () => await client.libp2p.dialProtocol(addr, SHARD_PROTOCOL)))
    // The held streams send nothing; wait until the server counts them before the third request.
    const deadline = Date.now() + 5_000
    let busy: unknown
    while (Date.now() < deadline) {
      try {
        await client.shardClient(addr).status()
      } catch (err) {
        busy = err
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.ok(busy instanceof QuotaExceededError, `expected QuotaExceededError, got ${String(busy)}`)
    assert.deepEqual(busy.quota, { resource: 'streams', limit: 2, requested: 3 })
    await Promise.all(held.map(async (s) => { await s.close() }))
    const status = await client.shardClient(addr).status()
    assert.equal(status.tilesTotal, 6)
  })

  it('bad input gets a typed error or a closed stream, never a hang, and the node keeps serving', async () => {
    let cases = 0
    let errorReplies = 0
    const run = async (bytes: Uint8Array[]): Promise<void> => {
      cases++
      const stream = await client.libp2p.dialProtocol(addr, SHARD_PROTOCOL)
      try {
        for (const b of bytes) {
          if (!stream.send(b)) await stream.onDrain()
        }
        await stream.close()
      } catch {
        // The server may reset the stream while we write: that is a closed stream, an allowed outcome.
      }
      const { replies, undecodable } = await drain(stream, 4_000)
      assert.equal(undecodable, 0, 'every reply frame decodes')
      errorReplies += replies.filter((r) => r.type === 'error').length
    }
    const encodeReq = (msg: pb.ShardRequest): Uint8Array => frame(pb.ShardRequest.encode(msg))
    const arbitraryRequest = fc.oneof(
      fc.record({ shardId: fc.string({ maxLength: 300 }), batch: fc.nat(5000), rows: fc.nat(5000), input: fc.uint8Array({ maxLength: 64 }), requestId: fc.nat() })
        .map((e) => encodeReq({ execute: e })),
      fc.record({ shardId: fc.string({ maxLength: 20 }), rows: fc.nat(9000), cols: fc.nat(9000), totalChunks: fc.nat(3000), chunkSizeBytes: fc.nat(2 ** 21), contentSha256: fc.uint8Array({ maxLength: 40 }), devicePreset: fc.constantFrom('', 'pcm', 'ideal'), seedNumber: fc.double() })
        .map((b) => encodeReq({ programBegin: b })),
      fc.record({ index: fc.nat(10), data: fc.uint8Array({ maxLength: 64 }) }).map((c) => encodeReq({ programChunk: c })),
      fc.string({ maxLength: 40 }).map((shardId) => encodeReq({ release: { shardId } })),
      fc.string({ maxLength: 40 }).map((shardId) => encodeReq({ programCommit: { shardId } }))
    )
    await fc.assert(fc.asyncProperty(fc.oneof(
      // Random bytes on the raw stream.
      fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => [b]),
      // Well-framed random payloads.
      fc.array(fc.uint8Array({ maxLength: 128 }), { minLength: 1, maxLength: 4 }).map((ps) => ps.map(frame)),
      // Length prefixes beyond the frame limit.
      fc.tuple(fc.integer({ min: MAX_FRAME_SIZE_BYTES + 1, max: 2 ** 40 }), fc.uint8Array({ maxLength: 32 })).map(([n, tail]) => [varint(n), tail]),
      // Truncated frames: the prefix promises more than is sent before the stream closes.
      fc.tuple(fc.integer({ min: 2, max: 4096 }), fc.uint8Array({ maxLength: 64 })).filter(([n, b]) => b.byteLength < n).map(([n, b]) => [varint(n), b]),
      // Structurally valid requests with wrong shapes, unknown shards, out-of-order uploads.
      fc.array(arbitraryRequest, { minLength: 1, maxLength: 3 })
    ), run), { numRuns: 2000, seed: 20260601 })
    assert.equal(cases, 2000)
    assert.ok(errorReplies > 0, 'some cases got typed error replies')

    // Still serving, with nothing left reserved by the fuzzing.
    const shards = client.shardClient(addr)
    const status = await shards.status()
    assert.equal(status.tilesFree, 6)
    await shards.program({ shardId: 'after', weights: seededFloats(32 * 16, 'a'), rows: 32, cols: 16, seed: 3 })
    const r = await shards.execute({ shardId: 'after', input: seededFloats(32, 'ax'), batch: 1 })
    assert.equal(r.output.length, 16)
    await shards.release('after')
  })
})
