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
