/**
 * Re-publishes the capacity record as soon as what it says about reachability changes. libp2p has no event for
 * reachability, the NAT kind or verified addresses, so a cheap key over them is re-read every second; without this
 * a coordinator would read the first record's `unknown` until the next scheduled refresh (20 s after start).
 */
import { logger } from '@libp2p/logger'

const log = logger('tessera:peer:record-watch')

/** Default period of the check. */
export const RECORD_CHANGE_CHECK_MS = 1000

export interface RecordChangeWatchInit {
  /** What the record says that must reach the DHT at once when it changes (reachability, NAT kind, addresses…). */
  key(): string
  /** Publishes a record built after the call. */
  publish(): Promise<unknown>
  /** Default {@link RECORD_CHANGE_CHECK_MS}. */
  intervalMs?: number
}

/** A running watch; `check()` runs one step (tests drive it directly). */
export interface RecordChangeWatch {
  check(): Promise<void>
  stop(): void
}

/** Starts the watch; the key at start counts as published (the publisher's own first publication covers it). */
export function startRecordChangeWatch (init: RecordChangeWatchInit): RecordChangeWatch {
  let published = init.key()
  let busy = false
  const check = async (): Promise<void> => {
    if (busy) return
    const key = init.key()
    if (key === published) return
    busy = true
    published = key
    try {
      await init.publish()
    } catch (err) {
      // The next change or the publisher's own refresh publishes again; the publisher reports the failure too.
      log('re-publishing after a change failed - %e', err)
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => { void check() }, init.intervalMs ?? RECORD_CHANGE_CHECK_MS)
  timer.unref?.()
  return { check, stop: () => { clearInterval(timer) } }
}
