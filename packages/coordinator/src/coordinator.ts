/**
 * The coordinator: discovers peers (providers of the capability CID and their signed capacity records), keeps
 * the dual memory of them (metrics gossip and its own observations), and runs jobs — plan, place with a policy,
 * program, stream requests with recovery — measuring each run.
 */
import { noUploadProgress } from './progress.js'
import type { UploadProgressFactory } from './progress.js'
import { performance } from 'node:perf_hooks'
import { peerIdFromString } from '@libp2p/peer-id'
import { createRng } from '@tessera/crossbar'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import type { LongTermMemory, ShortTermMemory } from '@tessera/memory'
import { createPolicy, createReconfigurer } from '@tessera/scheduler'
import type { PeerView, PlacementPolicy, ReconfigureEvent, ReconfigureInit } from '@tessera/scheduler'
import { MetricsService } from '@tessera/peer'
import type { PeerSample } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import {
  DEFAULT_BATCH_SIZE, DEFAULT_BATCHES_IN_FLIGHT, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CALLS_PER_PEER, DEFAULT_DISCOVERY_TIMEOUT_MS,
  DEFAULT_BATCH_DEADLINE_MS, DEFAULT_PROGRAM_TIMEOUT_MS, DEFAULT_UPLOAD_CONCURRENCY, DISCOVERY_RETRY_MS, DISCOVERY_ROUND_MS, MAX_OTHERS_UTILISATION, RECENT_BUSY_HORIZON_MS, RECENT_SPEED_WINDOW_MS,
  RECONFIGURE_COORDINATOR_COOLDOWN_MS, RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS, RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS, RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS, RECONFIGURE_DISCOVERY_INTERVAL_MS,
  RECONFIGURE_DEMAND_MEMORY_MS, RECONFIGURE_INTERVAL_MS, RECONFIGURE_LOAD_WINDOW_MS
} from './constants.js'
import { startLayerLoad } from './layer-load.js'
import type { LayerLoad, LayerLoadStats } from './layer-load.js'
import { startReconfigureLoop } from './reconfigure-loop.js'
import type { ReconfigureLoop } from './reconfigure-loop.js'
import { newShardState, RecentBusy, RunContext } from './context.js'
import { InvalidRunOptionError, NoPeersError, PlacementFailedError } from './errors.js'
import { validateJob } from './job.js'
import type { ModelJob } from './job.js'
import { computeRunMetrics, RunRecorder } from './metrics.js'
import type { RunMetrics } from './metrics.js'
import { connectPeer } from './peers.js'
import type { PeerTarget } from './peers.js'
import { runPipeline } from './pipeline.js'
import { planJob } from './plan.js'
import { programPlacement, releaseAll } from './program.js'

/** Options of {@link createCoordinator}; every field but `node` is optional. */
export interface CoordinatorInit {
  /** The coordinator's own node (a client-only node is enough). */
  node: TesseraNode
  /** Short-term memory of peers (default: a fresh one with one-minute windows). */
  shortTerm?: ShortTermMemory
  /** Long-term memory of peers (default: an in-memory one; pass one backed by the node's datastore to persist). */
  longTerm?: LongTermMemory
  /**
   * Emulated one-way network delay per peer id, ms, applied at the coordinator before each request and after
   * each reply (loopback has none). Default none.
   */
  emulatedDelayMs?: Readonly<Record<string, number>> | ((peerId: string) => number)
  /**
   * Shortest timeout of one shard call (default 10 s): each peer's timeout adapts above it to its observed p95
   * round trip and doubles per consecutive timeout. A timeout makes the peer suspect (backed off), never dead.
   */
  callTimeoutMs?: number
  /** Timeout of one shard upload (default 60 s). */
  programTimeoutMs?: number
  /** Shard calls outstanding per peer (default 6; the shard service allows 8). */
  callsPerPeer?: number
  /**
   * How long a batch keeps retrying — slow peers, replicas, re-placements, waiting for a peer that can take a
   * shard — before its requests count as lost with a `BatchDeadlineError` (default 60 s).
   */
  batchDeadlineMs?: number
  /** Uploads in flight while programming (default 4). */
  uploadConcurrency?: number
  /** Told how uploads progress (default: nobody); the CLI passes a progress bar. */
  uploadProgress?: UploadProgressFactory
  /** Push period of the coordinator's own metrics service when its node has none (default 1 s). */
  metricsIntervalMs?: number
  /** Monotonic clock, ms (default `performance.timeOrigin + performance.now()`). */
  now?: () => number
}

