/**
 * A modelled volunteer peer: its tile pool (tiles held per shard copy, never more than it has), and its executor
 * as the real one behaves — one worker thread that runs executes one at a time in arrival order, each taking
 * `max(reads × the preset's MVM latency, MACs ÷ emulated MAC/s)` (packages/peer/src/executor/worker.ts). A
 * change of speed is a message to that worker, so it takes effect after the executes already queued, as on a
 * real node. The peer keeps the ring of recent executes its metrics sample reads (count and median wall time
 * over the push window, packages/peer/src/load-window.ts).
 */
import type { ScenarioNode } from '../scenario.js'

/** How a peer answers wrongly (a liar): data, so a verification model can reuse it. */
export interface LiarSpec {
  /** Fraction 0 … 1 of its answers that are wrong. */
  wrongFraction: number
  /** Relative error of a wrong answer (‖y − y_true‖ ÷ ‖y_true‖). */
  relativeError: number
}

/** A peer of the simulated network. */
export interface DesPeerSpec extends ScenarioNode {
  /** Peer id (the real one for scenario networks; synthetic at scale). */
  peerId: string
  /** Preset's MVM latency per analog read, ns (from the crossbar device profile). */
  mvmLatencyNs: number
  /** Preset's noise level (from the crossbar device profile). */
  noiseLevel: number
  /** How the coordinator reaches it. */
  path: 'direct' | 'hole-punched' | 'relayed'
  /** Answers wrongly, if set. */
  liar?: LiarSpec
}

/** One execute waiting for or holding the worker. */
interface Execute {
  macs: number
  reads: number
  /** Called when the worker finishes it (service time, ms). */
  done: (serviceMs: number, wrong: boolean) => void
  /** Zero-length marker: a new emulated speed, applied when the worker reaches it. */
  setRate?: number
  /** Work of a known duration (programming a shard), ms; not an execute (not in the load window). */
  fixedMs?: number
}

/** Ring size of the recent-executes window (packages/peer/src/constants.ts: the last 32 executes). */
const LOAD_WINDOW_SIZE = 32

/** Where `loadSummary` sorts the window's times (one for every peer: a summary is read at once). */
const summaryScratch = new Float64Array(LOAD_WINDOW_SIZE)

/** A modelled peer; the engine calls `submit` and schedules completions through `schedule`. */
export class ModelledPeer {
  readonly spec: DesPeerSpec
  alive = false
  /** Emulated MAC/s the worker runs at now. */
  macsPerSecond: number
  /** Tiles held, by copy key (run/shard). */
  readonly copies = new Map<string, number>()
  tilesUsed = 0
  /** Executes posted to the worker and not answered (the gossip's queueDepth). */
  queueDepth = 0
  /** Shard streams being served (the gossip's inFlight). */
  streams = 0
  /** Device busy time of all executes so far, ms. */
  busyMs = 0
  private readonly queue: Execute[] = []
  private head = 0
  private running = false
  private readonly windowTimes = new Float64Array(LOAD_WINDOW_SIZE)
  private readonly windowWall = new Float64Array(LOAD_WINDOW_SIZE)
  private windowNext = 0
  private windowSize = 0
  private readonly schedule: (delayMs: number, action: () => void) => void
  private readonly now: () => number
  private readonly draw: () => number
  /** Generation: bumped when the peer leaves, so completions of work it was doing are dropped. */
  generation = 0

  constructor (spec: DesPeerSpec, clock: { now: () => number, schedule: (delayMs: number, action: () => void) => void }, draw: () => number) {
    this.spec = spec
    this.macsPerSecond = spec.macsPerSecond
    this.now = clock.now
    this.schedule = clock.schedule
    this.draw = draw
  }

  get tilesFree (): number {
    return this.spec.tiles - this.tilesUsed
  }

  /** Takes `tiles` for a copy; false when they are not free (the peer refuses the upload). */
  reserve (key: string, tiles: number): boolean {
    if (!this.alive || this.copies.has(key) || tiles > this.tilesFree) return false
    this.copies.set(key, tiles)
    this.tilesUsed += tiles
    return true
  }

  /** Frees a copy's tiles; false when the peer does not hold it. */
  release (key: string): boolean {
    const tiles = this.copies.get(key)
    if (tiles === undefined) return false
    this.copies.delete(key)
    this.tilesUsed -= tiles
    return true
  }

  /** Posts one execute to the worker. */
  submit (macs: number, reads: number, done: (serviceMs: number, wrong: boolean) => void): void {
    this.queue.push({ macs, reads, done })
    this.queueDepth++
    this.pump()
  }

  /** Posts work of a known duration to the worker (programming a shard's conductances), behind what is queued. */
  submitFixed (durationMs: number, done: () => void): void {
    this.queue.push({ macs: 0, reads: 0, done: () => { done() }, fixedMs: durationMs })
    this.queueDepth++
    this.pump()
  }

  /** A new emulated speed, applied after the executes already queued (a message to the worker). */
  setSpeed (macsPerSecond: number): void {
    this.queue.push({ macs: 0, reads: 0, done: () => {}, setRate: macsPerSecond })
    this.pump()
  }

  /** The peer stops: queued work is dropped (its callers see their streams reset), tiles are gone with it. */
  leave (): void {
    this.alive = false
    this.generation++
    this.queue.length = 0
    this.head = 0
    this.running = false
    this.queueDepth = 0
    this.streams = 0
    this.copies.clear()
    this.tilesUsed = 0
  }

  /** Count and median wall time of the executes that finished in the last `windowMs` (the metrics sample). */
  loadSummary (windowMs: number): { count: number, p50Ms: number } {
    const nowMs = this.now()
    let n = 0
    for (let i = 0; i < this.windowSize; i++) if (nowMs - this.windowTimes[i] < windowMs) summaryScratch[n++] = this.windowWall[i]
    if (n === 0) return { count: 0, p50Ms: 0 }
    const values = summaryScratch.subarray(0, n).sort()
    return { count: n, p50Ms: n % 2 === 1 ? values[(n - 1) / 2] : (values[n / 2 - 1] + values[n / 2]) / 2 }
  }

  private pump (): void {
    while (!this.running && this.head < this.queue.length) {
      const job = this.queue[this.head++]
      if (job.setRate !== undefined) {
        this.macsPerSecond = job.setRate
        continue
      }
      this.running = true
      const serviceMs = job.fixedMs ?? Math.max((job.reads * this.spec.mvmLatencyNs) / 1e6, (job.macs / this.macsPerSecond) * 1000)
      const generation = this.generation
      this.schedule(serviceMs, () => {
        if (generation !== this.generation) return
        this.running = false
        this.queueDepth--
        if (job.fixedMs !== undefined) {
          job.done(serviceMs, false)
          this.pump()
          return
        }
        this.busyMs += serviceMs
        this.windowTimes[this.windowNext] = this.now()
        this.windowWall[this.windowNext] = serviceMs
        this.windowNext = (this.windowNext + 1) % LOAD_WINDOW_SIZE
        if (this.windowSize < LOAD_WINDOW_SIZE) this.windowSize++
        const wrong = this.spec.liar !== undefined && this.draw() < this.spec.liar.wrongFraction
        job.done(serviceMs, wrong)
        this.pump()
      })
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head)
      this.head = 0
    }
  }
}
