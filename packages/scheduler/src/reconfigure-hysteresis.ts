/**
 * Hysteresis of the reconfiguration step: a condition is acted on only after it held at K consecutive checks,
 * and a shard that was just moved stays put for a cool-down.
 */

/**
 * Counts, per key, the consecutive checks at which a condition held. A key that is not checked at a step (its
 * shard was busy, its peer left) starts again from zero: "consecutive" means at consecutive steps.
 */
export class ConsecutiveChecks {
  private readonly previous: ReadonlyMap<string, number>
  private readonly next = new Map<string, number>()

  constructor (previous: ReadonlyMap<string, number>) {
    this.previous = previous
  }

  /** Records whether the condition holds now; returns how many consecutive checks it has held (0 if not now). */
  check (key: string, holds: boolean): number {
    if (!holds) {
      this.next.delete(key)
      return 0
    }
    const count = (this.next.get(key) ?? this.previous.get(key) ?? 0) + (this.next.has(key) ? 0 : 1)
    this.next.set(key, count)
    return count
  }

  /** Forgets a key's count (its condition was acted on: after an abort it must hold K checks again). */
  reset (key: string): void {
    this.next.delete(key)
  }

  /** The counters to carry to the next step (only keys that held at this one). */
  counters (): Map<string, number> {
    return new Map(this.next)
  }
}

/** Key of a hysteresis counter. */
export function counterKey (kind: 'migrate' | 'replicate' | 'evict', shardId: string, peerId = ''): string {
  return `${kind}\u0000${shardId}\u0000${peerId}`
}

/** True when `shardId` is still cooling down at `nowMs`. */
export function coolingDown (cooldownUntilMs: ReadonlyMap<string, number>, shardId: string, nowMs: number): boolean {
  return (cooldownUntilMs.get(shardId) ?? Number.NEGATIVE_INFINITY) > nowMs
}

/** The cool-downs still running at `nowMs` (expired ones dropped so the state stays bounded). */
export function liveCooldowns (cooldownUntilMs: ReadonlyMap<string, number>, nowMs: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const [shardId, until] of cooldownUntilMs) if (until > nowMs) out.set(shardId, until)
  return out
}
