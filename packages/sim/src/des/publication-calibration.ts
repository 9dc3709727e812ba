/**
 * What record publication costs the loopback harness's one event loop. Every node's capacity publisher publishes
 * at start, again 20 s later and 40 s after that, each time signing, putting and providing its capability buckets
 * (packages/peer/src/capacity-publisher.ts); with every node of a scenario in one process, those DHT exchanges
 * share the event loop that carries the shard calls, so a run sees seconds of stalled calls some 20 s after its
 * nodes started — the middle of a 30 s scenario. Measured here on a scenario's own network: the event loop's
 * active time in the publications 60 s after the nodes started (well clear of their start-up, which keeps the loop
 * busy for seconds on a loaded host) over its active time between publications, divided by the nodes publishing.
 */
import { performance } from 'node:perf_hooks'
import { openScenario } from '../session.js'
import type { Scenario } from '../scenario.js'
import { sleep } from '../sleep.js'

/** What {@link measurePublication} measured. */
export interface PublicationCalibration {
  /** Event-loop time of one node's publication, ms. */
  publicationWorkMs: number
  /** When each starting node was up, ms before every starting node was found (sorted, nearest first). */
  nodeStartsBeforeReadyMs: number[]
}

/** Period of the event-loop samples, ms. */
const SAMPLE_MS = 250
/** The publication measured: the third of the ramp (start, +20 s, +60 s), clear of start-up. */
const PUBLICATION_AFTER_START_MS = 60_000
/** The window around it, from before the first node's to after the last node's, ms. */
const WINDOW_BEFORE_MS = 1_000
const WINDOW_AFTER_MS = 8_000
/** Between publications: the window the loop's other work (gossip) is measured over, ms after the last start. */
const QUIET_FROM_MS = 34_000
const QUIET_TO_MS = 56_000

/** Event-loop active time in each sample period, with the period's end (ms on the same clock as the starts). */
interface LoopSample { atMs: number, activeMs: number, periodMs: number }

/** Active event-loop ms in `[fromMs, toMs)`, at the quiet rate `baselinePerMs` subtracted. */
function excessActiveMs (samples: readonly LoopSample[], fromMs: number, toMs: number, baselinePerMs: number): number {
  let sum = 0
  for (const s of samples) if (s.atMs > fromMs && s.atMs <= toMs) sum += s.activeMs - baselinePerMs * s.periodMs
  return Math.max(0, sum)
}

/** Active event-loop ms per ms in `[fromMs, toMs)`. */
function activeRate (samples: readonly LoopSample[], fromMs: number, toMs: number): number {
  let active = 0
  let period = 0
  for (const s of samples) {
    if (s.atMs <= fromMs || s.atMs > toMs) continue
    active += s.activeMs
    period += s.periodMs
  }
  return period > 0 ? active / period : 0
}

/** Starts the scenario's network with its coordinator, idle, and measures one round of publications (~75 s). */
export async function measurePublication (scenario: Scenario): Promise<PublicationCalibration> {
  const clock = (): number => performance.timeOrigin + performance.now()
  const samples: LoopSample[] = []
  let last = performance.eventLoopUtilization()
  let lastMs = clock()
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization()
    const atMs = clock()
    samples.push({ atMs, activeMs: performance.eventLoopUtilization(now, last).active, periodMs: atMs - lastMs })
    last = now
    lastMs = atMs
  }, SAMPLE_MS)
  try {
    const session = await openScenario(scenario, { settleMs: 0 })
    try {
      const readyMs = clock()
      const starts = scenario.nodes.filter((n) => n.standby !== true).map((n) => session.net.startedAtMs.get(n.id)).filter((t): t is number => t !== undefined)
      const first = Math.min(...starts)
      const lastStart = Math.max(...starts)
      await sleep(lastStart + PUBLICATION_AFTER_START_MS + WINDOW_AFTER_MS - clock())
      const baseline = activeRate(samples, lastStart + QUIET_FROM_MS, first + QUIET_TO_MS)
      const work = excessActiveMs(samples, first + PUBLICATION_AFTER_START_MS - WINDOW_BEFORE_MS, lastStart + PUBLICATION_AFTER_START_MS + WINDOW_AFTER_MS, baseline)
      return {
        publicationWorkMs: work / starts.length,
        nodeStartsBeforeReadyMs: starts.map((t) => readyMs - t).sort((a, b) => a - b)
      }
    } finally {
      await session.stop()
    }
  } finally {
    clearInterval(timer)
  }
}
