/**
 * Defaults of the dashboard. Units are in the names.
 */

/** Address the dashboard listens on unless told otherwise: this machine only. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1'

/** Time between discovery rounds of the network watcher (records re-read, unreachable peers dialled again). */
export const DASHBOARD_DISCOVER_EVERY_MS = 3_000
/** Time between discovery rounds that read every peer's record again (a third of a node's default refresh period). */
export const DASHBOARD_RECORD_REREAD_MS = 20_000
/** Bound on one discovery round. */
export const DASHBOARD_DISCOVERY_TIMEOUT_MS = 10_000
/** Timeout of a dial to a peer found in a record. */
export const DASHBOARD_DIAL_TIMEOUT_MS = 5_000
/** Timeout of the re-dial after a peer's connection closed (a stopped peer refuses at once). */
export const DASHBOARD_REDIAL_TIMEOUT_MS = 3_000
/** Timeout of the ping that measures a peer's round trip. */
export const DASHBOARD_PING_TIMEOUT_MS = 2_000
/** Push period of the metrics service the dashboard starts on a node that has none (peers then push load to it). */
export const DASHBOARD_METRICS_INTERVAL_MS = 1_000

/** How often a running job's state is read. */
export const DASHBOARD_RUN_POLL_MS = 500
/** One point of the throughput and latency series per this. */
export const DASHBOARD_SERIES_BUCKET_MS = 1_000
/** Throughput points average over this trailing window. */
export const DASHBOARD_THROUGHPUT_WINDOW_MS = 3_000
/** Points kept per series (the newest: ten minutes at one per second). */
export const DASHBOARD_MAX_SERIES_POINTS = 600
/** Batch failures listed per job (the newest). */
export const DASHBOARD_MAX_JOB_ERRORS = 20

/** Shortest time between two state events to one browser (changes in between are sent together). */
export const SSE_MIN_INTERVAL_MS = 250
/** A comment line this often keeps idle proxies and the browser from dropping the event stream. */
export const SSE_HEARTBEAT_MS = 15_000
/** What the page's EventSource waits before reconnecting after the stream broke, ms. */
export const SSE_RETRY_MS = 1_000
