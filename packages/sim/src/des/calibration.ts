/**
 * Calibration of the network model for loopback scenarios, from quantities measured on this machine rather than
 * fitted to the runs the simulator is validated against. The stack's cost of one call: real tessera nodes on
 * 127.0.0.1 (the same `createTesseraNode` the loopback simulation starts) under a scenario's load, see
 * {@link measureLoopbackStack}; each call's cost is split evenly between request and reply. The ping RTT is the
 * median of the pings sent meanwhile. Programming: the median time to upload and program a 128×128 shard on a real node of each
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
import type { Scenario } from '../scenario.js'
import { measurePolicyLoopWork } from './loop-calibration.js'
import { measurePublication } from './publication-calibration.js'
import type { MnistWorkload } from '@tessera/coordinator'
import { sleep } from '../sleep.js'

/** Bandwidth of a loopback path in the model, bytes per second (1 GB/s: transfers are far below a millisecond). */
export const LOOPBACK_BANDWIDTH_BYTES_PER_SEC = 1e9

/** What the calibration measured. */
export interface LoopbackCalibration {
  /** Median stack cost of one execute (round trip − device time) under the scenario-like load, ms. */
  callOverheadMs: number
  /** The same cost's quantiles 0, 1, …, 100 % (its distribution: a loaded event loop has a long tail), ms. */
  callOverheadQuantilesMs?: number[]
  /** Median ping RTT, ms. */
  pingRttMs: number
  calls: number
  /** Median time to upload and program one 128×128 shard, per preset, ms (the worker's programming included). */
  programMsByPreset: Record<string, number>
  /** Event-loop time of one node's record publication on the loopback harness, ms (publication-calibration.ts). */
  publicationWorkMs?: number
  /** CPU time of the event loop for one node's record publication, ms (publication-calibration.ts). */
  publicationCpuMs?: number
  /** CPU time of the harness's event loop per shard call, ms, per policy measured (loop-calibration.ts). */
  loopCpuPerCallMsByPolicy?: Record<string, number>
  /** The loop's busy time ÷ its CPU time during that measurement (loop-calibration.ts). */
  loopStretch?: number
  /** Calls that measurement made. */
  loopCalls?: number
  /** When the measured network's publications finished, ms after all its nodes were found (publication-calibration.ts). */
  publicationsAfterReadyMs?: number[]
}

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? Number.NaN : n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

/** Serving nodes of the loaded measurement: as many as the loopback scenarios start besides the coordinator. */
const LOADED_NODES = 10
/** Pause between two calls of one lane, ms: ten lanes then offer about the scenarios' ~100 shard calls/s. */
const LANE_PAUSE_MS = 60
/** Lane i sleeps 1 + (i mod this) ms each way, the scenarios' emulated delays of 1–8 ms. */
const LANE_DELAYS_MS = 8
/** How long the loaded measurement runs, ms. */
const LOADED_MEASURE_MS = 8000

/**
 * Measures the loopback stack under the load of a scenario (a few tens of seconds): ten serving nodes and a client
 * in this one process, as `startLocalNetwork` runs them, a 128×128 shard on each node (emulated 6 MMAC/s), one lane
 * of back-to-back batches of 16 per node with a 60 ms pause — about the 100 shard calls/s of the loopback scenarios
 * — each call between two sleeps of an emulated delay, as the coordinator makes them.
 * The stack's cost of a call is its round trip minus the device time the peer reports; its distribution, not only
 * its median, goes into the model, since calls of a loaded event loop wait behind each other's work. With a
 * scenario, the event-loop time of its nodes' record publications is measured too (another ~75 s), and with the
 * workload, the event loop's work per call on a 10 s run of it (loop-calibration.ts).
 */
export async function measureLoopbackStack (init: { scenario?: Scenario, workload?: Pick<MnistWorkload, 'job' | 'inputs' | 'labels'> } = {}): Promise<LoopbackCalibration> {
  const stack = await measureLoadedStack()
  if (init.scenario === undefined) return stack
  const publication = await measurePublication(init.scenario)
  if (init.workload === undefined) return { ...stack, ...publication }
  return { ...stack, ...publication, ...(await measurePolicyLoopWork(init.scenario, init.workload, publication.publicationWorkMs)) }
}

