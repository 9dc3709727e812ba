/**
 * The request pipeline of packages/coordinator/src/pipeline.ts as events: requests grouped into batches, at most
 * `batchesInFlight` batches at once; open loop (`arrivalRps`: batch b arrives at b · batchSize / rate and waits
 * for a free lane) or closed loop (each lane starts its next batch when its last is answered, until the
 * duration). A batch goes layer by layer; each layer calls all its shards at once and goes on when every call is
 * answered; a call that misses the batch deadline fails the batch (its requests count as lost). The invariant
 * checker sees the request ledger after every batch event. A hotspot's layer-only load (packages/coordinator/src/
 * layer-load.ts) runs the same way through one layer, outside the ledger of the job's requests.
 */
import type { DesCoordinator, LayerCall } from './coordinator-model.js'
import type { RequestLedger } from './invariants.js'

/** Options of {@link startPipeline}. */
export interface DesPipelineInit {
  layerIds: readonly string[]
  /** Requests to run at most. */
  requests: number
  batchSize: number
  batchesInFlight: number
  arrivalRps?: number
  /** Closed loop: no batch starts after this long (ms after the start). */
  durationMs: number
  /** Called when every batch started is answered or failed. */
  onDone: (started: number) => void
  onBatchFailed?: (first: number, n: number, why: string) => void
}

/** A running pipeline. */
export interface DesPipeline {
  readonly ledger: RequestLedger
  /** Answers per request id. */
  answers: () => Uint8Array
}

/** Runs one batch of `n` through `layers` in order; calls back `ok` or the first failure. */
export function runBatch (c: DesCoordinator, layers: readonly LayerCall[][], n: number, deadlineMs: number, done: (ok: boolean, why?: string) => void): void {
  let layer = 0
  let failed = false
  const nextLayer = (): void => {
    if (layer === layers.length) {
      done(true)
      return
    }
    const calls = layers[layer++]
    let left = calls.length
    if (left === 0) {
      nextLayer()
      return
    }
    for (const { shard, key } of calls) {
      c.callShard(shard, n, deadlineMs, (ok, why) => {
        if (failed) return
        if (!ok) {
          failed = true
          done(false, why)
          return
        }
        if (--left === 0) nextLayer()
      }, key)
    }
  }
  nextLayer()
}

/** Starts the job's requests at the simulator's now. */
export function startPipeline (c: DesCoordinator, init: DesPipelineInit): DesPipeline {
  const q = c.world.queue
  const calls = c.layerCalls(init.layerIds)
  const layers = init.layerIds.map((id) => calls.get(id) ?? [])
  const batches = Math.ceil(init.requests / init.batchSize)
  const startMs = q.nowMs
  const answers = new Uint8Array(init.requests)
  const ledger: RequestLedger = { arrived: 0, waiting: 0, running: 0, answered: 0, failed: 0 }
  const backlog: number[] = []
  let running = 0
  let nextBatch = 0
  let begun = 0
  let finished = false
  const sizeOf = (b: number): number => Math.min(init.batchSize, init.requests - b * init.batchSize)

  // Arrivals waiting for the event loop (held up by other work): their batches have not arrived yet.
  let arrivalsHeld = 0
  const finish = (): void => {
    if (finished || running > 0 || backlog.length > 0 || arrivalsHeld > 0) return
    const arrivalsLeft = init.arrivalRps !== undefined && nextBatch < batches
    if (arrivalsLeft) return
    if (init.arrivalRps === undefined && nextBatch < batches && q.nowMs - startMs < init.durationMs) return
    finished = true
    c.invariants.ledger(ledger, true)
    init.onDone(Math.min(init.requests, begun * init.batchSize))
  }

  const start = (b: number): void => {
    running++
    begun++
    const n = sizeOf(b)
    const first = b * init.batchSize
    ledger.waiting -= n
    ledger.running += n
    runBatch(c, layers, n, q.nowMs + c.settings.batchDeadlineMs, (ok, why) => {
      running--
      ledger.running -= n
      if (ok) answer(first, n)
      else {
        ledger.failed += n
        init.onBatchFailed?.(first, n, why ?? 'failed')
      }
      c.invariants.ledger(ledger, false)
      const waiting = backlog.shift()
      if (waiting !== undefined) start(waiting)
      else if (init.arrivalRps === undefined) closedLoopNext()
      finish()
    })
  }

  const answer = (first: number, n: number): void => {
    const bugs = c.invariants.bugs
    if (bugs.dropNextAnswer) {
      bugs.dropNextAnswer = false
      return
    }
    const times = bugs.duplicateNextAnswer ? 2 : 1
    bugs.duplicateNextAnswer = false
    for (let k = 0; k < times; k++) {
      for (let id = first; id < first + n; id++) answers[id] = Math.min(255, answers[id] + 1)
      c.invariants.answered(first, n)
      ledger.answered += n
      c.recorder.answered(n, q.nowMs)
    }
  }

  const arrive = (b: number): void => {
    const n = sizeOf(b)
    ledger.arrived += n
    ledger.waiting += n
    if (running < init.batchesInFlight) start(b)
    else backlog.push(b)
  }

  const closedLoopNext = (): void => {
    if (nextBatch >= batches || q.nowMs - startMs >= init.durationMs) return
    arrive(nextBatch++)
  }

  if (init.arrivalRps !== undefined) {
    const rate = init.arrivalRps
    const scheduleArrival = (): void => {
      if (nextBatch >= batches) return
      const b = nextBatch
      q.at(startMs + (b * init.batchSize * 1000) / rate, () => {
        nextBatch++
        // The arrival is a timer of the coordinator's event loop: it fires once the loop is free.
        arrivalsHeld++
        c.world.onLoop(() => {
          arrivalsHeld--
          arrive(b)
          finish()
        })
        scheduleArrival()
      })
    }
    scheduleArrival()
  } else {
    for (let lane = 0; lane < Math.max(1, Math.min(init.batchesInFlight, batches)); lane++) closedLoopNext()
  }
  return { ledger, answers: () => answers }
}

/**
 * A hotspot's extra load: requests that need only `layerId`, in batches of `batchSize`, at most `lanes` at once,
 * arriving at `arrivalRps` (open loop) or back to back; returns a function that stops starting new ones.
 */
export function startLayerLoad (c: DesCoordinator, init: { layerId: string, lanes: number, batchSize: number, arrivalRps?: number }): () => void {
  const q = c.world.queue
  const layer = [c.layerCalls([init.layerId]).get(init.layerId) ?? []]
  let stopped = false
  let running = 0
  let backlog = 0
  const startMs = q.nowMs
  const run = (): void => {
    running++
    runBatch(c, layer, init.batchSize, q.nowMs + c.settings.batchDeadlineMs, () => {
      running--
      if (stopped) return
      if (backlog > 0) {
        backlog--
        run()
      } else if (init.arrivalRps === undefined) run()
    })
  }
  if (init.arrivalRps !== undefined) {
    const rate = init.arrivalRps
    let b = 0
    const arrival = (): void => {
      if (stopped) return
      if (running < init.lanes) run()
      else backlog++
      b++
      q.at(startMs + (b * init.batchSize * 1000) / rate, arrival)
    }
    arrival()
  } else {
    for (let i = 0; i < init.lanes; i++) run()
  }
  return () => { stopped = true }
}