/** Options of {@link Coordinator.run}. */
export interface RunJobOptions {
  job: ModelJob
  /** A policy name (`tessera`, `ray-like`, …) or a policy. */
  policy: string | PlacementPolicy
  /** Input vectors, `count × job.layers[0].inputs`; request i uses vector i mod count. */
  inputs: Float32Array
  /** Label of each input vector (for accuracy). */
  labels?: Uint8Array
  /** Model requests to run. */
  requests: number
  /** Requests per batch (default 32). */
  batchSize?: number
  /** Batches in flight (default 4). */
  batchesInFlight?: number
  /** Seed of placement randomness and device programming (default `'tessera'`). */
  seed?: string | number
  /** Names this run's shards on the peers (default `${seed}/${policy}/${n}`). */
  runId?: string
  /** Called after every answered batch with the number of requests answered so far. */
  onProgress?: (answered: number, requests: number) => void
  /**
   * Copies wanted per shard (default 1). Every policy gets the same shards; those that replicate (tessera,
   * petals-like, round-robin, random) place the copies on distinct peers and route each call among them, the
   * others (ray-like, memory-proportional: Ray and exo do not replicate) place one.
   */
  replicas?: number
  /** Called once the placement is programmed, before the first request (shard id → peers holding it). */
  onPlaced?: (placement: Record<string, string[]>) => void
  /**
   * Continuous reconfiguration while requests stream: `true`, `false` or its settings (default: on for the
   * `tessera` policy; the baselines only re-place copies that are lost, as their systems do).
   */
  reconfigure?: boolean | ReconfigureRunOptions
  /** Called for every reconfiguration decision as it is taken. */
  onReconfigureEvent?: (event: ReconfigureEvent) => void
  /** Start no batch after this long (ms from the first batch); `requests` then only caps the count. */
  durationMs?: number
  /**
   * Open loop: requests arrive at this rate, requests/s, and `batchesInFlight` caps the batches running at once
   * (default: closed loop, `batchesInFlight` batches always in flight).
   */
  arrivalRps?: number
  /** Happenings at set times after the first batch (a scenario's slowdowns, departures, joins, hotspots). */
  timeline?: readonly TimelineEntry[]
}

/** Settings of the reconfiguration loop of a run. */
export interface ReconfigureRunOptions {
  /** Time between steps, ms (default 500). */
  intervalMs?: number
  /** Time between discovery rounds for peers that joined, ms (default 3000). */
  discoverEveryMs?: number
  /** Trailing window of the per-shard call rates, ms (default 2000). */
  loadWindowMs?: number
  /** Time constant of the remembered per-shard call rate, ms (default 10,000). */
  demandMemoryMs?: number
  /** The decision core's parameters (hysteresis, caps, cool-down…). */
  config?: ReconfigureInit
}

/** What a timeline entry may do to the run itself (the rest — nodes slowing down or leaving — is the caller's). */
export interface RunControl {
  /**
   * Adds requests that run through one layer only (a hotspot on that layer): `lanes` batches at most in flight,
   * arriving at `arrivalRps` requests/s when given (open loop), else back to back.
   */
  loadLayer: (layerId: string, lanes: number, arrivalRps?: number) => void
  /** Successful shard calls of the run so far per peer id. */
  callsServed: () => Map<string, number>
}

/** One happening of a run's timeline. */
export interface TimelineEntry {
  /** When, ms after the first batch. */
  atMs: number
  /** Names the entry (e.g. `slowdown`) in the run's errors if applying it fails. */
  label: string
  apply: (run: RunControl) => void | Promise<void>
}

/** The outcome of one run. */
export interface RunResult {
  policy: string
  planDescription: string
  metrics: RunMetrics
  /** Answers per request (1 = exactly once). */
  answers: Uint8Array
  predictions: Uint8Array
  /** `requests × classes` logits (zeros where unanswered). */
  logits: Float32Array
  /** Shard id → peers holding it after programming. */
  placement: Record<string, string[]>
  /** The peers as the policy saw them when placing. */
  peers: PeerView[]
  recorder: RunRecorder
  /** Why batches failed, if any did. */
  errors: string[]
  /** Reconfiguration decisions, in order (empty without the loop). */
  events: ReconfigureEvent[]
  /** Batches of layer-only load (hotspots) answered and failed. */
  layerLoad: LayerLoadStats
}