async function measureLoadedStack (): Promise<LoopbackCalibration> {
  const started: TesseraNode[] = []
  try {
    const profile = createDeviceProfile('ideal', { rows: 128, cols: 128 })
    const first = await createTesseraNode({ network: 'local', device: profile, tiles: 2, calibrate: false, emulatedMacsPerSecond: 6_000_000 })
    started.push(first)
    const bootstrap = [first.getMultiaddrs()[0].toString()]
    for (let i = 1; i < LOADED_NODES; i++) started.push(await createTesseraNode({ network: 'local', device: profile, tiles: 2, calibrate: false, emulatedMacsPerSecond: 6_000_000, bootstrap }))
    const client = await createTesseraNode({ network: 'local', serve: false, bootstrap })
    started.push(client)
    const rng = createRng('des/calibration')
    const weights = Float32Array.from({ length: 128 * 128 }, () => rng.nextFloat() - 0.5)
    const input = Float32Array.from({ length: 16 * 128 }, () => rng.nextFloat())
    const shards = []
    for (const node of started.slice(0, LOADED_NODES)) {
      await client.libp2p.dial(node.getMultiaddrs())
      const s = client.shardClient(node.peerId)
      await s.program({ shardId: 'calibration', weights, rows: 128, cols: 128, seed: 'calibration' })
      shards.push(s)
    }
    const overheads: number[] = []
    const pings: number[] = []
    const until = performance.now() + LOADED_MEASURE_MS
    await Promise.all(shards.map(async (s, i) => {
      // The coordinator sleeps a node's emulated delay before the request and after the reply (shard-calls.ts):
      // the timers' lateness on the loaded loop is part of a call's cost, the delays themselves are the model's.
      const delayMs = 1 + (i % LANE_DELAYS_MS)
      while (performance.now() < until) {
        const t0 = performance.now()
        await sleep(delayMs)
        const reply = await s.execute({ shardId: 'calibration', input, batch: 16 })
        await sleep(delayMs)
        overheads.push(Math.max(0, performance.now() - t0 - 2 * delayMs - reply.deviceTimeNs / 1e6))
        if (i === 0) pings.push(await client.libp2p.services.ping.ping(started[1].peerId))
        await new Promise((resolve) => setTimeout(resolve, LANE_PAUSE_MS))
      }
    }))
    const sorted = [...overheads].sort((a, b) => a - b)
    const quantiles = Array.from({ length: 101 }, (_, k) => sorted[Math.min(sorted.length - 1, Math.round((k / 100) * (sorted.length - 1)))])
    return { callOverheadMs: median(overheads), callOverheadQuantilesMs: quantiles, pingRttMs: median(pings), calls: overheads.length, programMsByPreset: await measureProgramming(weights) }
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
 * measured ping, loopback bandwidth, a relay hop of one call's stack cost (loopback relays add only their stack
 * cost, one more hop), a departure found at once (a stopped node refuses the re-dial), a joining node's record
 * readable after its two publications (two DHT puts on loopback, about one stack round trip each, plus the dial),
 * and one event loop for every node's stack, as in `startLocalNetwork`.
 *
 * With the loop's work per call measured (loop-calibration.ts; `policy`'s own when it was measured, else the
 * baseline's), the loop is a first-come-first-served server of it — half as the request goes out, half as the
 * reply comes in — and of the publications' work, each stretched by
 * `stretch` (the loop's busy time ÷ its CPU time in the run simulated; default the measurement's own): calls sent
 * together queue on it. Without that measurement, each call draws its stack cost from the distribution measured
 * under a scenario's load (the loop's queueing in it), split between request and reply.
 */
export function loopbackNetwork (c: LoopbackCalibration, stretch?: number, policy?: string): NetworkModel {
  const base = {
    pingRttMs: c.pingRttMs,
    relayHopMs: c.callOverheadMs,
    bandwidthBytesPerSec: { direct: LOOPBACK_BANDWIDTH_BYTES_PER_SEC, 'hole-punched': LOOPBACK_BANDWIDTH_BYTES_PER_SEC, relayed: LOOPBACK_BANDWIDTH_BYTES_PER_SEC },
    departureDetectMs: c.pingRttMs,
    publishDelayMs: 3 * c.callOverheadMs,
    programMsByPreset: c.programMsByPreset ?? {},
    ...(c.publicationsAfterReadyMs !== undefined ? { publicationsAfterDiscoveryMs: c.publicationsAfterReadyMs } : {})
  }
  const byPolicy = c.loopCpuPerCallMsByPolicy
  // A policy not measured does what the baseline measured does (no loop of its own, no checks).
  const cpuPerCallMs = byPolicy === undefined ? undefined : byPolicy[policy ?? ''] ?? byPolicy['round-robin']
  if (cpuPerCallMs !== undefined && cpuPerCallMs > 0) {
    const s = stretch ?? c.loopStretch ?? 1
    const perCallMs = cpuPerCallMs * s
    return {
      ...base,
      requestOverheadMs: perCallMs / 2,
      replyOverheadMs: perCallMs / 2,
      sharedEventLoop: true,
      publicationWorkMs: (c.publicationCpuMs ?? 0) * s
    }
  }
  const half = c.callOverheadMs / 2
  return {
    ...base,
    requestOverheadMs: half,
    replyOverheadMs: half,
    ...(c.publicationWorkMs !== undefined ? { publicationWorkMs: c.publicationWorkMs } : {}),
    ...(c.callOverheadQuantilesMs !== undefined && c.callOverheadQuantilesMs.length > 1 ? { callOverheadQuantilesMs: c.callOverheadQuantilesMs } : { sharedEventLoop: true })
  }
}
