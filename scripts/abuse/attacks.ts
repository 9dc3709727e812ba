/**
 * The attacks of the hostile-client suite (issue: a node strangers cannot abuse). Each runs from the attacker's own
 * libp2p node(s) against a running `tessera node` until its signal aborts, and counts what it did. Every input is
 * drawn from a seeded generator, so a run repeats.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { encode as varint } from 'uint8-varint'
import { createRng } from '@tessera/crossbar'
import { capacityRecordKey, capacityRecordSignedBytes, encodeCapacityRecordBody, signCapacityRecord } from '@tessera/memory'
import type { CapacityRecord } from '@tessera/memory'
import { DHT_PROTOCOL } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import { HOLE_PUNCH_PROTOCOL } from '@tessera/holepunch'
import { METRICS_PROTOCOL, SHARD_PROTOCOL, createProgramUpload, encodeShardRequest, pb } from '@tessera/wire'
import { getValueFrom, putValueTo } from './kad-wire.js'
import type { Rng } from '@tessera/crossbar'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What an attack is given. */
export interface AttackEnv {
  node: TesseraNode
  target: Multiaddr
  targetPeerId: string
  /** Shard ids the honest client programmed (the attacker learned or guessed them). */
  victimShardIds: string[]
  signal: AbortSignal
  rng: Rng
}

/** What an attack did: counters by name (`foreignSuccesses`, `tilesTaken`…). */
export type AttackStats = Record<string, number>

export type Attack = (env: AttackEnv) => Promise<AttackStats>

const TESSERA_PROTOCOLS = [SHARD_PROTOCOL, METRICS_PROTOCOL, HOLE_PUNCH_PROTOCOL, DHT_PROTOCOL]

function randomBytes (rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.nextUint32() & 0xff
  return out
}

/** `body` with its length as an unsigned varint in front (the shard protocol's frame). */
function frame (body: Uint8Array): Uint8Array {
  return Buffer.concat([varint(body.byteLength), body])
}

/** Opens a stream, sends `bytes`, closes its writing end and drops whatever comes back; failures only count. */
async function sendRaw (node: Libp2p, target: Multiaddr, protocol: string, bytes: Uint8Array[], signal: AbortSignal): Promise<boolean> {
  let stream: Stream | undefined
  try {
    stream = await node.dialProtocol(target, protocol, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]), runOnLimitedConnection: true })
    for (const b of bytes) stream.send(b)
    await stream.close({ signal: AbortSignal.timeout(2_000) })
    return true
  } catch {
    stream?.abort(new Error('attack stream done'))
    return false
  }
}

async function untilAborted (signal: AbortSignal, step: () => Promise<void>): Promise<void> {
  while (!signal.aborted) await step()
}

/** Random bytes, truncated frames and frames announcing 100 MiB on every tessera protocol. */
export const garbageFrames: Attack = async ({ node, target, signal, rng }) => {
  const stats = { streams: 0, refused: 0 }
  await untilAborted(signal, async () => {
    for (const protocol of TESSERA_PROTOCOLS) {
      const kinds = [
        [randomBytes(rng, 1 + rng.nextInt(4096))],
        [frame(randomBytes(rng, 2000)).subarray(0, 1000)],
        [varint(100 * 1024 * 1024), randomBytes(rng, 64 * 1024)]
      ]
      for (const bytes of kinds) {
        if (await sendRaw(node.libp2p, target, protocol, bytes, signal)) stats.streams++
        else stats.refused++
      }
    }
  })
  return stats
}

/** Valid protobuf with absurd values: huge and zero shapes, NaN and infinite numbers, lengths that disagree. */
export const absurdValues: Attack = async ({ node, target, signal, rng }) => {
  const nan = new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, 1, 2])
  const messages: pb.ShardRequest[] = [
    { execute: { requestId: 1, shardId: 'x', batch: 0xffffffff, rows: 0xffffffff, input: new Uint8Array(16) } },
    { execute: { requestId: 2, shardId: 'x', batch: 1, rows: 4, input: new Uint8Array(nan.buffer) } },
    { execute: { requestId: 3, shardId: 'x', batch: 3, rows: 7, input: new Uint8Array(8) } },
    { programBegin: { shardId: 'x', rows: 0xffffffff, cols: 0xffffffff, devicePreset: '', seedNumber: Number.NaN, totalChunks: 0xffffffff, chunkSizeBytes: 3, contentSha256: new Uint8Array(32) } },
    { programBegin: { shardId: 'x', rows: 0, cols: 0, devicePreset: '', seedNumber: Number.NEGATIVE_INFINITY, tSeconds: -1, totalChunks: 1, chunkSizeBytes: 4, contentSha256: new Uint8Array(1) } },
    { programChunk: { index: 0xffffffff, data: new Uint8Array(3) } },
    { keepAlive: { shardIds: Array.from({ length: 5000 }, (_, i) => `k${i}`) } }
  ]
  const stats = { streams: 0 }
  await untilAborted(signal, async () => {
    const m = messages[rng.nextInt(messages.length)]
    if (await sendRaw(node.libp2p, target, SHARD_PROTOCOL, [frame(pb.ShardRequest.encode(m))], signal)) stats.streams++
  })
  return stats
}

