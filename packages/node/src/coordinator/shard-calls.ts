/**
 * Shard calls with recovery: each call goes to a live copy of its shard (the policy's route picks among several);
 * a call that fails or times out is retried on another copy, and a shard left without a live copy is re-placed
 * by the policy on the remaining peers and programmed again from the coordinator's copy of the weights. Every
 * call is observed into both memories.
 */
import { BusyError } from '@tessera/wire'
import type { RunContext, ShardState } from './context.js'
import { sleep } from './context.js'
import { BUSY_RETRY_DELAY_MS } from './constants.js'
import { BadShardReplyError, ShardUnavailableError } from './errors.js'
import { programCopy } from './program.js'

/** Most BUSY replies tolerated per call (they do not count as failures, but must not loop forever). */
const MAX_BUSY_RETRIES = 200

/** Views older than this are good enough for routing among replicas. */
const ROUTE_VIEW_MAX_AGE_MS = 100

/** Whether an error says only that the peer lacks the shard (the peer itself is fine). */
function shardMissing (err: unknown): boolean {
  return (err as { name?: string })?.name === 'UnknownShardError'
}

/**
 * Whether a failed upload says the peer is gone or broken (timeout, transport error, internal error) rather than
 * refusing this shard (no capacity left, another device preset): only the former takes the peer out of the run.
 */
export function peerFailed (err: unknown): boolean {
  const name = (err as { name?: string })?.name
  return !(name === 'InsufficientCapacityError' || name === 'DeviceMismatchError' || name === 'DuplicateShardError' || name === 'LimitedConnectionRefusedError')
}

/**
 * Runs one batch through one shard: `input` is `batch × shard.rows`; resolves to `batch × shard.cols`. Every
 * attempt carries the same `noiseKey`, so a retry on another copy (programmed with the same seed) reads the same
 * noise as the first attempt would have.
 */
export async function callShard (ctx: RunContext, shard: ShardState, input: Float32Array, batch: number, noiseKey?: string): Promise<Float32Array> {
  let attempts = 0
  let busy = 0
  let lastError: unknown
  while (attempts < ctx.settings.maxAttempts) {
    let live = shard.holders.filter((p) => !ctx.dead.has(p))
    if (live.length === 0) {
      try {
        await replaceShard(ctx, shard)
      } catch (err) {
        lastError = err
        attempts++
        continue
      }
      live = shard.holders.filter((p) => !ctx.dead.has(p))
      if (live.length === 0) continue
    }
    const peerId = live.length === 1
      ? live[0]
      : ctx.policy.route({ shard: shard.spec, replicas: live, peers: ctx.views(ROUTE_VIEW_MAX_AGE_MS), nowMs: ctx.now(), rng: ctx.rng, pending: ctx.pending }) ?? live[0]
    attempts++
    try {
      return await callOn(ctx, shard, peerId, input, batch, noiseKey)
    } catch (err) {
      if (err instanceof BusyError && busy < MAX_BUSY_RETRIES) {
        busy++
        attempts--
        await sleep(BUSY_RETRY_DELAY_MS)
        continue
      }
      lastError = err
      if (shardMissing(err)) {
        const i = shard.holders.indexOf(peerId)
        if (i >= 0) shard.holders.splice(i, 1)
        ctx.dropAllocation(shard, peerId, ctx.now())
      } else {
        // A peer that does not answer a re-dial is gone: its copies are dropped and the next attempt goes to a
        // replica or a re-placement. One that answers keeps its copies and may serve the retry.
        await ctx.recoverOrMarkDead(peerId)
      }
    }
  }
  throw new ShardUnavailableError(`shard ${shard.spec.id} failed ${attempts} attempts: ${(lastError as Error)?.message ?? String(lastError)}`, { cause: lastError })
}

