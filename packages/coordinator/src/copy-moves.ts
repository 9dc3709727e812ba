/**
 * The effects of the reconfiguration step's actions on a run's shards, make-before-break:
 *
 * - `program`: the copy is listed `programming` (no calls) while the coordinator uploads it from its copy of the
 *   weights, then `active`; a failed upload drops it (a peer that does not answer is checked for departure);
 * - `drain`: the copy takes no new calls; calls in flight on it finish;
 * - `activate`: a draining copy takes calls again (the shard's other copies are gone);
 * - `release`: the copy's tiles are freed on its peer (once the release of that peer has finished, a new upload of
 *   the same shard to it may start) and it leaves the placement; a call still in flight on it fails with
 *   UNKNOWN_SHARD and is retried on another copy, so no request is lost.
 */
import { logger } from '@libp2p/logger'
import type { ReconfigureAction } from '@tessera/scheduler'
import { programCopy, uploadFailed } from './program.js'
import type { RunContext } from './run-context.js'
import { runErrorOf } from './run-errors.js'
import { activateProgrammed, removeCopy } from './shard-state.js'
import type { ShardState } from './shard-state.js'

const log = logger('tessera:coordinator:reconfigure')

/** Moves a copy from one list of a shard's copies to another (no-op when it is not in `from`). */
function moveCopy (from: string[], to: string[], peerId: string): void {
  const i = from.indexOf(peerId)
  if (i < 0) return
  from.splice(i, 1)
  to.push(peerId)
}

/** Carries out actions on a run's copies and keeps track of the uploads and releases still under way. */
export class CopyMoves {
  private readonly ctx: RunContext
  private readonly work = new Set<Promise<void>>()
  private readonly releasing = new Map<string, Promise<void>>()

  constructor (ctx: RunContext) {
    this.ctx = ctx
  }

  /** Carries out one action of the step (an action on a shard the run does not have is ignored). */
  apply (action: ReconfigureAction): void {
    const shard = this.ctx.shards.get(action.shardId)
    if (shard === undefined) return
    switch (action.kind) {
      case 'program': this.program(shard, action.peerId); break
      case 'drain': moveCopy(shard.holders, shard.draining, action.peerId); break
      case 'activate': moveCopy(shard.draining, shard.holders, action.peerId); break
      case 'release': this.release(shard, action.peerId, action.peerGone); break
    }
  }

  /** Keeps `p` among the work {@link settle} waits for. */
  track (p: Promise<void>): void {
    this.work.add(p)
    void p.finally(() => this.work.delete(p))
  }

  /** Waits until no upload or release is under way (work started meanwhile included). */
  async settle (): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work])
  }

  private program (shard: ShardState, peerId: string): void {
    const ctx = this.ctx
    shard.programming.push(peerId)
    this.track((async () => {
      await this.releasing.get(copyKey(shard, peerId))
      try {
        await programCopy(ctx, shard, peerId)
      } catch (err) {
        removeCopy(shard, peerId)
        if (uploadFailed(ctx, shard, peerId, err)) await ctx.recoverOrMarkDead(peerId)
        return
      }
      // Cancelled while uploading (the step gave up on it, or its peer departed): give the tiles back.
      if (!activateProgrammed(shard, peerId)) this.release(shard, peerId, ctx.dead.has(peerId))
    })())
  }

  private release (shard: ShardState, peerId: string, peerGone: boolean): void {
    const ctx = this.ctx
    removeCopy(shard, peerId)
    if (!shard.tilesByHolder.has(peerId)) return // never programmed, or already released
    if (peerGone) {
      ctx.dropAllocation(shard, peerId, ctx.now())
      return
    }
    const key = copyKey(shard, peerId)
    const done = (async () => {
      try {
        await ctx.client(peerId).release(ctx.remoteId(shard.spec.id))
      } catch (err) {
        // The copy leaves the placement all the same; its tiles stay taken on the peer, which the run reports.
        log('release of %s on %s failed: %e', shard.spec.id, peerId, err)
        ctx.errors.push(runErrorOf('release', err, { shardId: shard.spec.id, peerId }))
      }
      ctx.dropAllocation(shard, peerId, ctx.now())
    })()
    this.releasing.set(key, done)
    this.track(done.finally(() => { if (this.releasing.get(key) === done) this.releasing.delete(key) }))
  }
}

function copyKey (shard: ShardState, peerId: string): string {
  return `${shard.spec.id}\u0000${peerId}`
}