/** One byte per second on open streams of every tessera protocol (as many as the node lets one peer hold). */
export const slowloris: Attack = async ({ node, target, signal }) => {
  const stats = { streamsOpened: 0, bytesSent: 0 }
  const drip = async (protocol: string): Promise<void> => {
    await untilAborted(signal, async () => {
      let stream: Stream | undefined
      try {
        stream = await node.libp2p.dialProtocol(target, protocol, { signal, runOnLimitedConnection: true })
        stats.streamsOpened++
        const body = encodeShardRequest({ type: 'status' })
        for (const b of frame(body)) {
          if (signal.aborted || stream.status !== 'open') break
          stream.send(Uint8Array.of(b))
          stats.bytesSent++
          await new Promise((resolve) => setTimeout(resolve, 1000))
        }
      } catch {
        // The node reset the stream (idle timeout): open another.
      } finally {
        stream?.abort(new Error('slowloris'))
      }
    })
  }
  await Promise.all([...Array.from({ length: 8 }, async () => { await drip(SHARD_PROTOCOL) }), drip(METRICS_PROTOCOL), drip(HOLE_PUNCH_PROTOCOL), drip(DHT_PROTOCOL)])
  return stats
}

/** 500 shard streams at once, again and again. */
export const streamFlood: Attack = async ({ node, target, signal }) => {
  const stats = { rounds: 0, opened: 0, refused: 0 }
  const status = frame(encodeShardRequest({ type: 'status' }))
  await untilAborted(signal, async () => {
    const results = await Promise.all(Array.from({ length: 500 }, async () => await sendRaw(node.libp2p, target, SHARD_PROTOCOL, [status], signal)))
    stats.rounds++
    for (const ok of results) {
      if (ok) stats.opened++
      else stats.refused++
    }
  })
  return stats
}

/**
 * 100 connections from 100 distinct PeerIds, held open, re-dialled when dropped. Counts the dials admitted in the
 * first round (all 100 at once), and the most of its connections open at once, read before each new round.
 */
export const connectionFlood: Attack = async ({ target, signal }) => {
  const stats = { peers: 0, connected: 0, refused: 0, rounds: 0, firstRoundConnected: 0, maxOpenAtOnce: 0 }
  const nodes: Libp2p[] = []
  try {
    for (let i = 0; i < 100 && !signal.aborted; i++) {
      nodes.push(await createLibp2p({ privateKey: await generateKeyPair('Ed25519'), transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] }))
    }
    stats.peers = nodes.length
    await untilAborted(signal, async () => {
      const open = nodes.filter((n) => n.getConnections().some((c) => c.status === 'open')).length
      stats.maxOpenAtOnce = Math.max(stats.maxOpenAtOnce, open)
      let dialled = 0
      const results = await Promise.all(nodes.map(async (n) => {
        if (n.getConnections().length > 0) return undefined
        dialled++
        try {
          await n.dial(target, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) })
          return true
        } catch {
          return false
        }
      }))
      const admitted = results.filter((ok) => ok === true).length
      if (stats.rounds++ === 0) stats.firstRoundConnected = admitted
      stats.connected += admitted
      stats.refused += dialled - admitted
      await new Promise((resolve) => setTimeout(resolve, 250))
    })
  } finally {
    await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
  }
  return stats
}

/** Uploads that announce a shard, get its tiles reserved, and never send a chunk. */
export const stalledUpload: Attack = async ({ node, target, signal, rng }) => {
  const stats = { begun: 0 }
  let n = 0
  await untilAborted(signal, async () => {
    const upload = createProgramUpload({ shardId: `stall/${n++}`, weights: new Float32Array(256 * 256), rows: 256, cols: 256, seed: rng.nextUint32() })
    if (await sendRaw(node.libp2p, target, SHARD_PROTOCOL, [frame(encodeShardRequest(upload.begin))], signal)) stats.begun++
    await new Promise((resolve) => setTimeout(resolve, 50))
  })
  return stats
}

/** Release, execute and re-program of the honest client's shard ids. */
export const foreignShards: Attack = async ({ node, target, victimShardIds, signal }) => {
  const stats = { attempts: 0, foreignSuccesses: 0, reprogrammed: 0 }
  const client = node.shardClient(target, { timeoutMs: 5_000 })
  const weights = new Float32Array(256 * 256).fill(0.5)
  await untilAborted(signal, async () => {
    for (const shardId of victimShardIds) {
      stats.attempts += 2
      await client.release(shardId).then(() => { stats.foreignSuccesses++ }, () => {})
      await client.execute({ shardId, input: new Float32Array(256), batch: 1 }).then(() => { stats.foreignSuccesses++ }, () => {})
      // A re-program lands in the attacker's own namespace (or is refused by its quota); then it lets it go.
      await client.program({ shardId, weights, rows: 256, cols: 256, seed: 1 }).then(async () => {
        stats.reprogrammed++
        await client.release(shardId).catch(() => {})
      }, () => {})
    }
  })
  return stats
}

