/**
 * What record publication costs the loopback harness's one event loop. Every node's capacity publisher publishes
 * at start, again 20 s later and 40 s after that, each time signing, putting and providing its capability buckets
 * (packages/peer/src/capacity-publisher.ts); with every node of a scenario in one process, those DHT exchanges
 * share the event loop that carries the shard calls, so a run sees seconds of stalled calls some 20 s after its
 * nodes started — the middle of a 30 s scenario. Measured here on a scenario's own network, idle: the event loop's
 * active time in the publications about 60 s after the nodes started (well clear of their start-up, which keeps
 * the loop busy for seconds on a loaded host) over its active time between publications, divided by the
 * publications that finished then; and when every publication finished, from discovery on.
 */
import { performance } from 'node:perf_hooks'
import { startLoopMeter } from '../loop-meter.js'
import { openScenario } from '../session.js'
import type { Scenario } from '../scenario.js'
import { sleep } from '../sleep.js'

/** What {@link measurePublication} measured. */
export interface PublicationCalibration {
  /** Event-loop time of one node's publication, ms (at the host's load during the measurement). */
  publicationWorkMs: number
  /** CPU time of the event loop's thread for one node's publication, ms. */
  publicationCpuMs: number
  /** When each publication finished, ms after every starting node was found (negative: before). */
  publicationsAfterReadyMs: number[]
}

/** Period of the event-loop samples, ms. */
const SAMPLE_MS = 250
/** How long the network runs after discovery, ms: past the third publication of every node (start, +20 s, +60 s). */
const MEASURE_MS = 75_000
/** The publications measured: those that finished this long after discovery or later (clear of start-up), ms. */
const MEASURED_FROM_MS = 45_000
/** Work of a publication starts before it finishes: the window opens this much before the first one, ms. */
const WINDOW_LEAD_MS = 2_000
/** The event loop's other work (gossip) is measured between the start-up and the measured publications, ms after discovery. */
const QUIET_FROM_MS = 25_000

/** Event-loop busy time and CPU time in each sample period, with the period's end (coordinator clock, ms). */
interface LoopSample { atMs: number, activeMs: number, cpuMs: number, periodMs: number }

/** Busy (or CPU) ms of the loop in `(fromMs, toMs]`, at the quiet rate `baselinePerMs` subtracted. */
function excessMs (samples: readonly LoopSample[], fromMs: number, toMs: number, baselinePerMs: number, of: 'activeMs' | 'cpuMs'): number {
  let sum = 0
  for (const s of samples) if (s.atMs > fromMs && s.atMs <= toMs) sum += s[of] - baselinePerMs * s.periodMs
  return Math.max(0, sum)
}

/** Busy (or CPU) ms of the loop per ms in `(fromMs, toMs]`. */
function rate (samples: readonly LoopSample[], fromMs: number, toMs: number, of: 'activeMs' | 'cpuMs'): number {
  let sum = 0
  let period = 0
  for (const s of samples) {
    if (s.atMs <= fromMs || s.atMs > toMs) continue
    sum += s[of]
    period += s.periodMs
  }
  return period > 0 ? sum / period : 0
}

/** Starts the scenario's network with its coordinator, idle, and measures one round of publications (~75 s). */
export async function measurePublication (scenario: Scenario): Promise<PublicationCalibration> {
  const clock = (): number => performance.timeOrigin + performance.now()
  const samples: LoopSample[] = []
  let meter = startLoopMeter()
  let lastMs = clock()
  const timer = setInterval(() => {
    const use = meter()
    meter = startLoopMeter()
    const atMs = clock()
    samples.push({ atMs, ...use, periodMs: atMs - lastMs })
    lastMs = atMs
  }, SAMPLE_MS)
  try {
    const session = await openScenario(scenario, { settleMs: 0 })
    try {
      const readyMs = clock()
      await sleep(MEASURE_MS)
      const ends = session.net.publishedAtMs.map((t) => t - readyMs)
      const measured = ends.filter((t) => t >= MEASURED_FROM_MS && t <= MEASURE_MS)
      const fromMs = Math.min(...measured) - WINDOW_LEAD_MS
      // Between the earlier publications and the measured ones: the loop's rate of other work (gossip).
      const quietFromMs = Math.max(QUIET_FROM_MS, ...ends.filter((t) => t < fromMs).map((t) => t + SAMPLE_MS))
      const per = (of: 'activeMs' | 'cpuMs'): number => measured.length === 0
        ? 0
        : excessMs(samples, readyMs + fromMs, readyMs + MEASURE_MS, rate(samples, readyMs + quietFromMs, readyMs + fromMs, of), of) / measured.length
      return {
        publicationWorkMs: per('activeMs'),
        publicationCpuMs: per('cpuMs'),
        publicationsAfterReadyMs: ends.sort((a, b) => a - b)
      }
    } finally {
      await session.stop()
    }
  } finally {
    clearInterval(timer)
  }
}
