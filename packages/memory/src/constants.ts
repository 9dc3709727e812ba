/**
 * Defaults and limits of the memory layer. Units are in the names.
 */

/** kad-dht chooses validators and selectors by a key's first segment: `/tessera/...`. */
export const DHT_NAMESPACE = 'tessera'

/** Capacity records live under `/tessera/cap/<peerId>`. */
export const CAPACITY_RECORD_KEY_PREFIX = `/${DHT_NAMESPACE}/cap/`

/** Default lifetime of a capacity record: twice the refresh interval, as Petals does. */
export const DEFAULT_CAPACITY_RECORD_TTL_MS = 120_000

/** Default interval between re-publications of a node's capacity record. */
export const DEFAULT_CAPACITY_RECORD_REFRESH_INTERVAL_MS = 60_000

/**
 * Farthest ahead of the validator's clock a record may expire. Without a cap a peer could mint a record that
 * never expires and replay it forever.
 */
export const MAX_CAPACITY_RECORD_LIFETIME_MS = 10 * 60_000

/** Clock difference between publisher and validator tolerated on top of the lifetime cap. */
export const CLOCK_SKEW_TOLERANCE_MS = 30_000

/** Largest signed capacity record accepted (envelope bytes). */
export const MAX_CAPACITY_RECORD_SIZE_BYTES = 8192

/** Most addresses one record may list. */
export const MAX_RECORD_ADDRESSES = 32

/** Longest address in a record (UTF-8 bytes). */
export const MAX_RECORD_ADDRESS_LENGTH_BYTES = 512

/** Longest device preset name in a record (UTF-8 bytes). */
export const MAX_RECORD_PRESET_LENGTH_BYTES = 64

/**
 * Prefix of the signed bytes (domain separation): a signature over a capacity record can never be passed off
 * as a signature over another kind of message that happens to share the encoding.
 */
export const CAPACITY_RECORD_SIGNATURE_DOMAIN = 'tessera/capacity-record/v1'

/** The string whose SHA-256 (CID v1, raw codec) every tessera node provides for discovery. */
export const CAPABILITY_NAME = 'tessera/capability/v1'

// Short-term memory: what a coordinator needs to route the next request, so a minute of history is plenty.

/** Length of a short-term sliding window. */
export const SHORT_TERM_WINDOW_MS = 60_000
/** Samples kept per metric per peer (a ring buffer; the oldest sample goes first when it is full). */
export const SHORT_TERM_SAMPLES_PER_WINDOW = 128
/** Peers tracked in short-term memory; the least recently observed peer is forgotten first. */
export const SHORT_TERM_MAX_PEERS = 1024
/** Smoothing factor of the short-term EMA per sample (Petals' ping aggregator uses 0.2). */
export const SHORT_TERM_EMA_ALPHA = 0.2

// Long-term memory: trends over hours to days, persisted in the node's datastore.

/** Width of one long-term time bucket. */
export const LONG_TERM_BUCKET_MS = 3_600_000
/** Buckets kept per peer (72 one-hour buckets = three days). */
export const LONG_TERM_MAX_BUCKETS = 72
/** Peers kept in long-term memory; the least recently seen peer is dropped first. */
export const LONG_TERM_MAX_PEERS = 1024
/** A peer not seen for this long is dropped (seven days). */
export const LONG_TERM_MAX_AGE_MS = 7 * 24 * 3_600_000
/** Half-life of the exponential decay that weights old buckets in the long-term averages (one day). */
export const LONG_TERM_HALF_LIFE_MS = 24 * 3_600_000
/** Buckets (most recent) that the trend regression looks at. */
export const LONG_TERM_TREND_BUCKETS = 24
/** Fewest non-empty buckets before a trend other than `stable` can be reported. */
export const LONG_TERM_TREND_MIN_BUCKETS = 6
/** |t| of the regression slope needed for a trend to count (about p < 0.01 two-sided for n ≥ 6). */
export const LONG_TERM_TREND_T_THRESHOLD = 3
/** Smallest relative change over the fitted span (slope × span ÷ mean level) that counts as a trend. */
export const LONG_TERM_TREND_MIN_RELATIVE_CHANGE = 0.1
/** Failure rate assumed for a peer with no history. */
export const LONG_TERM_PRIOR_FAILURE_RATE = 0.05
/** Availability assumed for a peer with no history. */
export const LONG_TERM_PRIOR_AVAILABILITY = 0.95
/** Weight of both priors, in pseudo-observations. */
export const LONG_TERM_PRIOR_WEIGHT = 10
/** Datastore key prefix of long-term memory entries (one entry per peer). */
export const LONG_TERM_KEY_PREFIX = '/tessera/memory/long-term'
/** Encoding version of a long-term memory entry (2 adds the reputation sums; version 1 entries still load). */
export const LONG_TERM_RECORD_VERSION = 2
/**
 * Reputation: weight of one failed verification check (decayed) in the check trust 1 / (1 + w · failed). An honest
 * device fails a check with probability 2e−9 (docs/verification.md), so one failure is strong evidence: 1 → 0.01.
 */
export const REPUTATION_FAILED_CHECK_WEIGHT = 99
/** Reputation: throughput samples (calls) needed before observed speed is held against the claim. */
export const REPUTATION_MIN_SPEED_SAMPLES = 20
