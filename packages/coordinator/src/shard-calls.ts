/**
 * Shard calls with recovery: each call goes to a live copy of its shard (the policy's route picks among several).
 * A call that times out or fails on a peer that is still connected makes the peer suspect: it is backed off, its
 * timeout grows, and the call is retried on another copy or on the same peer once the back-off ends. Only a peer
 * that departed (connection closed and a re-dial fails) loses its copies; a shard left without a live copy is
 * re-placed by the policy on the remaining peers and programmed again from the coordinator's copy of the weights,
 * and while no peer can take it the call waits and looks for peers again, up to the batch deadline. Every call is
 * observed into both memories.
 */
import { logger } from '@libp2p/logger'
import { hasErrorCode } from '@tessera/errors'
import { ErrorCode, isTransientRefusal, RequestTimeoutError } from '@tessera/wire'
import type { ExecuteResultReply } from '@tessera/wire'
import { BUSY_RETRY_DELAY_MS, MAX_NO_PEER_RETRY_MS, NO_PEER_RETRY_MS } from './constants.js'
import { AnswerRejectedError, BadShardReplyError, BatchDeadlineError, ShardUnavailableError } from './errors.js'
import { copyUnusable, peerIsLeaving } from './failure-kinds.js'
import { backoffMs } from './health.js'
import { programCopy, uploadFailed } from './program.js'
import type { RunContext } from './run-context.js'
import { removeCopy } from './shard-state.js'
import type { ShardState } from './shard-state.js'
import { sleep } from './sleep.js'

const log = logger('tessera:coordinator:calls')

/** Most BUSY replies tolerated per call (they do not count as failures, but must not loop forever). */
const MAX_BUSY_RETRIES = 200

/** Views older than this are good enough for routing among replicas. */
const ROUTE_VIEW_MAX_AGE_MS = 100

/** The copies of `shard` that can serve now: active ones, else draining ones (they still hold its weights). */
function liveCopies (ctx: RunContext, shard: ShardState): string[] {
  const live = shard.holders.filter((p) => !ctx.dead.has(p))
  if (live.length > 0) return live
  // Between two reconfiguration steps a shard may have only draining copies left.
  const draining = shard.draining.filter((p) => !ctx.dead.has(p))
  // A flagged peer's quarantined copy serves (its answers checked) until its replacement is up (verify.ts).
  return draining.length > 0 ? draining : [...shard.quarantined]
}

/**
 * Gets `shard` a live copy again; resolves to undefined once it has one, or to why it has none yet after waiting
 * (`waits` earlier attempts lengthen the wait) and looking for peers again.
 */
async function restoreCopy (ctx: RunContext, shard: ShardState, deadline: number, waits: number): Promise<unknown> {
  try {
    // With a reconfiguration loop, restoring copies is its job (a second re-placement here would race it).
    if (ctx.reconfiguration !== undefined) await ctx.reconfiguration.restore(shard, deadline)
    else await replaceShard(ctx, shard)
    return undefined
  } catch (err) {
    // No peer can take the shard right now: wait, look for peers again (a departed one may be back, a new one may
    // have joined, a busy one may have room), and try again until the deadline.
    await sleep(Math.min(backoffMs(NO_PEER_RETRY_MS, MAX_NO_PEER_RETRY_MS, waits), deadline - ctx.now()))
    await ctx.refreshPeers()
    return err
  }
}

