/**
 * How the coordinator judges a peer between calls. A peer that times out or fails while still connected is only
 * suspect: it is backed off for a while (doubling per consecutive failure) and its calls get a longer timeout,
 * because on a loaded host a healthy peer can be slow. Whether a peer has departed is decided elsewhere, from its
 * connection and a re-dial (see `RunContext.recoverOrMarkDead`), never from a timeout.
 */
import { searchSorted } from '@tessera/memory'
import {
  CALL_TIMEOUT_P95_FACTOR, MAX_CALL_TIMEOUT_MS, MAX_SUSPECT_BACKOFF_MS, ROUND_TRIP_SAMPLES, SUSPECT_BACKOFF_MS
} from './constants.js'

/** `baseMs · 2^step`, capped at `maxMs` (step 0 gives `baseMs`). */
export function backoffMs (baseMs: number, maxMs: number, step: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(step, 30))
}

/** Options of {@link PeerHealth}; every field is optional. */
export interface PeerHealthInit {
  /** Shortest call timeout, ms (default: `MAX_CALL_TIMEOUT_MS / 6`). */
  baseTimeoutMs?: number
  /** Longest call timeout, ms (default `MAX_CALL_TIMEOUT_MS`). */
  maxTimeoutMs?: number
  /** First back-off of a suspect peer, ms (default `SUSPECT_BACKOFF_MS`). */
  backoffMs?: number
  /** Longest back-off, ms (default `MAX_SUSPECT_BACKOFF_MS`). */
  maxBackoffMs?: number
  /** Round trips kept per peer (default `ROUND_TRIP_SAMPLES`). */
  samples?: number
}

interface PeerState {
  /** Recent round trips, ms (a ring of `samples`). */
  rtts: number[]
  /** The same round trips in increasing order (kept as they come and go, so the p95 is a lookup). */
  sorted: number[]
  next: number
  /** Consecutive failed calls since the last success. */
  failures: number
  suspectUntilMs: number
}

/** Per-peer round trips, failure streaks and back-off of one run. */
export class PeerHealth {
  private readonly baseTimeoutMs: number
  private readonly maxTimeoutMs: number
  private readonly backoffBaseMs: number
  private readonly maxBackoffMs: number
  private readonly samples: number
  private readonly peers = new Map<string, PeerState>()

  constructor (init: PeerHealthInit = {}) {
    this.maxTimeoutMs = init.maxTimeoutMs ?? MAX_CALL_TIMEOUT_MS
    this.baseTimeoutMs = Math.min(this.maxTimeoutMs, init.baseTimeoutMs ?? this.maxTimeoutMs / 6)
    this.backoffBaseMs = init.backoffMs ?? SUSPECT_BACKOFF_MS
    this.maxBackoffMs = init.maxBackoffMs ?? MAX_SUSPECT_BACKOFF_MS
    this.samples = init.samples ?? ROUND_TRIP_SAMPLES
  }

  private state (peerId: string): PeerState {
    let s = this.peers.get(peerId)
    if (s === undefined) {
      s = { rtts: [], sorted: [], next: 0, failures: 0, suspectUntilMs: -Infinity }
      this.peers.set(peerId, s)
    }
    return s
  }

  /** A call answered after `rttMs`: the peer is trusted again. */
  succeeded (peerId: string, rttMs: number): void {
    const s = this.state(peerId)
    if (s.rtts.length < this.samples) s.rtts.push(rttMs)
    else {
      s.sorted.splice(searchSorted(s.sorted, s.sorted.length, s.rtts[s.next], false), 1)
      s.rtts[s.next] = rttMs
    }
    s.sorted.splice(searchSorted(s.sorted, s.sorted.length, rttMs, true), 0, rttMs)
    s.next = (s.next + 1) % this.samples
    s.failures = 0
    s.suspectUntilMs = -Infinity
  }

  /** A call timed out or failed while the peer stayed connected: back it off, lengthen its timeout. */
  failed (peerId: string, nowMs: number): void {
    const s = this.state(peerId)
    s.suspectUntilMs = nowMs + backoffMs(this.backoffBaseMs, this.maxBackoffMs, s.failures)
    s.failures++
  }

  /** Consecutive failed calls of the peer since its last success. */
  failures (peerId: string): number {
    return this.peers.get(peerId)?.failures ?? 0
  }

  /** Until when the peer is backed off (−∞ when it is not). */
  suspectUntil (peerId: string): number {
    return this.peers.get(peerId)?.suspectUntilMs ?? -Infinity
  }

  /** p95 of the peer's recent round trips, ms (undefined before its first answer). */
  p95 (peerId: string): number | undefined {
    const sorted = this.peers.get(peerId)?.sorted
    if (sorted === undefined || sorted.length === 0) return undefined
    return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]
  }

  /**
   * Timeout of the next call to the peer: a multiple of its observed p95 round trip (never below the base), doubled
   * per consecutive failure, capped.
   */
  timeoutMs (peerId: string): number {
    const p95 = this.p95(peerId) ?? 0
    const s = this.peers.get(peerId)
    // Whole milliseconds: timers reject fractional delays.
    return Math.ceil(backoffMs(Math.max(this.baseTimeoutMs, CALL_TIMEOUT_P95_FACTOR * p95), this.maxTimeoutMs, s?.failures ?? 0))
  }
}
