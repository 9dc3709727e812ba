/**
 * What the dashboard shows, as plain data: the document `/api/state` returns and every server-sent `state` event
 * carries. Times are ms since the Unix epoch unless a name says otherwise.
 */

/**
 * A peer's state as the dashboard sees it:
 * - `joining`: its capacity record was seen, no connection yet;
 * - `serving`: connected, with a valid record;
 * - `draining`: connected, and every copy of the running job it holds is being moved off it;
 * - `unreachable`: its record is valid but it cannot be dialled;
 * - `gone`: its record expired, or its connection closed and a re-dial failed (or the run gave up on it);
 * - `flagged`: a run's result verification flagged it (a failed check, too many errors, an over-claimed speed).
 */
export type DashboardPeerState = 'joining' | 'serving' | 'draining' | 'unreachable' | 'gone' | 'flagged'

/** Every peer state, in the order the page's legend lists them. */
export const PEER_STATES: readonly DashboardPeerState[] = ['joining', 'serving', 'draining', 'unreachable', 'gone', 'flagged']

/**
 * How this dashboard's node reaches a peer (the coordinator's node in `run`, `demo` and `sim`, so the path its
 * calls take): `hole-punched` is a direct connection opened by tessera's TCP hole punch, `relayed` goes through
 * the circuit relay `relay`, `none` while there is no connection.
 */
export interface DashboardPath {
  kind: 'direct' | 'hole-punched' | 'relayed' | 'none'
  /** Peer id of the relay (relayed only). */
  relay?: string
}

/** Short-term load of a peer, from the latest sample it gossiped over `/tessera/metrics/1.0.0`. */
export interface DashboardLoad {
  /** Share of the last gossip window its tile pool was busy (executes × median MVM time ÷ window), 0 … 1. */
  busy: number
  queueDepth: number
  inFlight: number
  /** When the sample arrived. */
  atMs: number
}

/** One peer. */
export interface DashboardPeer {
  peerId: string
  /** The scenario's node name (demo and sim), else null. */
  name: string | null
  state: DashboardPeerState
  /** Why it is in that state, in words. */
  stateReason: string
  stateSinceMs: number
  /** From its capacity record (null before a record was read). */
  device: { preset: string, rows: number, cols: number, noiseLevel: number } | null
  tilesTotal: number
  /** Tiles in use: from the latest gossip sample when there is one, else from the record. */
  tilesUsed: number
  tilesSource: 'gossip' | 'record'
  /** Advertised throughput, GFLOP/s (record). */
  throughputGflops: number
  load: DashboardLoad | null
  reachability: 'public' | 'private' | 'unknown'
  natKind: 'none' | 'cone' | 'symmetric' | 'unknown'
  path: DashboardPath
  /** Fastest recent ping, ms (null until one answered). */
  rttMs: number | null
  recordSequence: number
  recordExpiresAtMs: number
  addresses: string[]
  /** Copies of the running job's shards it holds (active + programming + draining). */
  copies: number
  /** Successful shard calls it answered in the current run. */
  callsServed: number
}

/** Copies of one shard: which peer holds which kind. */
export interface DashboardShard {
  shardId: string
  active: string[]
  programming: string[]
  draining: string[]
}

/** Over time, one point per bucket since the run's first batch. */
export interface DashboardSeries {
  tSeconds: number[]
  /** Requests answered per second (trailing window). */
  throughputRps: number[]
  /** Shard-call round trip quantiles of the calls that ended in each bucket (null: none ended). */
  latencyP50Ms: Array<number | null>
  latencyP95Ms: Array<number | null>
}

/** The paper's metrics as they stand (see packages/coordinator/src/metrics.ts for the definitions). */
export interface DashboardMetrics {
  throughputRps: number
  latencyP50Ms: number | null
  latencyP95Ms: number | null
  memoryUtilisation: number
  resourceUtilisation: number
  /** Known when the run has ended (null before). */
  accuracy: number | null
  answered: number
  requestsLost: number
  shardCalls: number
  failedCalls: number
  replacements: number
}

/** The job of the current (or last) run. */
export interface DashboardJob {
  runId: string
  policy: string
  plan: string
  /** `placing` until the first batch, `streaming`, then `done`. */
  phase: 'placing' | 'streaming' | 'done'
  requests: number
  startedAtMs: number | null
  endedAtMs: number | null
  metrics: DashboardMetrics | null
  placement: DashboardShard[]
  series: DashboardSeries
  errors: string[]
}

/** A finished run (the demo runs one per policy). */
export interface DashboardRunSummary {
  runId: string
  policy: string
  metrics: DashboardMetrics
  durationMs: number
}

/** One decision of the reconfiguration loop. */
export interface DashboardDecision {
  runId: string
  /** The policy of that run. */
  policy: string
  atMs: number
  /** Seconds since the run's first batch (null when the decision came before it). */
  tSeconds: number | null
  type: 'migrate' | 'replicate' | 'replace' | 'evict' | 'admit'
  shardId: string | null
  from: string | null
  to: string | null
  reason: string
  /** Expected call time before ÷ after (> 1 is faster); null where none applies. */
  predictedGain: number | null
}

/** Something a person should know: a bootstrap that does not answer, a peer that left, a batch that failed. */
export interface DashboardNotice {
  atMs: number
  level: 'info' | 'warning' | 'error'
  text: string
}

/** The whole document. */
export interface DashboardState {
  title: string
  /** What feeds the page: `watch` (`tessera dashboard`), or the command whose run it shows. */
  mode: 'watch' | 'run' | 'demo' | 'sim'
  /** Peer id of the node the dashboard looks through (null before it has one). */
  self: string | null
  /** Whether that node has a connection to the network. */
  connected: boolean
  /** Set when the command has finished: the page then shows the last state. */
  ended: boolean
  updatedAtMs: number
  peers: DashboardPeer[]
  job: DashboardJob | null
  runs: DashboardRunSummary[]
  decisions: DashboardDecision[]
  notices: DashboardNotice[]
  /** Where the figures come from (shown in the page's footer). */
  sources: string[]
}
