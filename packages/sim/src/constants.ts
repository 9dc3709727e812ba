/** Defaults of the loopback simulations, with units in their names. */

/** Recovery: one throughput figure per window of this length, ms (≈ 20 batches in the shipped scenarios). */
export const RECOVERY_WINDOW_MS = 3000

/** Recovery: grid step of the windows, ms. */
export const RECOVERY_STEP_MS = 250

/** Recovery: the baseline is the throughput over this long before the event, ms. */
export const RECOVERY_BASELINE_MS = 8000