async function callOn (ctx: RunContext, shard: ShardState, peerId: string, input: Float32Array, batch: number, noiseKey: string | undefined): Promise<Float32Array> {
  const queuedAt = ctx.now()
  const slots = ctx.slotsOf(peerId)
  // Outstanding from the moment the call is routed here, waiting for a slot included: routing reads this.
  ctx.pending.set(peerId, (ctx.pending.get(peerId) ?? 0) + 1)
  let acquired = false
  let startMs = queuedAt
  try {
    await slots.acquire()
    acquired = true
    startMs = ctx.now()
    const delay = ctx.emulatedDelayMs(peerId)
    await sleep(delay)
    const reply = await ctx.client(peerId).execute({ shardId: ctx.remoteId(shard.spec.id), input, batch, ...(noiseKey !== undefined ? { noiseKey } : {}) })
    await sleep(delay)
    if (reply.output.length !== batch * shard.cols) {
      throw new BadShardReplyError(`shard ${shard.spec.id} on ${peerId} returned ${reply.output.length} values, expected ${batch}×${shard.cols}`)
    }
    const endMs = ctx.now()
    ctx.recorder.call({ peerId, shardId: shard.spec.id, startMs, endMs, queuedMs: startMs - queuedAt, ok: true, deviceTimeNs: reply.deviceTimeNs, macs: reply.macs })
    const latencyMs = endMs - startMs
    const serviceMs = reply.deviceTimeNs / 1e6
    ctx.recentBusy.record(peerId, endMs, serviceMs)
    // Short-term throughput is the rate available to this coordinator and comes from the gossip (see the
    // coordinator); the device speed a call shows goes to long-term memory, where it tracks the peer's trend.
    const throughput = reply.deviceTimeNs > 0 ? reply.macs / (reply.deviceTimeNs / 1e9) : undefined
    ctx.shortTerm.observe(peerId, { latencyMs, serviceMs, ok: true }, endMs)
    ctx.longTerm.observe(peerId, { ok: true, latencyMs, ...(throughput !== undefined ? { throughput } : {}) }, endMs)
    return reply.output
  } catch (err) {
    const endMs = ctx.now()
    if (!(err instanceof BusyError)) {
      ctx.recorder.call({ peerId, shardId: shard.spec.id, startMs, endMs, queuedMs: startMs - queuedAt, ok: false, deviceTimeNs: 0, macs: 0, error: `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}` })
      ctx.shortTerm.observe(peerId, { ok: false }, endMs)
      ctx.longTerm.observe(peerId, { ok: false }, endMs)
    }
    throw err
  } finally {
    ctx.pending.set(peerId, (ctx.pending.get(peerId) ?? 1) - 1)
    if (acquired) slots.release()
  }
}

/**
 * Re-places a shard that lost every copy: the policy chooses among the live peers, the coordinator programs
 * the copy from its weights. Concurrent callers share one re-placement. Throws {@link ShardUnavailableError}
 * when no live peer can take it.
 */
export async function replaceShard (ctx: RunContext, shard: ShardState): Promise<void> {
  if (shard.replacing !== undefined) {
    await shard.replacing
    return
  }
  shard.replacing = (async () => {
    const tried = new Set<string>()
    for (;;) {
      const peers = ctx.views().filter((v) => !tried.has(v.peerId))
      const placement = ctx.policy.place({ shards: [{ ...shard.spec, replicas: 1 }], peers, nowMs: ctx.now(), rng: ctx.rng })
      const peerId = placement.assignments.get(shard.spec.id)?.[0]
      if (peerId === undefined) {
        throw new ShardUnavailableError(`no live peer can take shard ${shard.spec.id}: ${placement.reasons.get(shard.spec.id) ?? 'no candidates'}`)
      }
      tried.add(peerId)
      try {
        await programCopy(ctx, shard, peerId)
        shard.holders.push(peerId)
        ctx.recorder.replacements++
        return
      } catch (err) {
        ctx.recorder.uploadFailures.push(`${shard.spec.id} → ${peerId}: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`)
        if (peerFailed(err)) await ctx.recoverOrMarkDead(peerId)
      }
    }
  })()
  try {
    await shard.replacing
  } finally {
    shard.replacing = undefined
  }
}
