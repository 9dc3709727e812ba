/**
 * Calibration of the network model for loopback scenarios, from quantities measured on this machine rather than
 * fitted to the runs the simulator is validated against: two real tessera nodes on 127.0.0.1 (the same
 * `createTesseraNode` the loopback simulation starts), a 128×128 shard on the serving node, then `calls` executes
 * of a batch of 16 one after another. The stack's cost of one call is its round trip minus the device time the
 * peer reports (medians over the calls); it is split evenly between request and reply. The ping RTT is the median
 * of as many pings. Programming: the median time to upload and program a 128×128 shard on a real node of each
 * preset (the worker turns weights into conductances: tens of ms, more on the noisier presets); the model
 * charges it to the peer's worker. A node that stops resets its streams at once and refuses a re-dial within a
 * few ms (measured the same way), so departures are found within a ping's time. Loopback has no bandwidth limit
 * worth modelling: 128×128 × 16 float32 inputs are 8 KiB.
 */
import { createDeviceProfile, createRng, PRESET_NAMES } from '@tessera/crossbar'
import type { PresetName } from '@tessera/crossbar'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import type { NetworkModel } from './network-model.js'

/** Bandwidth of a loopback path in the model, bytes per second (1 GB/s: transfers are far below a millisecond). */
export const LOOPBACK_BANDWIDTH_BYTES_PER_SEC = 1e9

/** What the calibration measured. */
export interface LoopbackCalibration {
  /** Median stack cost of one execute (round trip − device time), ms. */
  callOverheadMs: number
  /** Median ping RTT, ms. */
  pingRttMs: number
  calls: number
  /** Median time to upload and program one 128×128 shard, per preset, ms (the worker's programming included). */
  programMsByPreset: Record<string, number>
}

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? Number.NaN : n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

/** Measures the loopback stack with two real nodes (a few seconds). */
export async function measureLoopbackStack (calls = 200): Promise<LoopbackCalibration> {
  const started: TesseraNode[] = []
  try {
    const server = await createTesseraNode({ network: 'local', device: createDeviceProfile('ideal', { rows: 128, cols: 128 }), tiles: 2, calibrate: false })
    started.push(server)
    const client = await createTesseraNode({ network: 'local', serve: false, bootstrap: [server.getMultiaddrs()[0].toString()] })
    started.push(client)
    const shards = client.shardClient(server.peerId)
    const rng = createRng('des/calibration')
    const weights = Float32Array.from({ length: 128 * 128 }, () => rng.nextFloat() - 0.5)
    await shards.program({ shardId: 'calibration', weights, rows: 128, cols: 128, seed: 'calibration' })
    const input = Float32Array.from({ length: 16 * 128 }, () => rng.nextFloat())
    const overheads: number[] = []
    const pings: number[] = []
    // A few calls first: connection, stream muxer and JIT warm up.
    for (let i = 0; i < 10; i++) await shards.execute({ shardId: 'calibration', input, batch: 16 })
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now()
      const reply = await shards.execute({ shardId: 'calibration', input, batch: 16 })
      overheads.push(performance.now() - t0 - reply.deviceTimeNs / 1e6)
      pings.push(await client.libp2p.services.ping.ping(server.peerId))
    }
    return { callOverheadMs: Math.max(0, median(overheads)), pingRttMs: median(pings), calls, programMsByPreset: await measureProgramming(weights) }
  } finally {
    await Promise.allSettled(started.map(async (n) => { await n.stop() }))
  }
}

/** Uploads per preset when measuring programming. */
const PROGRAM_SAMPLES = 7

/** Median upload-and-program time of a 128×128 shard on a real node of each preset, ms. */
async function measureProgramming (weights: Float32Array): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const preset of PRESET_NAMES) {
    const started: TesseraNode[] = []
    try {
      const server = await createTesseraNode({ network: 'local', device: createDeviceProfile(preset as PresetName, { rows: 128, cols: 128 }), tiles: PROGRAM_SAMPLES, calibrate: false })
      started.push(server)
      const client = await createTesseraNode({ network: 'local', serve: false, bootstrap: [server.getMultiaddrs()[0].toString()] })
      started.push(client)
      const shards = client.shardClient(server.peerId)
      const times: number[] = []
      for (let i = 0; i < PROGRAM_SAMPLES; i++) {
        const t0 = performance.now()
        await shards.program({ shardId: `calibration-${i}`, weights, rows: 128, cols: 128, seed: `calibration-${i}` })
        times.push(performance.now() - t0)
      }
      out[preset] = median(times)
    } finally {
      await Promise.allSettled(started.map(async (n) => { await n.stop() }))
    }
  }
  return out
}

/**
 * The network model of a loopback scenario: the scenario's emulated delays (applied per peer by the model), the
 * measured stack cost split between request and reply, the measured ping, loopback bandwidth, a relay hop of 0
 * (loopback relays add only their stack cost, one more hop: counted as another call overhead each way), a
 * departure found at once (a stopped node refuses the re-dial), a joining node's record readable after its
 * two publications (two DHT puts on loopback, about one stack round trip each, plus the dial), and one event loop
 * for every node's stack, as in `startLocalNetwork`.
 */
export function loopbackNetwork (c: LoopbackCalibration): NetworkModel {
  const half = c.callOverheadMs / 2
  return {
    requestOverheadMs: half,
    replyOverheadMs: half,
    pingRttMs: c.pingRttMs,
    relayHopMs: c.callOverheadMs,
    bandwidthBytesPerSec: { direct: LOOPBACK_BANDWIDTH_BYTES_PER_SEC, 'hole-punched': LOOPBACK_BANDWIDTH_BYTES_PER_SEC, relayed: LOOPBACK_BANDWIDTH_BYTES_PER_SEC },
    departureDetectMs: c.pingRttMs,
    publishDelayMs: 3 * c.callOverheadMs,
    programMsByPreset: c.programMsByPreset ?? {},
    sharedEventLoop: true
  }
}