/** After a failed call on `peerId`: drops an unusable copy, or backs off a peer still there (a departed one is marked dead). */
async function afterFailedCall (ctx: RunContext, shard: ShardState, peerId: string, err: unknown): Promise<void> {
  // A wrong answer: the peer is flagged and evicted, the batch is recomputed on another copy (see verify.ts).
  if (err instanceof AnswerRejectedError) {
    ctx.verification?.flag(ctx, peerId, 'failed-check', shard.spec.id)
    return
  }
  // A peer that answers with internal errors too often is flagged too (timeouts are not counted: slow is no lie).
  if (hasErrorCode(err, ErrorCode.INTERNAL) && ctx.verification?.countCall(ctx, peerId, false) === true) return
  if (peerIsLeaving(err)) {
    // Every copy on it goes now, re-placed while it still finishes the calls in flight.
    ctx.peerLeaving(peerId)
  } else if (copyUnusable(err)) {
    removeCopy(shard, peerId)
    ctx.dropAllocation(shard, peerId, ctx.now())
  } else if (await ctx.recoverOrMarkDead(peerId)) {
    // Still there, so slow or flaky (a loaded host times out too): back it off rather than give up on it.
    ctx.health.failed(peerId, ctx.now())
  }
  // A departed peer has lost its copies: the next turn goes to a replica or re-places the shard.
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
    const live = liveCopies(ctx, shard)
    if (live.length === 0) {
      const why = await restoreCopy(ctx, shard, deadline, waits)
      if (why === undefined) waits = 0
      else {
        waits++
        lastError = why
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
      const output = await callOn(ctx, shard, peerId, input, batch, noiseKey, Math.min(ctx.health.timeoutMs(peerId), left))
      if (ctx.verification?.wantsReplica() === true) await spotReplicate(ctx, shard, peerId, input, output, batch, noiseKey, left)
      return output
    } catch (err) {
      if (isTransientRefusal(err) && busy < MAX_BUSY_RETRIES) {
        busy++
        await sleep(BUSY_RETRY_DELAY_MS)
        continue
      }
      lastError = err
      await afterFailedCall(ctx, shard, peerId, err)
    }
  }
}

/** Observes a call answered by `peerId` into the run's record, the peer's health and both memories. */
function observeAnswer (ctx: RunContext, shard: ShardState, peerId: string, times: { queuedAt: number, startMs: number }, reply: Pick<ExecuteResultReply, 'deviceTimeNs' | 'macs'>, checked: boolean): void {
  const { queuedAt, startMs } = times
  const endMs = ctx.now()
  ctx.recorder.call({ peerId, shardId: shard.spec.id, startMs, endMs, queuedMs: startMs - queuedAt, ok: true, deviceTimeNs: reply.deviceTimeNs, macs: reply.macs })
  const latencyMs = endMs - startMs
  ctx.health.succeeded(peerId, latencyMs)
  const serviceMs = reply.deviceTimeNs / 1e6
  ctx.recentBusy.record(peerId, endMs, serviceMs, reply.macs)
  // Short-term throughput is the rate available to this coordinator: the device speed this call saw, scaled by
  // what the gossip says others leave free (see load-gossip.ts) — a host that slows down shows it within a few
  // calls. The speed itself goes to long-term memory, where it tracks the peer's usual speed and trend.
  const throughput = reply.deviceTimeNs > 0 ? reply.macs / (reply.deviceTimeNs / 1e9) : undefined
  const available = throughput === undefined ? undefined : throughput * (1 - ctx.recentBusy.others(peerId))
  ctx.shortTerm.observe(peerId, { latencyMs, serviceMs, ok: true, ...(available !== undefined && available > 0 ? { throughput: available } : {}) }, endMs)
  // Reputation (long-term memory): the answer passed its check, and the speed the record claimed for the call.
  const claimGflops = ctx.targets.get(peerId)?.record.throughputGflopPerSecond
  ctx.longTerm.observe(peerId, {
    ok: true,
    latencyMs,
    ...(throughput !== undefined ? { throughput } : {}),
    ...(checked ? { checkPassed: true } : {}),
    ...(claimGflops !== undefined && claimGflops > 0 ? { claimedThroughput: (claimGflops * 1e9) / 2 } : {})
  }, endMs)
}

/** Observes a failed call (a BUSY reply is no failure of the peer: it is only retried). */
function observeFailure (ctx: RunContext, shard: ShardState, peerId: string, times: { queuedAt: number, startMs: number }, err: unknown): void {
  if (isTransientRefusal(err)) return
  const { queuedAt, startMs } = times
  const endMs = ctx.now()
  log('call of %s on %s failed: %e', shard.spec.id, peerId, err)
  ctx.recorder.call({ peerId, shardId: shard.spec.id, startMs, endMs, queuedMs: startMs - queuedAt, ok: false, deviceTimeNs: 0, macs: 0, error: `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}` })
  ctx.shortTerm.observe(peerId, { ok: false }, endMs)
  ctx.longTerm.observe(peerId, {
    ok: false,
    ...(err instanceof RequestTimeoutError ? { timedOut: true } : {}),
    ...(err instanceof AnswerRejectedError ? { checkPassed: false } : {})
  }, endMs)
}

