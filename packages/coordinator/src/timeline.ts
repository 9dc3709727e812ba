/** A run's timeline: each entry is applied at its time after the first batch; one that throws is reported. */
import { logger } from '@libp2p/logger'
import type { RunControl, TimelineEntry } from './run-options.js'

const log = logger('tessera:coordinator:timeline')

/** A started timeline. */
export interface Timeline {
  /** Cancels the entries not due yet; resolves once those being applied are done. */
  stop: () => Promise<void>
}

/** Schedules every entry (times from now); `onFailed` hears of an entry whose `apply` threw. */
export function startTimeline (entries: readonly TimelineEntry[], control: RunControl, onFailed: (entry: TimelineEntry, err: unknown) => void): Timeline {
  const applying: Array<Promise<void>> = []
  const timers = entries.map((entry) => setTimeout(() => {
    log('applying %s', entry.label)
    applying.push((async () => { await entry.apply(control) })().catch((err) => {
      log.error('timeline entry %s failed: %e', entry.label, err)
      onFailed(entry, err)
    }))
  }, Math.max(0, entry.atMs)))
  return {
    async stop () {
      for (const t of timers) clearTimeout(t)
      await Promise.all(applying)
    }
  }
}
