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

/** Bounds on the variable-length fields of a capacity record. */
export const RECORD_FIELD_LIMITS = Object.freeze({
  /** Most addresses one record may list. */
  addresses: 32,
  /** Longest address (UTF-8 bytes). */
  addressLengthBytes: 512,
  /** Longest device preset name (UTF-8 bytes). */
  presetLengthBytes: 64
})

/**
 * Prefix of the signed bytes (domain separation): a signature over a capacity record can never be passed off
 * as a signature over another kind of message that happens to share the encoding.
 */
export const CAPACITY_RECORD_SIGNATURE_DOMAIN = 'tessera/capacity-record/v1'

/** The string whose SHA-256 (CID v1, raw codec) every tessera node provides for discovery. */
export const CAPABILITY_NAME = 'tessera/capability/v1'

// Short-term memory: what a coordinator needs to route the next request, so a minute of history is plenty.

/** Defaults of `createShortTermMemory`, by the name of the option each is the default of. */
export const SHORT_TERM_DEFAULTS = Object.freeze({
  /** Length of a short-term sliding window, ms. */
  windowMs: 60_000,
  /** Samples kept per metric per peer (a ring buffer; the oldest sample goes first when it is full). */
  samplesPerWindow: 128,
  /** Peers tracked in short-term memory; the least recently observed peer is forgotten first. */
  maxPeers: 1024,
  /** Smoothing factor of the short-term EMA per sample (Petals' ping aggregator uses 0.2). */
  emaAlpha: 0.2
})

// Long-term memory: trends over hours to days, persisted in the node's datastore.

/** Defaults of `createLongTermMemory`, by the name of the option each is the default of. */
export const LONG_TERM_DEFAULTS = Object.freeze({
  /** Datastore key prefix of long-term memory entries (one entry per peer). */
  keyPrefix: '/tessera/memory/long-term',
  /** Width of one long-term time bucket, ms. */
  bucketMs: 3_600_000,
  /** Buckets kept per peer (72 one-hour buckets = three days). */
  maxBuckets: 72,
  /** Peers kept in long-term memory; the least recently seen peer is dropped first. */
  maxPeers: 1024,
  /** A peer not seen for this long is dropped (seven days), ms. */
  maxAgeMs: 7 * 24 * 3_600_000,
  /** Half-life of the exponential decay that weights old buckets in the long-term averages (one day), ms. */
  halfLifeMs: 24 * 3_600_000,
  /** Buckets (most recent) that the trend regression looks at. */
  trendBuckets: 24,
  /** Fewest non-empty buckets before a trend other than `stable` can be reported. */
  trendMinBuckets: 6,
  /** |t| of the regression slope needed for a trend to count (about p < 0.01 two-sided for n ≥ 6). */
  trendTThreshold: 3,
  /** Smallest relative change over the fitted span (slope × span ÷ mean level) that counts as a trend. */
  trendMinRelativeChange: 0.1,
  /** Failure rate assumed for a peer with no history. */
  priorFailureRate: 0.05,
  /** Availability assumed for a peer with no history. */
  priorAvailability: 0.95,
  /** Weight of both priors, in pseudo-observations. */
  priorWeight: 10
})

/** Encoding version of a long-term memory entry. */
export const LONG_TERM_RECORD_VERSION = 1
