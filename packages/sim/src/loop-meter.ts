/**
 * How hard a loopback run used the one event loop every node of the harness shares: the time the loop was busy and
 * the CPU time its thread got meanwhile. On a shared host the two part: a busy loop waits for a core while other
 * processes run, so its work takes `activeMs ÷ cpuMs` times its CPU time (the stretch the simulator applies).
 */
import { performance } from 'node:perf_hooks'

/** The event loop's use over a stretch of time, ms. */
export interface LoopUse {
  /** Time the event loop was busy (not waiting for events). */
  activeMs: number
  /** CPU time of the loop's thread. */
  cpuMs: number
}

/** Starts measuring; the function returned gives the use since. */
export function startLoopMeter (): () => LoopUse {
  const elu = performance.eventLoopUtilization()
  const cpu = process.threadCpuUsage()
  return () => {
    const e = performance.eventLoopUtilization(elu)
    const c = process.threadCpuUsage(cpu)
    return { activeMs: e.active, cpuMs: (c.user + c.system) / 1000 }
  }
}
