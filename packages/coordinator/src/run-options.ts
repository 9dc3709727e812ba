/** What a caller asks of one run: the job, the policy, the requests and what happens during the run. */
import type { PlacementPolicy, ReconfigureEvent, ReconfigureInit } from '@tessera/scheduler'
import type { ModelJob } from './job.js'
import type { LiveRun } from './live-run.js'

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
  /** Stops starting batches when it aborts (those in flight are answered); the run then ends as after its duration. */
  signal?: AbortSignal
  /**
   * Open loop: requests arrive at this rate, requests/s, and `batchesInFlight` caps the batches running at once
   * (default: closed loop, `batchesInFlight` batches always in flight).
   */
  arrivalRps?: number
  /** Happenings at set times after the first batch (a scenario's slowdowns, departures, joins, hotspots). */
  timeline?: readonly TimelineEntry[]
  /** Called once the run is planned and placed, before programming, with a live view of it (see `live-run.ts`). */
  onLiveRun?: (run: LiveRun) => void
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
