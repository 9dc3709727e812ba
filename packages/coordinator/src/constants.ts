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

/**
 * Shard calls outstanding at once on a relayed connection: fewer than on a direct one, since the relay carries every
 * relayed stream, but enough to hide the path's round trip. Each call holds its slot for the round trip as well as
 * the compute, so a peer 15–30 ms away one way (nat-heavy scenario) with 40–90 ms calls needs two calls in flight
 * just to stay busy; with 2 slots its device idled (busy 0.45–0.58 on the scenario's fastest, relayed peers, their
 * calls waiting 110–320 ms for a slot), with 4 it reached 0.6–0.9. Measured on that scenario: 4 and 6 calls at once
 * through the relay ran without a failed call (a js-libp2p relay with its default 128 KiB per-connection limit
 * once dropped a connection carrying 6 concurrent shard streams; tessera relays allow 1 GiB, peer/constants.ts).
 * Routing and replication read the figure (PeerView.callSlots, scheduler call-depth.ts).
 */
export const RELAYED_CALLS_PER_PEER = 4

/**
 * Shortest timeout of a shard call: the adaptive timeout never goes below it. A call with no reply in time makes its
 * peer suspect (backed off, the call retried), not dead.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000

/** Timeout of one shard upload. */
export const DEFAULT_PROGRAM_TIMEOUT_MS = 60_000

/**
 * How long a batch may keep retrying its shard calls (on slow peers, replicas, re-placements, while waiting for a
 * peer to take a shard) before its requests count as lost.
 */
export const DEFAULT_BATCH_DEADLINE_MS = 60_000

/** Cap of the adaptive per-call timeout (it grows with observed round trips and with consecutive timeouts). */
export const MAX_CALL_TIMEOUT_MS = 60_000

/** A call may take this many times the peer's observed p95 round trip before it times out. */
export const CALL_TIMEOUT_P95_FACTOR = 4

/** Round trips kept per peer for the p95 behind the adaptive call timeout. */
export const ROUND_TRIP_SAMPLES = 64

/** First back-off after a peer timed out or failed while still connected (doubles per consecutive failure). */
export const SUSPECT_BACKOFF_MS = 100

/** Longest back-off of a suspect peer. */
export const MAX_SUSPECT_BACKOFF_MS = 5_000

/** First wait when no live peer can take a shard (doubles per consecutive wait, peers are looked for again). */
export const NO_PEER_RETRY_MS = 250

/** Longest wait between two looks for a peer that can take a shard. */
export const MAX_NO_PEER_RETRY_MS = 2_000

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

/**
 * Candidate peers a coordinator's discovery looks for (more when `discover({ minPeers })` asks for more): below
 * this many peers in the network it finds them all, above it its DHT work stops growing with the network.
 */
export const DISCOVERY_WANTED_PEERS = 64

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
/**
 * A peer's device speed now is measured over its calls of this window, ms: long enough to hold several calls,
 * short enough that a host that slowed down shows it within a few seconds.
 */
export const RECENT_SPEED_WINDOW_MS = 3000

/** Cap on the share of a peer's pool other users are taken to occupy, so its available rate never reaches 0. */
export const MAX_OTHERS_UTILISATION = 0.95

/** Push period of the coordinator's own metrics service when its node has none (a client-only node), ms. */
export const COORDINATOR_METRICS_INTERVAL_MS = 1000

/** Timeout of the re-dial that decides whether a peer whose call failed is still there. */
export const REDIAL_TIMEOUT_MS = 3_000

/** Time between two steps of the reconfiguration loop, ms (recovery ≈ a few steps plus an upload). */
export const RECONFIGURE_INTERVAL_MS = 500

/** Time between two discovery rounds of the reconfiguration loop (peers that joined), ms. */
export const RECONFIGURE_DISCOVERY_INTERVAL_MS = 3000

/** Trailing window the reconfiguration loop measures per-shard call rates over, ms. */
export const RECONFIGURE_LOAD_WINDOW_MS = 2000

/**
 * Per-shard quiet time after a move, for the coordinator's loop, ms. Shorter than the core's default (Petals-like
 * minutes): hysteresis over consecutive checks already keeps placements from flapping, and a live network must
 * be able to move a shard that was replicated a few seconds before off a host that then slowed down.
 */
export const RECONFIGURE_COORDINATOR_COOLDOWN_MS = 10_000

/** After a copy left an overloaded peer, the next may leave it this much later, ms (a few gossip periods). */
export const RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS = 5_000

/** A draining copy is released at the latest this long after it stopped taking calls, ms. */
export const RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS = 15_000

/**
 * Migrations plus replications in progress at once, for the coordinator's loop: shards are one tile each
 * (tens to hundreds of KiB), so uploads are short and a slowed host holding several should empty in a few steps.
 */
export const RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS = 4


/**
 * The reconfiguration loop remembers each shard's call rate with this time constant, ms: a stall (a departed
 * peer, a re-placement) lowers the calls measured but not what the shard will be asked for once it is over, so
 * re-placements stay load-aware and replicas are not evicted in a dip.
 */
export const RECONFIGURE_DEMAND_MEMORY_MS = 10_000

/** How often a call waiting for the reconfiguration loop to restore a lost copy looks again, ms. */
export const RECONFIGURE_RESTORE_POLL_MS = 10

/** After a failed call on an open connection, a ping over it within this long shows the peer is there, ms. */
export const DEPARTURE_PING_TIMEOUT_MS = 1000

/** How long the end of a run waits for a peer marked dead to release the copies given up on it, ms. */
export const ABANDONED_RELEASE_TIMEOUT_MS = 2000

/**
 * Longest pause between two keep-alives of a run's copies, ms; a peer's shorter lease shortens it to a third of
 * the lease (lease-renewal.ts). Peers lease programmed shards for 5 minutes by default.
 */
export const LEASE_RENEW_INTERVAL_MS = 30_000
