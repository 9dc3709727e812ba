/**
 * Shard calls with recovery: each call goes to a live copy of its shard (the policy's route picks among several).
 * A call that times out or fails on a peer that is still connected makes the peer suspect: it is backed off, its
 * timeout grows, and the call is retried on another copy or on the same peer once the back-off ends. Only a peer
 * that departed (connection closed and a re-dial fails) loses its copies; a shard left without a live copy is
 * re-placed by the policy on the remaining peers and programmed again from the coordinator's copy of the weights,
 * and while no peer can take it the call waits and looks for peers again, up to the batch deadline. Every call is
 * observed into both memories.
 */
import { BusyError, PeerLeavingError, RequestTimeoutError } from '@tessera/wire'
import type { RunContext, ShardState } from './context.js'
import { removeCopy, sleep } from './context.js'
import { BUSY_RETRY_DELAY_MS, MAX_NO_PEER_RETRY_MS, NO_PEER_RETRY_MS } from './constants.js'
import { BadShardReplyError, BatchDeadlineError, ShardUnavailableError } from './errors.js'
import { backoffMs } from './health.js'
import { programCopy } from './program.js'

/** Most BUSY replies tolerated per call (they do not count as failures, but must not loop forever). */
const MAX_BUSY_RETRIES = 200

/** Views older than this are good enough for routing among replicas. */
const ROUTE_VIEW_MAX_AGE_MS = 100

/** Whether an error says that this copy of the shard is unusable (missing on the peer, or answering garbage). */
function copyUnusable (err: unknown): boolean {
  return (err as { name?: string })?.name === 'UnknownShardError' || err instanceof BadShardReplyError
}

/**
 * Whether a failed upload says the peer is gone or broken (timeout, transport error, internal error) rather than
 * refusing this shard (no capacity left, another device preset): only the former takes the peer out of the run.
 */
export function peerFailed (err: unknown): boolean {
  const name = (err as { name?: string })?.name
  return !(name === 'InsufficientCapacityError' || name === 'DeviceMismatchError' || name === 'DuplicateShardError' || name === 'LimitedConnectionRefusedError' ||
    err instanceof PeerLeavingError)
}

/**
 * Runs one batch through one shard: `input` is `batch × shard.rows`; resolves to `batch × shard.cols`. Every
 * attempt carries the same `noiseKey`, so a retry on another copy (programmed with the same seed) reads the same
 * noise as the first attempt would have.
 */
export async function callShard (ctx: RunContext, shard: ShardState, input: Float32Array, batch: number, noiseKey?: string, deadlineMs?: number): Promise<Float32Array> {
  const deadline = deadlineMs ?? ctx.now() + ctx.settings.batchDeadlineMs
  let busy = 0
  let waits = 0
  let lastError: unknown
  for (;;) {
    const left = deadline - ctx.now()
    if (left <= 0) {
      throw new BatchDeadlineError(`shard ${shard.spec.id}: no peer served the call within the batch deadline (${ctx.settings.batchDeadlineMs} ms); last error: ${(lastError as Error)?.message ?? String(lastError)}`, { cause: lastError })
    }
    let live = shard.holders.filter((p) => !ctx.dead.has(p))
    // Between two reconfiguration steps a shard may have only draining copies left: they still hold its weights.
    if (live.length === 0) live = shard.draining.filter((p) => !ctx.dead.has(p))
    if (live.length === 0) {
      try {
        // With a reconfiguration loop, restoring copies is its job (a second re-placement here would race it).
        if (ctx.reconfiguration !== undefined) await ctx.reconfiguration.restore(shard, deadline)
        else await replaceShard(ctx, shard)
        waits = 0
      } catch (err) {
        // No peer can take the shard right now: wait, look for peers again (a departed one may be back, a new one
        // may have joined, a busy one may have room), and try again until the deadline.
        lastError = err
        await sleep(Math.min(backoffMs(NO_PEER_RETRY_MS, MAX_NO_PEER_RETRY_MS, waits++), left))
        await ctx.refreshPeers()
      }
      continue
    }
    // Suspect copies wait out their back-off while another copy can serve.
    const nowMs = ctx.now()
    const ready = live.filter((p) => ctx.health.suspectUntil(p) <= nowMs)
    if (ready.length === 0) {
      await sleep(Math.min(Math.min(...live.map((p) => ctx.health.suspectUntil(p))) - nowMs, left))
      continue
    }
    const peerId = ready.length === 1
      ? ready[0]
      : ctx.policy.route({ shard: shard.spec, replicas: ready, peers: ctx.views(ROUTE_VIEW_MAX_AGE_MS), nowMs, rng: ctx.rng, pending: ctx.pending }) ?? ready[0]
    try {
      return await callOn(ctx, shard, peerId, input, batch, noiseKey, Math.min(ctx.health.timeoutMs(peerId), left))
    } catch (err) {
      if (err instanceof BusyError && busy < MAX_BUSY_RETRIES) {
        busy++
        await sleep(BUSY_RETRY_DELAY_MS)
        continue
      }
      lastError = err
      if (err instanceof PeerLeavingError) {
        // The peer said it is leaving: every copy it holds goes, re-placed while it still finishes calls in flight.
        ctx.markDead(peerId, 'leaving')
      } else if (copyUnusable(err)) {
        removeCopy(shard, peerId)
        ctx.dropAllocation(shard, peerId, ctx.now())
      } else if (await ctx.recoverOrMarkDead(peerId)) {
        // Still there, so slow or flaky (a loaded host times out too): back it off rather than give up on it.
        ctx.health.failed(peerId, ctx.now())
      }
      // A departed peer has lost its copies: the next turn goes to a replica or re-places the shard.
    }
  }
}

