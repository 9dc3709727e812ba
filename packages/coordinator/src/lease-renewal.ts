/**
 * Keeping a run's copies alive. A peer holds a programmed copy under a lease that the owner's executes renew
 * (docs/security.md); copies that take no calls for a while (replicas the router skips, draining copies) would run
 * out, so the run sends each peer a keep-alive naming all its copies there, at a third of the peer's lease (at most
 * every LEASE_RENEW_INTERVAL_MS). A copy the peer no longer holds (its lease ran out, e.g. while this coordinator
 * was paused) is dropped, and a shard left without a live copy is programmed again at once.
 */
import { logger } from '@libp2p/logger'
import { LEASE_RENEW_INTERVAL_MS } from './constants.js'
import type { RunContext } from './run-context.js'
import { removeCopy } from './shard-state.js'
import type { ShardState } from './shard-state.js'
import { replaceShard } from './shard-calls.js'

const log = logger('tessera:coordinator:lease')

export interface LeaseRenewal {
  /** Copies found expired so far. */
  expired: () => number
  stop: () => Promise<void>
}

/** Renews every live copy of the run once; resolves to the shortest lease a peer reported (ms), if any. */
export async function renewLeases (ctx: RunContext, onExpired: (shard: ShardState, peerId: string) => void): Promise<number | undefined> {
  const byPeer = new Map<string, ShardState[]>()
  for (const shard of ctx.shards.values()) {
    for (const peerId of shard.tilesByHolder.keys()) {
      if (!ctx.dead.has(peerId)) byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), shard])
    }
  }
  let shortestMs: number | undefined
  await Promise.all([...byPeer].map(async ([peerId, shards]) => {
    const client = ctx.client(peerId)
    if (client.keepAlive === undefined) return
    try {
      const reply = await client.keepAlive(shards.map((s) => ctx.remoteId(s.spec.id)))
      shortestMs = Math.min(shortestMs ?? Infinity, reply.leaseMs)
      const renewed = new Set(reply.shardIds)
      for (const shard of shards) {
        // A copy released meanwhile (reconfiguration) is no longer ours to count.
        if (!renewed.has(ctx.remoteId(shard.spec.id)) && shard.tilesByHolder.has(peerId)) onExpired(shard, peerId)
      }
    } catch (err) {
      // Not fatal: the peer's executes renew the copies it serves, and a failed call is handled where it happens.
      log('keep-alive to %s failed - %e', peerId, err)
    }
  }))
  return shortestMs
}

/** Renews the run's copies until stopped; expired copies are dropped and lost shards programmed again. */
export function startLeaseRenewal (ctx: RunContext, maxIntervalMs = LEASE_RENEW_INTERVAL_MS): LeaseRenewal {
  let expired = 0
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let current: Promise<void> = Promise.resolve()
  const restoring: Array<Promise<void>> = []
  const onExpired = (shard: ShardState, peerId: string): void => {
    expired++
    log('the lease of %s on %s ran out: dropping the copy', shard.spec.id, peerId)
    removeCopy(shard, peerId)
    ctx.dropAllocation(shard, peerId, ctx.now())
    if (shard.holders.some((p) => !ctx.dead.has(p)) || stopped) return
    const restore = ctx.reconfiguration !== undefined
      ? ctx.reconfiguration.restore(shard, ctx.now() + ctx.settings.batchDeadlineMs)
      : replaceShard(ctx, shard)
    restoring.push(restore.catch((err: unknown) => { log('re-programming %s after its lease ran out failed - %e', shard.spec.id, err) }))
  }
  const schedule = (intervalMs: number): void => {
    if (stopped) return
    timer = setTimeout(() => {
      current = renewLeases(ctx, onExpired).then((leaseMs) => {
        schedule(Math.max(1, Math.min(maxIntervalMs, leaseMs === undefined ? maxIntervalMs : Math.floor(leaseMs / 3))))
      })
    }, intervalMs)
  }
  schedule(maxIntervalMs)
  return {
    expired: () => expired,
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await current
      await Promise.all(restoring)
    }
  }
}