/** One execute of `shard` on `peerId` within `timeoutMs`, emulated delay included; checks the reply's size. */
async function executeOn (ctx: RunContext, shard: ShardState, peerId: string, input: Float32Array, batch: number, noiseKey: string | undefined, timeoutMs: number): Promise<Pick<ExecuteResultReply, 'output' | 'deviceTimeNs' | 'macs'>> {
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
  return reply
}

async function callOn (ctx: RunContext, shard: ShardState, peerId: string, input: Float32Array, batch: number, noiseKey: string | undefined, timeoutMs: number): Promise<Float32Array> {
  const queuedAt = ctx.now()
  const times = { queuedAt, startMs: queuedAt }
  const slots = ctx.slotsOf(peerId)
  // Outstanding from the moment the call is routed here, waiting for a slot included: routing reads this.
  ctx.pending.set(peerId, (ctx.pending.get(peerId) ?? 0) + 1)
  shard.inFlight.set(peerId, (shard.inFlight.get(peerId) ?? 0) + 1)
  let acquired = false
  try {
    await slots.acquire()
    acquired = true
    times.startMs = ctx.now()
    const reply = await executeOn(ctx, shard, peerId, input, batch, noiseKey, timeoutMs)
    const verdict = ctx.verification?.check(ctx, shard, peerId, input, reply.output, batch)
    if (verdict !== undefined && !verdict.accepted) {
      throw new AnswerRejectedError(`answer of ${peerId} for shard ${shard.spec.id} is outside its device's acceptance region (S ${verdict.statistic.toPrecision(3)} > ${verdict.threshold.toPrecision(3)})`)
    }
    ctx.verification?.countCall(ctx, peerId, true)
    observeAnswer(ctx, shard, peerId, times, reply, verdict !== undefined)
    ctx.verification?.checkClaim(ctx, peerId)
    return reply.output
  } catch (err) {
    observeFailure(ctx, shard, peerId, times, err)
    throw err
  } finally {
    ctx.pending.set(peerId, (ctx.pending.get(peerId) ?? 1) - 1)
    shard.inFlight.set(peerId, (shard.inFlight.get(peerId) ?? 1) - 1)
    if (acquired) slots.release()
  }
}

/**
 * Spot replication: asks a second live copy of `shard` for the same batch (same noise key) and compares the two
 * accepted answers. Best effort: a failure of the second call only costs the comparison.
 */
async function spotReplicate (ctx: RunContext, shard: ShardState, first: string, input: Float32Array, output: Float32Array, batch: number, noiseKey: string | undefined, leftMs: number): Promise<void> {
  const nowMs = ctx.now()
  const second = liveCopies(ctx, shard).find((p) => p !== first && ctx.health.suspectUntil(p) <= nowMs)
  if (second === undefined) return
  try {
    const other = await callOn(ctx, shard, second, input, batch, noiseKey, Math.min(ctx.health.timeoutMs(second), leftMs))
    ctx.verification?.compare(ctx, shard, first, second, input, output, other, batch)
  } catch (err) {
    log('spot replication of %s on %s failed: %e', shard.spec.id, second, err)
    if (err instanceof AnswerRejectedError) ctx.verification?.flag(ctx, second, 'failed-check', shard.spec.id)
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
        const peerMayBeGone = uploadFailed(ctx, shard, peerId, err)
        if (isTransientRefusal(err) && busy < MAX_BUSY_RETRIES) {
          busy++
          await sleep(BUSY_RETRY_DELAY_MS)
          continue
        }
        tried.add(peerId)
        if (peerMayBeGone && await ctx.recoverOrMarkDead(peerId)) ctx.health.failed(peerId, ctx.now())
      }
    }
  })()
  try {
    await shard.replacing
  } finally {
    shard.replacing = undefined
  }
}