async function callOn (ctx: RunContext, shard: ShardState, peerId: string, input: Float32Array, batch: number, noiseKey: string | undefined, timeoutMs: number): Promise<Float32Array> {
  const queuedAt = ctx.now()
  const slots = ctx.slotsOf(peerId)
  // Outstanding from the moment the call is routed here, waiting for a slot included: routing reads this.
  ctx.pending.set(peerId, (ctx.pending.get(peerId) ?? 0) + 1)
  shard.inFlight.set(peerId, (shard.inFlight.get(peerId) ?? 0) + 1)
  let acquired = false
  let startMs = queuedAt
  try {
    await slots.acquire()
    acquired = true
    startMs = ctx.now()
    const delay = ctx.emulatedDelayMs(peerId)
    await sleep(delay)
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)))
    let reply
    try {
      reply = await ctx.client(peerId).execute({ shardId: ctx.remoteId(shard.spec.id), input, batch, ...(noiseKey !== undefined ? { noiseKey } : {}), signal: timeout })
    } catch (err) {
      if (timeout.aborted) throw new RequestTimeoutError(`no reply from ${peerId} within ${Math.round(timeoutMs)} ms`)
      throw err
    }
    await sleep(delay)
    if (reply.output.length !== batch * shard.cols) {
      throw new BadShardReplyError(`shard ${shard.spec.id} on ${peerId} returned ${reply.output.length} values, expected ${batch}×${shard.cols}`)
    }
    const endMs = ctx.now()
    ctx.recorder.call({ peerId, shardId: shard.spec.id, startMs, endMs, queuedMs: startMs - queuedAt, ok: true, deviceTimeNs: reply.deviceTimeNs, macs: reply.macs })
    const latencyMs = endMs - startMs
    ctx.health.succeeded(peerId, latencyMs)
    const serviceMs = reply.deviceTimeNs / 1e6
    ctx.recentBusy.record(peerId, endMs, serviceMs, reply.macs)
    // Short-term throughput is the rate available to this coordinator: the device speed this call saw, scaled by
    // what the gossip says others leave free (see the coordinator) — a host that slows down shows it within a few
    // calls. The speed itself goes to long-term memory, where it tracks the peer's usual speed and trend.
    const throughput = reply.deviceTimeNs > 0 ? reply.macs / (reply.deviceTimeNs / 1e9) : undefined
    const available = throughput === undefined ? undefined : throughput * (1 - ctx.recentBusy.others(peerId))
    ctx.shortTerm.observe(peerId, { latencyMs, serviceMs, ok: true, ...(available !== undefined && available > 0 ? { throughput: available } : {}) }, endMs)
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
    shard.inFlight.set(peerId, (shard.inFlight.get(peerId) ?? 1) - 1)
    if (acquired) slots.release()
  }
}

/**
 * Re-places a shard that lost every copy: the policy chooses among the live peers, the coordinator programs
 * the copy from its weights. Concurrent callers share one re-placement. A peer that refuses the upload as BUSY
 * is asked again after a pause (its calls in flight take its stream slots, more so on a loaded host); one that
 * refuses or fails it otherwise is skipped for this re-placement. Throws {@link ShardUnavailableError} when no
 * live peer can take it now.
 */
export async function replaceShard (ctx: RunContext, shard: ShardState): Promise<void> {
  if (shard.replacing !== undefined) {
    await shard.replacing
    return
  }
  shard.replacing = (async () => {
    const tried = new Set<string>()
    let busy = 0
    for (;;) {
      const peers = ctx.views().filter((v) => !tried.has(v.peerId))
      const placement = ctx.policy.place({ shards: [{ ...shard.spec, replicas: 1 }], peers, nowMs: ctx.now(), rng: ctx.rng })
      const peerId = placement.assignments.get(shard.spec.id)?.[0]
      if (peerId === undefined) {
        throw new ShardUnavailableError(`no live peer can take shard ${shard.spec.id}: ${placement.reasons.get(shard.spec.id) ?? 'no candidates'}`)
      }
      try {
        await programCopy(ctx, shard, peerId)
        shard.holders.push(peerId)
        ctx.recorder.replacements++
        return
      } catch (err) {
        ctx.recorder.uploadFailures.push(`${shard.spec.id} → ${peerId}: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`)
        if (err instanceof BusyError && busy < MAX_BUSY_RETRIES) {
          busy++
          await sleep(BUSY_RETRY_DELAY_MS)
          continue
        }
        tried.add(peerId)
        if (peerFailed(err) && await ctx.recoverOrMarkDead(peerId)) ctx.health.failed(peerId, ctx.now())
      }
    }
  })()
  try {
    await shard.replacing
  } finally {
    shard.replacing = undefined
  }
}
