/**
 * Releasing a run's copies: at the end of a run every copy's tiles are freed on its peer, so later runs (of this
 * coordinator or another) find them free.
 */
import { logger } from '@libp2p/logger'
import { isTransientRefusal } from '@tessera/wire'
import { ABANDONED_RELEASE_TIMEOUT_MS, BUSY_RETRY_DELAY_MS } from './constants.js'
import type { RunContext } from './run-context.js'
import { runErrorOf } from './run-errors.js'
import { sleep } from './sleep.js'

const log = logger('tessera:coordinator:release')

/** Most BUSY replies one release waits out (the peer's stream slots are taken by calls of other runs). */
const MAX_RELEASE_BUSY_RETRIES = 50

/**
 * Releases one copy; a BUSY peer is asked again after a pause. Resolves to the error of a release that failed for
 * good (undefined when it succeeded).
 */
export async function releaseCopy (ctx: RunContext, peerId: string, remoteId: string, timeoutMs?: number): Promise<unknown> {
  for (let busy = 0; ; busy++) {
    try {
      await ctx.client(peerId).release(remoteId, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs))
      return undefined
    } catch (err) {
      if (!(isTransientRefusal(err)) || busy >= MAX_RELEASE_BUSY_RETRIES) {
        log('release of %s on %s failed: %e', remoteId, peerId, err)
        return err
      }
      await sleep(BUSY_RETRY_DELAY_MS * (busy + 1))
    }
  }
}

/**
 * Releases every copy of every shard of the run, and the copies given up on peers marked dead. One release at a
 * time per peer, peers in parallel: a burst of releases to one peer would meet BUSY replies, and a release that
 * fails leaves the copy's tiles taken on the peer for every later run — so a failed release on a live peer is
 * reported with the run's errors (one on a peer taken for departed is expected to fail, and only logged).
 */
export async function releaseAll (ctx: RunContext): Promise<void> {
  const nowMs = ctx.now()
  const byPeer = new Map<string, Array<() => Promise<void>>>()
  const add = (peerId: string, job: () => Promise<void>): void => { byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), job]) }
  for (const shard of ctx.shards.values()) {
    for (const peerId of shard.tilesByHolder.keys()) {
      if (ctx.dead.has(peerId)) continue
      add(peerId, async () => {
        const err = await releaseCopy(ctx, peerId, ctx.remoteId(shard.spec.id))
        if (err !== undefined) ctx.errors.push(runErrorOf('release', err, { shardId: shard.spec.id, peerId }))
      })
    }
  }
  // A peer marked dead may only have been busy: it would keep the abandoned copies' tiles (a departed one refuses
  // the dial at once).
  for (const { peerId, remoteId } of ctx.abandoned.splice(0)) add(peerId, async () => { await releaseCopy(ctx, peerId, remoteId, ABANDONED_RELEASE_TIMEOUT_MS) })
  await Promise.all([...byPeer.values()].map(async (jobs) => { for (const job of jobs) await job() }))
  for (const shard of ctx.shards.values()) {
    for (const peerId of [...shard.tilesByHolder.keys()]) ctx.dropAllocation(shard, peerId, nowMs)
    shard.holders.length = 0
    shard.draining.length = 0
  }
}