/** One peer programming shard after shard to take every tile. */
export const tileGrab: Attack = async ({ node, target, signal }) => {
  const stats = { tilesTaken: 0, refused: 0 }
  const client = node.shardClient(target, { timeoutMs: 5_000 })
  const weights = new Float32Array(256 * 256).fill(0.25)
  let n = 0
  await untilAborted(signal, async () => {
    try {
      stats.tilesTaken += (await client.program({ shardId: `grab/${n++}`, weights, rows: 256, cols: 256, seed: 1 })).tilesUsed
    } catch {
      stats.refused++
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })
  return stats
}

/**
 * Capacity records the node must not store: forged (the target's id, signed by another key), foreign (a valid record
 * of one peer under another's key), expired, far-future and oversized, each sent as a PUT_VALUE straight to the target.
 * Once the attack ends it reads back, by GET_VALUE, what the target holds under both keys.
 */
export const dhtRecords: Attack = async ({ node, target, targetPeerId, signal }) => {
  const stats = { puts: 0, acknowledged: 0, forgedHeld: 0, foreignHeld: 0, attackerKeyHeld: 0, targetKeyHeld: 0 }
  const nowMs = Date.now()
  const base = (peerId: string, expiresAtMs: number, issuedAtMs = nowMs): CapacityRecord => ({
    peerId,
    device: { preset: 'ideal', geometry: { rows: 256, cols: 256 }, noiseLevel: 0 },
    tilesTotal: 1_000_000,
    tilesFree: 1_000_000,
    throughputGflopPerSecond: 1e9,
    queueDepth: 0,
    reachability: 'public',
    natKind: 'none',
    addresses: ['/ip4/127.0.0.1/tcp/1'],
    sequence: Number.MAX_SAFE_INTEGER,
    issuedAtMs,
    expiresAtMs
  })
  // The records are signed by a key of the attacker's; the forged one claims to be the target's.
  const attackerKey = await generateKeyPair('Ed25519')
  const attacker = peerIdFromPrivateKey(attackerKey).toString()
  const forgedBody = encodeCapacityRecordBody(base(targetPeerId, nowMs + 60_000))
  const forged = pb.SignedCapacityRecord.encode({ body: forgedBody, publicKey: new Uint8Array(0), signature: new Uint8Array(await attackerKey.sign(capacityRecordSignedBytes(forgedBody))) })
  const foreign = await signCapacityRecord(base(attacker, nowMs + 60_000), attackerKey)
  const targetKey = capacityRecordKey(targetPeerId)
  const attackerRecordKey = capacityRecordKey(attacker)
  const records: Array<[Uint8Array, Uint8Array]> = [
    [targetKey, forged],
    // A valid record of one peer stored under another peer's key.
    [targetKey, foreign],
    [attackerRecordKey, await signCapacityRecord(base(attacker, nowMs - 60_000, nowMs - 120_000), attackerKey)],
    [attackerRecordKey, await signCapacityRecord(base(attacker, nowMs + 24 * 3600_000), attackerKey)],
    [attackerRecordKey, randomBytes(createRng('oversized'), 64 * 1024)]
  ]
  await untilAborted(signal, async () => {
    for (const [key, value] of records) {
      stats.puts++
      if (await putValueTo(node.libp2p, target, key, value, AbortSignal.any([signal, AbortSignal.timeout(3_000)]))) stats.acknowledged++
    }
  })
  const read = AbortSignal.timeout(10_000)
  const underTarget = await getValueFrom(node.libp2p, target, targetKey, read)
  const same = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.from(a).equals(Buffer.from(b))
  stats.targetKeyHeld = underTarget === undefined ? 0 : 1
  stats.forgedHeld = same(underTarget, forged) ? 1 : 0
  stats.foreignHeld = same(underTarget, foreign) ? 1 : 0
  stats.attackerKeyHeld = (await getValueFrom(node.libp2p, target, attackerRecordKey, read)) === undefined ? 0 : 1
  return stats
}

export const ATTACKS: Readonly<Record<string, Attack>> = {
  'garbage-frames': garbageFrames,
  'absurd-values': absurdValues,
  slowloris,
  'stream-flood': streamFlood,
  'connection-flood': connectionFlood,
  'stalled-upload': stalledUpload,
  'foreign-shards': foreignShards,
  'tile-grab': tileGrab,
  'dht-records': dhtRecords
}
