/** Defaults of the coordinator. Units are in the names. */

/** Model requests (images) per batch: every shard call carries one batch of input slices. */
export const DEFAULT_BATCH_SIZE = 32

/** Batches in flight at once (the request pipeline's window). */
export const DEFAULT_BATCHES_IN_FLIGHT = 4

/**
 * Shard calls outstanding per peer at once. The shard service answers BUSY past `MAX_IN_FLIGHT_PER_PEER` (8)
 * streams per peer, so the coordinator queues locally below that.
 */
export const DEFAULT_CALLS_PER_PEER = 6

/** Shard calls outstanding at once on a relayed connection. */
export const RELAYED_CALLS_PER_PEER = 2

/** A shard call with no reply after this long counts as failed (the peer is suspected, the call retried). */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000

/** Timeout of one shard upload. */
export const DEFAULT_PROGRAM_TIMEOUT_MS = 60_000

/** Attempts per shard call (first try, retries on replicas, retries after a re-placement) before the run fails. */
export const DEFAULT_MAX_ATTEMPTS = 6

/** Wait before retrying a call the peer refused as BUSY. */
export const BUSY_RETRY_DELAY_MS = 5

/** Timeout of one ping when the coordinator measures RTTs. */
export const DEFAULT_PING_TIMEOUT_MS = 3_000

/** Pings per peer when measuring RTT (the median is kept). */
export const DEFAULT_PINGS_PER_PEER = 3

/** Timeout of discovery (findProviders + capacity records). */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 20_000

/** Bound on one discovery round (findProviders + record reads) while waiting for peers. */
export const DISCOVERY_ROUND_MS = 5_000

/** Pause between discovery rounds while waiting for more peers. */
export const DISCOVERY_RETRY_MS = 250

/** Shard uploads in flight at once while programming a placement. */
export const DEFAULT_UPLOAD_CONCURRENCY = 4

/**
 * Placement of a re-placed shard: peers are scored as if this many requests were still to come, so the upload
 * cost does not dominate the choice of a replacement.
 */
export const REPLACEMENT_AMORTISATION_REQUESTS = 100

/** Step of the throughput time series of a run report, ms. */
export const THROUGHPUT_BUCKET_MS = 250

/** Trailing window each throughput point averages over, ms (several batches: answers arrive a batch at a time). */
export const THROUGHPUT_WINDOW_MS = 2000

/** How long the coordinator remembers the device time of its own calls per peer (longer than a gossip window). */
export const RECENT_BUSY_HORIZON_MS = 30_000

/** Cap on the share of a peer's pool other users are taken to occupy, so its available rate never reaches 0. */
export const MAX_OTHERS_UTILISATION = 0.95

/** Timeout of the re-dial that decides whether a peer whose call failed is still there. */
export const REDIAL_TIMEOUT_MS = 3_000