/** A coordinator. */
export interface Coordinator {
  /**
   * Finds peers with tiles and connects to them, looking again until `minPeers` (default 1) are connected or
   * `timeoutMs` (default 20 s) passes; resolves to every usable peer found so far.
   */
  discover: (options?: { timeoutMs?: number, minPeers?: number }) => Promise<PeerTarget[]>
  /** The peers found so far. */
  targets: () => PeerTarget[]
  readonly shortTerm: ShortTermMemory
  readonly longTerm: LongTermMemory
  /** Plans, places, programs and runs a job; releases its shards at the end. */
  run: (options: RunJobOptions) => Promise<RunResult>
  /** Detaches from the node (the node itself is the caller's to stop). */
  stop: () => Promise<void>
}

function positiveNumber (value: number, what: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidRunOptionError(`${what} must be a positive number, got ${value}`)
  return value
}

function positiveInt (value: number, what: string): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new InvalidRunOptionError(`${what} must be a positive integer, got ${value}`)
  return value
}

/**
 * Creates a coordinator on a running node.
 *
 * @example
 * ```ts
 * const node = await createTesseraNode({ network: 'local', serve: false, bootstrap: [addr] })
 * const coordinator = createCoordinator({ node })
 * await coordinator.discover()
 * const result = await coordinator.run({ job: jobFromMlp(model), policy: 'tessera', inputs: heldOut.images, labels: heldOut.labels, requests: 512 })
 * console.log(result.metrics.throughputRps, result.metrics.requestsLost)
 * await coordinator.stop(); await node.stop()
 * ```
 */
