/**
 * The reconfiguration loop a simulated coordinator runs, with the real coordinator's settings
 * (packages/coordinator/src/coordinator.ts: its overrides of the core's defaults, its step and discovery
 * intervals, its load window and demand memory).
 */
import { DEFAULT_PROGRAM_TIMEOUT_MS, RECONFIGURE_COORDINATOR_COOLDOWN_MS, RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS, RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS, RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS, RECONFIGURE_DEMAND_MEMORY_MS, RECONFIGURE_DISCOVERY_INTERVAL_MS, RECONFIGURE_INTERVAL_MS, RECONFIGURE_LOAD_WINDOW_MS } from '@tessera/coordinator'
import { createReconfigurer } from '@tessera/scheduler'
import type { ReconfigureEvent } from '@tessera/scheduler'
import type { DesCoordinator } from './coordinator-model.js'
import { startDesReconfigureLoop } from './reconfigure-glue.js'
import type { DesReconfigureLoop } from './reconfigure-glue.js'

/** Starts the loop on `c` as a real coordinator's run would. */
export function startCoordinatorLoop (c: DesCoordinator, seed: string, onEvent?: (event: ReconfigureEvent) => void): DesReconfigureLoop {
  return startDesReconfigureLoop(c, {
    reconfigurer: createReconfigurer({
      cooldownMs: RECONFIGURE_COORDINATOR_COOLDOWN_MS,
      overloadSettleMs: RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS,
      drainTimeoutMs: RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS,
      programTimeoutMs: DEFAULT_PROGRAM_TIMEOUT_MS,
      maxConcurrentMigrations: RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS
    }),
    intervalMs: RECONFIGURE_INTERVAL_MS,
    discoverEveryMs: RECONFIGURE_DISCOVERY_INTERVAL_MS,
    loadWindowMs: RECONFIGURE_LOAD_WINDOW_MS,
    demandMemoryMs: RECONFIGURE_DEMAND_MEMORY_MS,
    seed,
    ...(onEvent !== undefined ? { onEvent } : {})
  })
}
