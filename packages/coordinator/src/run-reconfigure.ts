/** The reconfiguration loop of a run: on for the `tessera` policy unless the run says otherwise, with its settings. */
import { createReconfigurer } from '@tessera/scheduler'
import {
  RECONFIGURE_COORDINATOR_COOLDOWN_MS, RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS, RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS,
  RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS, RECONFIGURE_DEMAND_MEMORY_MS, RECONFIGURE_DISCOVERY_INTERVAL_MS, RECONFIGURE_INTERVAL_MS,
  RECONFIGURE_LOAD_WINDOW_MS
} from './constants.js'
import { startReconfigureLoop } from './reconfigure-loop.js'
import type { ReconfigureLoop } from './reconfigure-loop.js'
import type { RunContext } from './run-context.js'
import type { RunJobOptions } from './run-options.js'
import { positiveInt } from './validate-options.js'

/** Starts the run's loop, or none when the run turns it off (default: on for `tessera` only). */
export function startRunReconfiguration (ctx: RunContext, options: Pick<RunJobOptions, 'reconfigure' | 'onReconfigureEvent'>): ReconfigureLoop | undefined {
  const reconfigure = options.reconfigure ?? ctx.policy.name === 'tessera'
  if (reconfigure === false) return undefined
  const o = reconfigure === true ? {} : reconfigure
  return startReconfigureLoop(ctx, {
    reconfigurer: createReconfigurer({
      cooldownMs: RECONFIGURE_COORDINATOR_COOLDOWN_MS,
      overloadSettleMs: RECONFIGURE_COORDINATOR_OVERLOAD_SETTLE_MS,
      drainTimeoutMs: RECONFIGURE_COORDINATOR_DRAIN_TIMEOUT_MS,
      programTimeoutMs: ctx.settings.programTimeoutMs,
      maxConcurrentMigrations: RECONFIGURE_COORDINATOR_MAX_CONCURRENT_MIGRATIONS,
      ...o.config
    }),
    intervalMs: positiveInt(o.intervalMs ?? RECONFIGURE_INTERVAL_MS, 'reconfigure.intervalMs'),
    discoverEveryMs: positiveInt(o.discoverEveryMs ?? RECONFIGURE_DISCOVERY_INTERVAL_MS, 'reconfigure.discoverEveryMs'),
    loadWindowMs: positiveInt(o.loadWindowMs ?? RECONFIGURE_LOAD_WINDOW_MS, 'reconfigure.loadWindowMs'),
    demandMemoryMs: positiveInt(o.demandMemoryMs ?? RECONFIGURE_DEMAND_MEMORY_MS, 'reconfigure.demandMemoryMs'),
    seed: `${ctx.settings.seed}/${ctx.policy.name}`,
    ...(options.onReconfigureEvent !== undefined ? { onEvent: options.onReconfigureEvent } : {})
  })
}