export function createCoordinator (init: CoordinatorInit): Coordinator {
  const node = init.node
  const now = init.now ?? (() => performance.timeOrigin + performance.now())
  const shortTerm = init.shortTerm ?? createShortTermMemory()
  const longTerm = init.longTerm ?? createLongTermMemory()
  const delays = init.emulatedDelayMs
  const emulatedDelayMs = typeof delays === 'function' ? delays : (peerId: string): number => delays?.[peerId] ?? 0
  const settings = {
    callTimeoutMs: positiveInt(init.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, 'callTimeoutMs'),
    programTimeoutMs: positiveInt(init.programTimeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS, 'programTimeoutMs'),
    callsPerPeer: positiveInt(init.callsPerPeer ?? DEFAULT_CALLS_PER_PEER, 'callsPerPeer'),
    batchDeadlineMs: positiveInt(init.batchDeadlineMs ?? DEFAULT_BATCH_DEADLINE_MS, 'batchDeadlineMs'),
    uploadConcurrency: positiveInt(init.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY, 'uploadConcurrency'),
    uploadProgress: init.uploadProgress ?? noUploadProgress
  }
  const targets = new Map<string, PeerTarget>()
  const tilesTaken = new Map<string, number>()
  let runs = 0

  // Load gossip feeds short-term memory. A client-only node has no metrics service: start one so peers push to it.
  const ownMetrics = node.metrics == null
    ? new MetricsService(node.libp2p, () => ({ queueDepth: 0, inFlight: 0, mvmLatencyP50Ms: 0, tilesFree: 0, tilesTotal: 0, sampledAtMs: Math.floor(Date.now()), windowMs: init.metricsIntervalMs ?? 1000, executesInWindow: 0 }), { intervalMs: init.metricsIntervalMs ?? 1000 })
    : undefined
  const recentBusy = new RecentBusy(RECENT_BUSY_HORIZON_MS)
  const onSample = (evt: Event): void => {
    const { peerId, sample } = (evt as CustomEvent<PeerSample>).detail
    const nowMs = now()
    const target = targets.get(peerId)
    let throughput: number | undefined
    if (target !== undefined && sample.windowMs > 0) {
      // The gossip says how busy the peer's pool was over its last window; what this coordinator itself sent
      // there is known here, and the rest is other users' load. The rate left for us is the advertised one
      // scaled by what the others leave free.
      const busy = Math.min(1, (sample.executesInWindow * sample.mvmLatencyP50Ms) / sample.windowMs)
      const ours = recentBusy.since(peerId, nowMs - sample.windowMs) / sample.windowMs
      const others = Math.min(MAX_OTHERS_UTILISATION, Math.max(0, busy - ours))
      recentBusy.setOthers(peerId, others)
      // Each call of ours reports the device speed it saw (scaled by this share; see shard-calls.ts). A peer we
      // have not called lately gets what long-term memory remembers of its speed, else the record's advertised
      // figure (2 FLOPs per MAC).
      if (recentBusy.macsPerSecond(peerId, nowMs - RECENT_SPEED_WINDOW_MS) === undefined) {
        throughput = (longTerm.stats(peerId, nowMs)?.throughput ?? (target.record.throughputGflopPerSecond * 1e9) / 2) * (1 - others)
      }
    }
    shortTerm.observe(peerId, { queueDepth: sample.queueDepth, inFlight: sample.inFlight, ...(throughput !== undefined && throughput > 0 ? { throughput } : {}) }, nowMs)
  }
  const metricsStarted = ownMetrics?.start().then(() => { ownMetrics.addEventListener('sample', onSample) })
  if (ownMetrics == null) node.metrics?.addEventListener('sample', onSample)

  return {
    shortTerm,
    longTerm,
    targets: () => [...targets.values()],
    async discover (options = {}) {
      await metricsStarted
      const minPeers = options.minPeers ?? 1
      const deadline = now() + (options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS)
      let records = 0
      // Records appear as peers publish them: look again until enough peers answer or time runs out.
      for (;;) {
        const left = deadline - now()
        const found = await node.discoverPeers({ timeoutMs: Math.max(1, Math.min(DISCOVERY_ROUND_MS, left)) }).catch(() => [])
        records = Math.max(records, found.length)
        const fresh = found.map((f) => f.record).filter((r) => r.tilesTotal > 0 && r.leaving !== true && !targets.has(r.peerId))
        const connected = await Promise.allSettled(fresh.map(async (record) => await connectPeer(node.libp2p, record)))
        for (const c of connected) {
          if (c.status === 'fulfilled') {
            targets.set(c.value.peerId, c.value)
            longTerm.observe(c.value.peerId, { up: true }, now())
          }
        }
        if (targets.size >= minPeers || now() >= deadline) break
        await new Promise((resolve) => setTimeout(resolve, DISCOVERY_RETRY_MS))
      }
      if (targets.size === 0) throw new NoPeersError(`discovery found ${records} record(s), none of a reachable peer with tiles`)
      return [...targets.values()].sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
    },
    async run (options) {
      validateJob(options.job)
      if (targets.size === 0) throw new NoPeersError('call discover() before run()')
      let requests = positiveInt(options.requests, 'requests')
      const batchSize = positiveInt(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize')
      const batchesInFlight = positiveInt(options.batchesInFlight ?? DEFAULT_BATCHES_IN_FLIGHT, 'batchesInFlight')
      const inputsPerVector = options.job.layers[0].inputs
      if (options.inputs.length === 0 || options.inputs.length % inputsPerVector !== 0) {
        throw new InvalidRunOptionError(`inputs hold ${options.inputs.length} values, not a whole number of ${inputsPerVector}-vectors`)
      }
      const count = options.inputs.length / inputsPerVector
      if (options.labels !== undefined && options.labels.length !== count) throw new InvalidRunOptionError(`${options.labels.length} labels for ${count} inputs`)
      const policy = typeof options.policy === 'string' ? createPolicy(options.policy) : options.policy
      const seed = String(options.seed ?? 'tessera')
      const runId = options.runId ?? `${seed}/${policy.name}/${runs++}`
      const recorder = new RunRecorder()
      const ctx = new RunContext({
        libp2p: node.libp2p,
        policy,
        rng: createRng(`${seed}/${policy.name}/placement`),
        settings: { ...settings, runId, seed },
        recorder,
        shortTerm,
        longTerm,
        now,
        emulatedDelayMs,
        recentBusy,
        targets: new Map(targets),
        tilesTaken,
        discover: async () => {
          const found = await node.discoverPeers({ timeoutMs: DISCOVERY_ROUND_MS }).catch(() => [])
          for (const { record } of found) {
            // A peer publishing that it leaves: its copies are re-placed now, before it goes, and it takes no more.
            if (record.leaving !== true || !targets.has(record.peerId)) continue
            targets.delete(record.peerId)
            ctx.markDead(record.peerId, 'leaving')
          }
          const fresh = found.map((f) => f.record).filter((r) => r.tilesTotal > 0 && r.leaving !== true && !targets.has(r.peerId))
          const connected = await Promise.allSettled(fresh.map(async (record) => await connectPeer(node.libp2p, record)))
          const added: PeerTarget[] = []
          for (const c of connected) {
            if (c.status !== 'fulfilled') continue
            targets.set(c.value.peerId, c.value)
            longTerm.observe(c.value.peerId, { up: true }, now())
            added.push(c.value)
          }
          return added
        }
      })
      // A peer found earlier may have left: one that is not connected and does not answer a dial sits this run out.
      await Promise.all([...targets.keys()].map(async (peerId) => {
        if (node.libp2p.getConnections(peerIdFromString(peerId)).length === 0) await ctx.recoverOrMarkDead(peerId)
      }))
      const views = ctx.views()
      const plan = planJob(options.job, views, policy.name, { batch: batchSize })
      const replicas = positiveInt(options.replicas ?? 1, 'replicas')
      const shards = plan.shards.map((s) => ({ ...s, replicas }))
      const placement = policy.place({ shards, peers: plan.candidates, nowMs: now(), rng: ctx.rng })
      if (placement.unplaced.length > 0) {
        const first = placement.unplaced[0]
        throw new PlacementFailedError(`${policy.name} left ${placement.unplaced.length} shard(s) unplaced, e.g. ${first}: ${placement.reasons.get(first) ?? 'no reason given'}`)
      }
      for (const spec of shards) {
        const w = plan.weights.get(spec.id)
        if (w === undefined) throw new PlacementFailedError(`no weights for shard ${spec.id}`)
        ctx.shards.set(spec.id, newShardState({ spec, blocks: plan.blocks.get(spec.id) ?? [], rows: w.rows, cols: w.cols, weights: w.values }))
      }
      const classes = options.job.layers[options.job.layers.length - 1].outputs
      const answers = new Uint8Array(requests)
      const predictions = new Uint8Array(requests)
      const logits = new Float32Array(requests * classes)
      const errors: string[] = []
      const layerLoads: LayerLoad[] = []
      const layerLoad: LayerLoadStats = { batches: 0, failed: 0 }
      const timers: Array<ReturnType<typeof setTimeout>> = []
      const applying: Array<Promise<void>> = []
      let loop: ReconfigureLoop | undefined
      let answered = 0
      let started = requests
      let placed: Record<string, string[]> = {}
      const reconfigure = options.reconfigure ?? policy.name === 'tessera'
      try {
        await programPlacement(ctx, placement.assignments)
        placed = Object.fromEntries([...ctx.shards.values()].map((s) => [s.spec.id, [...s.holders]]))
        options.onPlaced?.(placed)
        recorder.startMs = now()
        if (reconfigure !== false) {
          const o = reconfigure === true ? {} : reconfigure
          loop = startReconfigureLoop(ctx, {
            reconfigurer: createReconfigurer({
              cooldownMs: RECONFIGURE_COORDINATOR_COOLDOWN_MS,
              overloadSettleMs: RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS,
              drainTimeoutMs: RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS,
              programTimeoutMs: settings.programTimeoutMs,
              maxConcurrentMigrations: RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS,
              ...o.config
            }),
            intervalMs: positiveInt(o.intervalMs ?? RECONFIGURE_INTERVAL_MS, 'reconfigure.intervalMs'),
            discoverEveryMs: positiveInt(o.discoverEveryMs ?? RECONFIGURE_DISCOVERY_INTERVAL_MS, 'reconfigure.discoverEveryMs'),
            loadWindowMs: positiveInt(o.loadWindowMs ?? RECONFIGURE_LOAD_WINDOW_MS, 'reconfigure.loadWindowMs'),
            demandMemoryMs: positiveInt(o.demandMemoryMs ?? RECONFIGURE_DEMAND_MEMORY_MS, 'reconfigure.demandMemoryMs'),
            seed: `${seed}/${policy.name}`,
            ...(options.onReconfigureEvent !== undefined ? { onEvent: options.onReconfigureEvent } : {})
          })
        }
        const control: RunControl = {
          loadLayer: (layerId, lanes, arrivalRps) => {
            layerLoads.push(startLayerLoad(ctx, { job: options.job, layerId, lanes, batchSize, inputs: options.inputs, seed, ...(arrivalRps !== undefined ? { arrivalRps } : {}) }))
          },
          callsServed: () => {
            const served = new Map<string, number>()
            for (const c of recorder.calls) if (c.ok) served.set(c.peerId, (served.get(c.peerId) ?? 0) + 1)
            return served
          }
        }
        for (const entry of options.timeline ?? []) {
          timers.push(setTimeout(() => {
            applying.push((async () => { await entry.apply(control) })().catch((err) => { errors.push(`timeline: ${entry.label} failed: ${(err as Error)?.message ?? String(err)}`) }))
          }, Math.max(0, entry.atMs)))
        }
        // Closed loop: no batch starts after the duration. Open loop: the requests that arrive within the duration
        // are the run's, each served however late (a backlog is the run's to work off, not a loss).
        const openLoop = options.arrivalRps !== undefined
        const stopAt = options.durationMs === undefined || openLoop ? undefined : AbortSignal.timeout(positiveInt(options.durationMs, 'durationMs'))
        if (openLoop && options.durationMs !== undefined) {
          requests = Math.max(1, Math.min(requests, Math.floor((positiveNumber(options.arrivalRps as number, 'arrivalRps') * positiveInt(options.durationMs, 'durationMs')) / 1000)))
        }
        const outcome = await runPipeline(ctx, {
          job: options.job,
          inputs: options.inputs,
          requests,
          batchSize,
          batchesInFlight,
          ...(stopAt !== undefined ? { signal: stopAt } : {}),
          ...(options.arrivalRps !== undefined ? { arrivalRps: positiveNumber(options.arrivalRps, 'arrivalRps') } : {}),
          onAnswer: (first, n, out) => {
            for (let s = 0; s < n; s++) {
              const id = first + s
              answers[id] = Math.min(255, answers[id] + 1)
              if (answers[id] > 1) continue
              let best = 0
              for (let k = 1; k < classes; k++) if (out[s * classes + k] > out[s * classes + best]) best = k
              predictions[id] = best
              logits.set(out.subarray(s * classes, (s + 1) * classes), id * classes)
            }
            answered += n
            recorder.answered(n, now())
            options.onProgress?.(answered, requests)
          },
          onBatchFailed: (first, n, err) => { errors.push(`requests ${first}…${first + n - 1}: ${(err as Error)?.message ?? String(err)}`) }
        })
        started = outcome.started
        recorder.endMs = now()
      } finally {
        for (const t of timers) clearTimeout(t)
        for (const stats of await Promise.all(layerLoads.map(async (l) => await l.stop()))) {
          layerLoad.batches += stats.batches
          layerLoad.failed += stats.failed
        }
        await Promise.all(applying)
        await loop?.stop()
        errors.push(...(loop?.errors ?? []))
        if (!Number.isFinite(recorder.startMs)) recorder.startMs = now()
        if (!Number.isFinite(recorder.endMs)) recorder.endMs = now()
        await releaseAll(ctx)
      }
      // A run that stopped on time answers for the requests it started.
      const labels = options.labels === undefined ? undefined : Uint8Array.from({ length: started }, (_, i) => options.labels![i % count])
      const metrics = computeRunMetrics(recorder, { answers: answers.subarray(0, started), predictions: predictions.subarray(0, started), labels })
      return {
        policy: policy.name,
        planDescription: plan.description,
        metrics,
        answers: answers.slice(0, started),
        predictions: predictions.slice(0, started),
        logits: logits.slice(0, started * classes),
        placement: placed,
        peers: views,
        recorder,
        errors,
        events: loop?.events ?? [],
        layerLoad
      }
    },
    async stop () {
      await metricsStarted
      ownMetrics?.removeEventListener('sample', onSample)
      node.metrics?.removeEventListener('sample', onSample)
      await ownMetrics?.stop()
    }
  }
}
