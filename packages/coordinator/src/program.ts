/**
 * Applying a placement: upload each copy of each shard to its peer (weights of the shard's extent, seeded per
 * shard so the same plan programs the same conductances), reporting upload progress to the run's listener.
 */
import { logger } from '@libp2p/logger'
import { QUOTA_RESOURCES, QuotaExceededError } from '@tessera/wire'
import { peerFailed } from './failure-kinds.js'
import type { UploadProgress } from './progress.js'
import type { RunContext } from './run-context.js'
import { uploadFailureOf } from './run-errors.js'
import type { ShardState } from './shard-state.js'
import { sleep } from './sleep.js'

const log = logger('tessera:coordinator:program')

/** Uploads one copy of `shard` to `peerId` and records the tiles it takes. Throws when the upload fails. */
export async function programCopy (ctx: RunContext, shard: ShardState, peerId: string, progress?: UploadProgress): Promise<void> {
  const delay = ctx.emulatedDelayMs(peerId)
  await sleep(delay)
  let sent = 0
  const result = await ctx.client(peerId).program({
    shardId: ctx.remoteId(shard.spec.id),
    weights: shard.weights,
    rows: shard.rows,
    cols: shard.cols,
    seed: `${ctx.settings.seed}/${shard.spec.id}`,
    onProgress: (bytes) => {
      progress?.add(bytes - sent)
      sent = bytes
    }
  })
  await sleep(delay)
  const g = ctx.targets.get(peerId)?.record.device.geometry
  shard.tilesByHolder.set(peerId, result.tilesUsed)
  ctx.tilesTaken.set(peerId, (ctx.tilesTaken.get(peerId) ?? 0) + result.tilesUsed)
  ctx.recorder.allocate(peerId, shard.spec.cells, result.tilesUsed * (g?.rows ?? 0) * (g?.cols ?? 0), ctx.now())
  ctx.invalidateViews()
}

/**
 * Records a failed upload of `shard` to `peerId` with the run; resolves to whether the failure says the peer may
 * be gone (it then needs the departure check), rather than that it refused this shard.
 */
export function uploadFailed (ctx: RunContext, shard: ShardState, peerId: string, err: unknown): boolean {
  log('upload of %s to %s failed: %e', shard.spec.id, peerId, err)
  ctx.recorder.uploadFailures.push(uploadFailureOf(shard.spec.id, peerId, err))
  if (err instanceof QuotaExceededError && err.quota?.resource === QUOTA_RESOURCES.tiles) learnTileCap(ctx, peerId, err.quota.limit)
  return peerFailed(err)
}

/**
 * A peer refused tiles by its per-owner quota: from now on the scheduler sees no more free tiles there than the
 * quota leaves this coordinator. Without it the policy, reading the record's free tiles, chose the same peer for
 * the same copy again at every step and the run never went on (seen in the NAT lab on a 4-tile relay node whose
 * quota is 2 tiles per owner). The cap is what this coordinator holds there now when that is lower than the stated
 * limit (the node may count shards of an earlier run this coordinator no longer tracks); releases lift it again.
 */
function learnTileCap (ctx: RunContext, peerId: string, limit: number): void {
  const held = ctx.tilesTaken.get(peerId) ?? 0
  ctx.tileCaps.set(peerId, Math.min(limit, held))
  ctx.invalidateViews()
}

/** Groups the uploads of a placement (`shard id → peers`) by peer. */
function uploadsByPeer (ctx: RunContext, assignments: ReadonlyMap<string, readonly string[]>): Map<string, ShardState[]> {
  const byPeer = new Map<string, ShardState[]>()
  for (const [shardId, peers] of assignments) {
    const shard = ctx.shards.get(shardId)
    if (shard === undefined) continue
    for (const peerId of peers) byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), shard])
  }
  return byPeer
}

/**
 * Programs every copy of a placement (`shard id → peers`), `uploadConcurrency` peers at a time, one upload at a
 * time per peer. A copy that fails to upload marks its peer dead; the shard keeps its other copies, and a shard
 * left with none is re-placed on its first call. Resolves when every upload has finished or failed.
 */
export async function programPlacement (ctx: RunContext, assignments: ReadonlyMap<string, readonly string[]>): Promise<{ failed: number }> {
  // One upload at a time per peer (several peers at once): concurrent uploads over one relayed connection made
  // the relay drop it, and a peer's worker programs one shard at a time anyway.
  const queues = [...uploadsByPeer(ctx, assignments)]
  const copies = queues.reduce((sum, [, shards]) => sum + shards.length, 0)
  const totalBytes = queues.reduce((sum, [, shards]) => sum + shards.reduce((s, shard) => s + shard.weights.byteLength, 0), 0)
  const progress = ctx.settings.uploadProgress(totalBytes, `programming ${copies} shard copies (${ctx.policy.name})`)
  let next = 0
  let failed = 0
  const lane = async (): Promise<void> => {
    while (next < queues.length) {
      const [peerId, shards] = queues[next++]
      for (const shard of shards) {
        if (ctx.dead.has(peerId)) {
          failed++
          continue
        }
        try {
          await programCopy(ctx, shard, peerId, progress)
          shard.holders.push(peerId)
        } catch (err) {
          failed++
          if (uploadFailed(ctx, shard, peerId, err)) await ctx.recoverOrMarkDead(peerId)
        }
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.settings.uploadConcurrency, queues.length)) }, lane))
  } finally {
    progress.stop()
  }
  return { failed }
}
