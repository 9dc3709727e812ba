/**
 * Defaults of the scheduler, with units in the names. The network figures are model parameters for peers whose
 * bandwidth has not been measured; a coordinator passes measured values in `PeerView.bandwidthBytesPerSec`.
 */

/** Assumed bandwidth of a direct connection (100 Mbit/s). */
export const DIRECT_BANDWIDTH_BYTES_PER_SEC = 12_500_000
/** Assumed bandwidth of a hole-punched connection: once punched it is a direct connection. */
export const HOLE_PUNCHED_BANDWIDTH_BYTES_PER_SEC = 12_500_000
/** Assumed bandwidth through a circuit relay (10 Mbit/s: a relay shares its uplink among many circuits). */
export const RELAYED_BANDWIDTH_BYTES_PER_SEC = 1_250_000
/** Extra latency of the relay hop, added to the measured RTT when it was not measured through the relay. */
export const RELAY_HOP_MS = 30
/** js-libp2p circuit relay v2 default data limit per relayed connection (128 KiB). */
export const DEFAULT_RELAY_DATA_BYTES = 131_072
/** js-libp2p circuit relay v2 default duration limit per relayed connection (2 min). */
export const DEFAULT_RELAY_DURATION_MS = 120_000
/** Requests over which a shard's weight upload is amortised in its placement score. */
export const UPLOAD_AMORTISATION_REQUESTS = 100
/** A shard at least this sensitive (0..1) counts as sensitive for the noise penalty's documentation and tests. */
export const SENSITIVE_SHARD_THRESHOLD = 0.5
/**
 * tessera's replicas keep at least this share of the crossbar cells its placement allocates holding weights
 * (every copy counted), or what its copies before replication reached if that is more: the paper claims 87.3%
 * memory utilisation, and tessera's plan with every layer's leftovers packed together reaches 95.5% on the demo's
 * networks — its replicas, which use tiles that would otherwise stay free, must not give that up. (At 0.96 the
 * copies of full shards this takes did not always fit the `loaded` network's free tiles, and the placement fell
 * back to its first copies' 0.90.)
 */
export const MIN_REPLICATED_MEMORY_UTILISATION = 0.955
/** Device noise level (relative MVM error) above which sensitive shards are penalised. */
export const NOISE_LEVEL_THRESHOLD = 0.03
/** Weight of the noise penalty: factor 1 + w · sensitivity · (noise − threshold) / threshold. */
export const NOISE_PENALTY_WEIGHT = 50
/** Weight of the result-error penalty: factor 1 + w · mean relative result error. */
export const RESULT_ERROR_WEIGHT = 10
/** Extra factor on the expected time of a peer whose long-term trend is degrading: 1 + this. */
export const DEGRADING_TREND_PENALTY = 0.5
/** Fewest shard calls in the short-term window before its error rate is trusted. */
export const SHORT_TERM_MIN_CALLS = 5
/** Failure probability assumed for a peer without long-term history. */
export const PRIOR_FAILURE_RATE = 0.05
/** Upper bound on the failure probability used in the retry factor 1 / (1 − f). */
export const MAX_FAILURE_PROBABILITY = 0.95
/** Lower bound on the availability used in the factor 1 / availability. */
export const MIN_AVAILABILITY = 0.05
/** Bytes per weight uploaded to a peer (float32). */
export const BYTES_PER_WEIGHT = 4
/** Bytes per input or output element sent per request (float32). */
export const BYTES_PER_ACTIVATION = 4

// Baselines, with the values of the systems they imitate.

/** Ray's `scheduler_spread_threshold`: pack a node until its critical utilisation reaches this. */
export const RAY_SPREAD_THRESHOLD = 0.5
/** Ray's `scheduler_top_k_fraction`: pick at random among this fraction of the least-loaded nodes. */
export const RAY_TOP_K_FRACTION = 0.2
/** Ray's `scheduler_top_k_absolute`: at least this many candidates. */
export const RAY_TOP_K_ABSOLUTE = 1
/** Petals' ping aggregator EMA factor. */
export const PETALS_RTT_EMA_ALPHA = 0.2

// Reconfiguration (reconfigure.ts): defaults of `createReconfigureConfig`.

/** Petals' rule: move a shard only when the expected completion time improves by more than 1/0.75. */
export const RECONFIGURE_GAIN_THRESHOLD = 1 / 0.75
/** Consecutive checks a migration, replication or eviction condition must hold before it is acted on. */
export const RECONFIGURE_CONFIRM_CHECKS = 3
/** Migrations and replications (weight uploads other than replacements) in progress at once. */
export const RECONFIGURE_MAX_CONCURRENT_MIGRATIONS = 2
/** After a migration, replication or eviction of a shard is decided, no other one for that shard for this long. */
export const RECONFIGURE_COOLDOWN_MS = 60_000
/** A peer whose estimated utilisation (0..1) reaches this is overloaded. */
export const RECONFIGURE_OVERLOAD_UTILISATION = 0.85
/** A peer that shed a copy for overload only waits this long before shedding another (the short-term window). */
export const RECONFIGURE_OVERLOAD_SETTLE_MS = 60_000
/** A peer whose measured throughput falls to this fraction of its remembered (or advertised) one is slower. */
export const RECONFIGURE_SLOWER_THROUGHPUT_RATIO = 0.75
/** A shard whose replicas' estimated utilisation reaches this is hot (replicate it). */
export const RECONFIGURE_REPLICATE_UTILISATION = 0.8
/** An extra replica is evicted when the others would carry the load at or below this utilisation. */
export const RECONFIGURE_EVICT_UTILISATION = 0.3
/** Copies of one shard at most (replication stops here). */
export const RECONFIGURE_MAX_REPLICAS = 4
/** A replica still programming after this long is cancelled (2 min: a default relay's duration limit). */
export const RECONFIGURE_PROGRAM_TIMEOUT_MS = 120_000
/** A draining replica is released after this long even with calls in flight (the coordinator retries them). */
export const RECONFIGURE_DRAIN_TIMEOUT_MS = 30_000
/** Utilisation at which the M/M/1 predictions saturate (a queue at ρ ≥ 1 has no steady state). */
export const RECONFIGURE_MAX_MODELLED_UTILISATION = 0.99
/**
 * A record's throughput claim counts only as far as observed work confirms it: once long-term memory holds
 * REPUTATION_MIN_SPEED_SAMPLES (memory constants) throughput samples of a peer, its claim is capped at this
 * multiple of the observed mean (the slack covers an honest claim measured on a quieter host).
 */
export const CLAIM_CONFIRMATION_SLACK = 1.5
