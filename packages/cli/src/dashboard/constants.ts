/**
 * Defaults of the dashboard. Units are in the names.
 */

/** Address the dashboard listens on unless told otherwise: this machine only. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1'

/** Periods and timeouts of the network watcher (the first five are defaults of its init), ms. */
export const NETWORK_WATCH_MS = Object.freeze({
  /** Time between discovery rounds (records re-read, unreachable peers dialled again). */
  discoverEvery: 3_000,
  /** Time between discovery rounds that read every peer's record again (a third of a node's default refresh period). */
  rereadEvery: 20_000,
  /** Bound on one discovery round. */
  discoveryTimeout: 10_000,
  /** Timeout of a dial to a peer found in a record. */
  dialTimeout: 5_000,
  /** Timeout of the re-dial after a peer's connection closed (a stopped peer refuses at once). */
  redialTimeout: 3_000,
  /** Timeout of the ping that measures a peer's round trip. */
  pingTimeout: 2_000,
  /** Push period of the metrics service the watcher starts on a node that has none (peers then push load to it). */
  metricsInterval: 1_000
})

/** How often a running job's state is read. */
export const DASHBOARD_RUN_POLL_MS = 500
/** The throughput and latency series of a job. */
export const DASHBOARD_SERIES = Object.freeze({
  /** One point per this, ms. */
  bucketMs: 1_000,
  /** Throughput points average over this trailing window, ms. */
  throughputWindowMs: 3_000,
  /** Points kept per series (the newest: ten minutes at one per second). */
  maxPoints: 600
})
/** Batch failures listed per job (the newest). */
export const DASHBOARD_MAX_JOB_ERRORS = 20

/** Timing of the server-sent event stream, ms. */
export const SSE_MS = Object.freeze({
  /** Shortest time between two state events to one browser (changes in between are sent together). */
  minInterval: 250,
  /** A comment line this often keeps idle proxies and the browser from dropping the event stream. */
  heartbeat: 15_000,
  /** What the page's EventSource waits before reconnecting after the stream broke. */
  retry: 1_000
})
