/**
 * Leases of programmed shards. A shard is held for `leaseMs` after it was programmed, and every execute or
 * keep-alive of its owner renews the lease; a lease that runs out frees the shard's tiles, so a coordinator that
 * crashed does not keep them for ever. Pure bookkeeping over a clock: the shard service sweeps it on a timer.
 */

/** Default lease of a programmed shard: 5 minutes without an execute or keep-alive of its owner. */
export const DEFAULT_SHARD_LEASE_MS = 5 * 60_000

/** Longest pause between two sweeps for expired leases. */
export const MAX_LEASE_SWEEP_MS = 5_000

/** How often to look for expired leases: a tenth of the lease, at most {@link MAX_LEASE_SWEEP_MS}. */
export function leaseSweepMs (leaseMs: number): number {
  return Math.max(1, Math.min(MAX_LEASE_SWEEP_MS, Math.floor(leaseMs / 10)))
}

export class ShardLeases {
  private readonly expiresAtMs = new Map<string, number>()

  constructor (readonly leaseMs: number, private readonly now: () => number = Date.now) {}

  /** Starts (or restarts) the lease of `key`. */
  grant (key: string): void {
    this.expiresAtMs.set(key, this.now() + this.leaseMs)
  }

  /** Renews a lease that exists; false when `key` holds none. */
  renew (key: string): boolean {
    if (!this.expiresAtMs.has(key)) return false
    this.expiresAtMs.set(key, this.now() + this.leaseMs)
    return true
  }

  drop (key: string): void {
    this.expiresAtMs.delete(key)
  }

  /** Keys whose lease has run out, taken off the table (the caller frees them). */
  takeExpired (): string[] {
    const nowMs = this.now()
    const out: string[] = []
    for (const [key, at] of this.expiresAtMs) {
      if (at <= nowMs) out.push(key)
    }
    for (const key of out) this.expiresAtMs.delete(key)
    return out
  }

  size (): number {
    return this.expiresAtMs.size
  }
}
