/**
 * Applying a placement: upload each copy of each shard to its peer (weights of the shard's extent, seeded per
 * shard so the same plan programs the same conductances), with a progress bar over all uploads, and release
 * everything at the end of a run.
 */
import type { RunContext, ShardState } from './context.js'
import { sleep } from './context.js'
import { createUploadProgress } from './progress.js'
import { peerFailed } from './shard-calls.js'
import type { UploadProgress } from './progress.js'

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
 * Programs every copy of a placement (`shard id → peers`), `uploadConcurrency` peers at a time, one upload at a
 * time per peer. A copy that
 * fails to upload marks its peer dead; the shard keeps its other copies, and a shard left with none is re-placed
 * on its first call. Resolves when every upload has finished or failed.
 */
export async function programPlacement (ctx: RunContext, assignments: ReadonlyMap<string, readonly string[]>): Promise<{ failed: number }> {
  const jobs: Array<{ shard: ShardState, peerId: string }> = []
  for (const [shardId, peers] of assignments) {
    const shard = ctx.shards.get(shardId)
    if (shard === undefined) continue
    for (const peerId of peers) jobs.push({ shard, peerId })
  }
  const totalBytes = jobs.reduce((sum, j) => sum + j.shard.weights.byteLength, 0)
  const progress = createUploadProgress(totalBytes, `programming ${jobs.length} shard copies (${ctx.policy.name})`, ctx.settings.progress)
  // One upload at a time per peer (several peers at once): concurrent uploads over one relayed connection made
  // the relay drop it, and a peer's worker programs one shard at a time anyway.
  const byPeer = new Map<string, Array<{ shard: ShardState, peerId: string }>>()
  for (const j of jobs) byPeer.set(j.peerId, [...(byPeer.get(j.peerId) ?? []), j])
  const queues = [...byPeer.values()]
  let next = 0
  let failed = 0
  const lane = async (): Promise<void> => {
    while (next < queues.length) {
      for (const { shard, peerId } of queues[next++]) {
        if (ctx.dead.has(peerId)) {
          failed++
          continue
        }
        try {
          await programCopy(ctx, shard, peerId, progress)
          shard.holders.push(peerId)
        } catch (err) {
          failed++
          ctx.recorder.uploadFailures.push(`${shard.spec.id} → ${peerId}: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`)
          if (peerFailed(err)) await ctx.recoverOrMarkDead(peerId)
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

/** Releases every copy of every shard of the run (best effort: a gone peer has lost them anyway). */
export async function releaseAll (ctx: RunContext): Promise<void> {
  const nowMs = ctx.now()
  await Promise.all([...ctx.shards.values()].flatMap((shard) => [...shard.tilesByHolder.keys()].map(async (peerId) => {
    if (!ctx.dead.has(peerId)) {
      await ctx.client(peerId).release(ctx.remoteId(shard.spec.id)).catch(() => {})
    }
    ctx.dropAllocation(shard, peerId, nowMs)
  })))
  for (const shard of ctx.shards.values()) {
    shard.holders.length = 0
    shard.draining.length = 0
  }
}
