/** Defaults of the loopback simulations, with units in their names. */

/** Longest wait for the scenario's starting nodes' records, by default. */
export const SCENARIO_DISCOVERY_TIMEOUT_MS = 60_000
/** Wait after discovery so that every node's load gossip has arrived (two push periods), by default. */
export const SCENARIO_SETTLE_MS = 2_500
/** Metrics push (load gossip) period of every node of a scenario's network, ms. */
export const SCENARIO_METRICS_INTERVAL_MS = 1000
/** Cap on the requests of a timed run (the scenario's duration ends it long before). */
export const SCENARIO_MAX_REQUESTS = 200_000

/** Recovery: one throughput figure per window of this length, ms (≈ 20 batches in the shipped scenarios). */
export const RECOVERY_WINDOW_MS = 3000

/** Recovery: grid step of the windows, ms. */
export const RECOVERY_STEP_MS = 250

/** Recovery: the baseline is the throughput over this long before the event, ms. */
export const RECOVERY_BASELINE_MS = 8000
