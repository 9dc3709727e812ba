/**
 * Applying a placement: upload each copy of each shard to its peer (weights of the shard's extent, seeded per
 * shard so the same plan programs the same conductances), reporting upload progress to the run's listener, and release
 * everything at the end of a run.
 */
import type { RunContext, ShardState } from './context.js'
import { sleep } from './context.js'
import { BusyError } from '@tessera/wire'
import { ABANDONED_RELEASE_TIMEOUT_MS, BUSY_RETRY_DELAY_MS } from './constants.js'
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
  const progress = ctx.settings.uploadProgress(totalBytes, `programming ${jobs.length} shard copies (${ctx.policy.name})`)
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

/** Most BUSY replies one release waits out (the peer's stream slots are taken by calls of other runs). */
const MAX_RELEASE_BUSY_RETRIES = 50

/** Releases one copy; a BUSY peer is asked again after a pause. Best effort: errors are swallowed. */
async function releaseCopy (ctx: RunContext, peerId: string, remoteId: string, timeoutMs?: number): Promise<void> {
  for (let busy = 0; ; busy++) {
    try {
      await ctx.client(peerId).release(remoteId, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs))
      return
    } catch (err) {
      if (!(err instanceof BusyError) || busy >= MAX_RELEASE_BUSY_RETRIES) return
      await sleep(BUSY_RETRY_DELAY_MS * (busy + 1))
    }
  }
}

/**
 * Releases every copy of every shard of the run, and the copies given up on peers marked dead (best effort). One
 * release at a time per peer, peers in parallel: a burst of releases to one peer would meet BUSY replies, and a
 * release that fails leaves the copy's tiles taken on the peer for every later run.
 */
export async function releaseAll (ctx: RunContext): Promise<void> {
  const nowMs = ctx.now()
  const byPeer = new Map<string, Array<() => Promise<void>>>()
  const add = (peerId: string, job: () => Promise<void>): void => { byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), job]) }
  for (const shard of ctx.shards.values()) {
    for (const peerId of shard.tilesByHolder.keys()) {
      if (!ctx.dead.has(peerId)) add(peerId, async () => { await releaseCopy(ctx, peerId, ctx.remoteId(shard.spec.id)) })
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
