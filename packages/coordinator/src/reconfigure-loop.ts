/**
 * The effects of continuous reconfiguration: every `intervalMs` the loop hands the run's placement and what the
 * dual memory now says to the scheduler's pure reconfiguration step, logs its decisions and carries out its
 * actions on the shards of the run — make-before-break:
 *
 * - `program`: the copy is listed `programming` (no calls) while the coordinator uploads it from its copy of the
 *   weights, then `active`; a failed upload drops it (a peer that does not answer is checked for departure);
 * - `drain`: the copy takes no new calls; calls in flight on it finish;
 * - `activate`: a draining copy takes calls again (the shard's other copies are gone);
 * - `release`: the copy's tiles are freed on its peer (once the release of that peer has finished, a new upload of
 *   the same shard to it may start) and it leaves the placement; a call still in flight on it fails with
 *   UNKNOWN_SHARD and is retried on another copy, so no request is lost.
 *
 * A call that finds its shard without any live copy asks the loop to {@link ReconfigureLoop.restore} it: the loop
 * steps at once (the step re-places lost copies without hysteresis) instead of waiting for its next tick.
 * Discovery runs every `discoverEveryMs`, so peers that join are admitted and become targets.
 */
import { createRng } from '@tessera/crossbar'
import type { Rng } from '@tessera/crossbar'
import type { MetricSummary } from '@tessera/memory'
import type { PeerView, ReconfigureEvent, Reconfigurer, ReconfigureState, ReplicaView, UnplacedShard } from '@tessera/scheduler'
import type { RunContext, ShardState } from './context.js'
import { removeCopy, sleep } from './context.js'
import { ShardUnavailableError } from './errors.js'
import { programCopy } from './program.js'
import { peerFailed } from './shard-calls.js'

/** How often a call waiting for a restored copy looks again, ms. */
const RESTORE_POLL_MS = 10

/** Options of {@link startReconfigureLoop}. */
export interface ReconfigureLoopInit {
  reconfigurer: Reconfigurer
  /** Time between two steps, ms. */
  intervalMs: number
  /** Time between two discovery rounds (peers that joined), ms. */
  discoverEveryMs: number
  /** Trailing window the per-shard call rates are measured over, ms. */
  loadWindowMs: number
  /** Time constant of the remembered per-shard call rate, ms (a dip in calls answered is not a drop in demand). */
  demandMemoryMs: number
  /** Seed of the step's tie-breaking. */
  seed: string
  /** Called for every decision as it is taken. */
  onEvent?: (event: ReconfigureEvent) => void
}

/** A running reconfiguration loop. */
export interface ReconfigureLoop {
  /** Every decision so far, in order. */
  readonly events: ReconfigureEvent[]
  /** Steps of the timer that failed, in words (a step a call asked for fails that call instead). */
  readonly errors: string[]
  /** Steps taken so far. */
  steps: () => number
  /** Takes a step now (after one already under way), without waiting for the timer. */
  stepNow: () => Promise<void>
  /**
   * Resolves once `shard` has a live copy again: steps now if nothing is being programmed for it, then waits for
   * the upload. Throws {@link ShardUnavailableError} when the step could not place it (no peer can take it now)
   * or the deadline passes.
   */
  restore: (shard: ShardState, deadlineMs: number) => Promise<void>
  /** Stops stepping and waits for uploads and releases in progress. */
  stop: () => Promise<void>
}

/** The shard's copies as the step reads them. */
export function replicasOf (shard: ShardState): ReplicaView[] {
  const inFlight = (peerId: string): number => Math.max(0, shard.inFlight.get(peerId) ?? 0)
  return [
    ...shard.holders.map((peerId) => ({ peerId, state: 'active' as const, inFlight: inFlight(peerId) })),
    ...shard.programming.map((peerId) => ({ peerId, state: 'programming' as const, inFlight: 0 })),
    ...shard.draining.map((peerId) => ({ peerId, state: 'draining' as const, inFlight: inFlight(peerId) }))
  ]
}

const SUMMARY_FIELDS = ['latest', 'mean', 'ema', 'p50', 'p95', 'min', 'max'] as const

/**
 * Views for the step with the peers' reported queues cut to other users' calls. A peer's gossip counts every call
 * queued or running on it, this coordinator's own included; the step models its own load from call rates and
 * would count it twice (in a closed loop every peer that serves us would look saturated). Calls this coordinator
 * has outstanding on a peer are taken off its reported queue and in-flight counts.
 */
export function foreignLoadViews (views: readonly PeerView[], outstanding: ReadonlyMap<string, number>): PeerView[] {
  return views.map((v) => {
    const st = v.shortTerm
    if (st === undefined || (st.queueDepth === undefined && st.inFlight === undefined)) return v
    const ours = Math.max(0, outstanding.get(v.peerId) ?? 0)
    const queue = { ...(st.queueDepth ?? st.inFlight) } as MetricSummary
    for (const f of SUMMARY_FIELDS) queue[f] = Math.max(0, (st.queueDepth?.[f] ?? 0) + (st.inFlight?.[f] ?? 0) - ours)
    const none: MetricSummary = { ...queue, latest: 0, mean: 0, ema: 0, p50: 0, p95: 0, min: 0, max: 0 }
    return { ...v, shortTerm: { ...st, queueDepth: queue, inFlight: none } }
  })
}

/**
 * The peers the step may use: those whose tiles have the geometry a shard was planned for (a shard cut for
 * 128×128 tiles on a 512×512 tile leaves 15/16 of it empty — the planner chose the geometry, moves keep it), plus
 * every peer holding a copy now (the step must see each copy's peer).
 */
export function targetViews (views: readonly PeerView[], shards: Iterable<ShardState>): PeerView[] {
  const geometries = new Set<string>()
  const holding = new Set<string>()
  for (const s of shards) {
    geometries.add(`${s.spec.geometry.rows}x${s.spec.geometry.cols}`)
    for (const p of [...s.holders, ...s.programming, ...s.draining]) holding.add(p)
  }
  return views.filter((v) => holding.has(v.peerId) || geometries.has(`${v.device.geometry.rows}x${v.device.geometry.cols}`))
}

/** Moves a copy from one list of a shard's copies to another (no-op when it is not in `from`). */
function moveCopy (from: string[], to: string[], peerId: string): void {
  const i = from.indexOf(peerId)
  if (i < 0) return
  from.splice(i, 1)
  to.push(peerId)
}

/** Starts the loop on a run's context and registers it as the context's restorer of lost copies. */
export function startReconfigureLoop (ctx: RunContext, init: ReconfigureLoopInit): ReconfigureLoop {
  const { reconfigurer } = init
  const rng: Rng = createRng(`${init.seed}/reconfigure`)
  const events: ReconfigureEvent[] = []
  const errors: string[] = []
  let state: ReconfigureState = reconfigurer.initialState({ knownPeers: ctx.views().map((v) => v.peerId) })
  let steps = 0
  let stopped = false
  let lastUnplaced = new Map<string, string>()
  let lastDiscoveryMs = ctx.now()
  const work = new Set<Promise<void>>()
  const releasing = new Map<string, Promise<void>>()
  const copyKey = (shard: ShardState, peerId: string): string => `${shard.spec.id}\u0000${peerId}`
  const track = (p: Promise<void>): void => {
    work.add(p)
    void p.finally(() => work.delete(p))
  }

  // Calls per second per shard: those answered in the trailing window (from the run's call records, newest
  // last), or what the shard was asked for lately when that was more, decaying with `demandMemoryMs`.
  const demand = new Map<string, { rate: number, atMs: number }>()
  const loadPerSec = (nowMs: number): Map<string, number> => {
    const from = nowMs - init.loadWindowMs
    const counts = new Map<string, number>()
    const calls = ctx.recorder.calls
    for (let i = calls.length - 1; i >= 0 && calls[i].endMs >= from; i--) if (calls[i].ok) counts.set(calls[i].shardId, (counts.get(calls[i].shardId) ?? 0) + 1)
    const rates = new Map<string, number>()
    for (const shardId of ctx.shards.keys()) {
      const measured = (counts.get(shardId) ?? 0) / (init.loadWindowMs / 1000)
      const before = demand.get(shardId)
      const remembered = before === undefined ? 0 : before.rate * Math.exp(-(nowMs - before.atMs) / init.demandMemoryMs)
      const rate = Math.max(measured, remembered)
      demand.set(shardId, { rate, atMs: nowMs })
      rates.set(shardId, rate)
    }
    return rates
  }

  const program = (shard: ShardState, peerId: string): void => {
    shard.programming.push(peerId)
    track((async () => {
      await releasing.get(copyKey(shard, peerId))
      try {
        await programCopy(ctx, shard, peerId)
      } catch (err) {
        removeCopy(shard, peerId)
        ctx.recorder.uploadFailures.push(`${shard.spec.id} → ${peerId}: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`)
        if (peerFailed(err)) await ctx.recoverOrMarkDead(peerId)
        return
      }
      const i = shard.programming.indexOf(peerId)
      if (i >= 0) {
        shard.programming.splice(i, 1)
        shard.holders.push(peerId)
        return
      }
      // Cancelled while uploading (the step gave up on it, or its peer departed): give the tiles back.
      release(shard, peerId, ctx.dead.has(peerId))
    })())
  }

  const release = (shard: ShardState, peerId: string, peerGone: boolean): void => {
    removeCopy(shard, peerId)
    if (!shard.tilesByHolder.has(peerId)) return // never programmed, or already released
    if (peerGone) {
      ctx.dropAllocation(shard, peerId, ctx.now())
      return
    }
    const key = copyKey(shard, peerId)
    const done = (async () => {
      await ctx.client(peerId).release(ctx.remoteId(shard.spec.id)).catch(() => {})
      ctx.dropAllocation(shard, peerId, ctx.now())
    })()
    releasing.set(key, done)
    track(done.finally(() => { if (releasing.get(key) === done) releasing.delete(key) }))
  }

  const step = (): void => {
    const nowMs = ctx.now()
    const shards = [...ctx.shards.values()]
    const result = reconfigurer.step(state, {
      shards: shards.map((s) => s.spec),
      replicas: new Map(shards.map((s) => [s.spec.id, replicasOf(s)])),
      peers: foreignLoadViews(targetViews(ctx.views(), shards), ctx.pending),
      departed: ctx.dead,
      loadPerSec: loadPerSec(nowMs),
      nowMs,
      rng
    })
    state = result.state
    steps++
    for (const event of result.events) {
      events.push(event)
      if (event.type === 'replace') ctx.recorder.replacements++
      init.onEvent?.(event)
    }
    for (const action of result.actions) {
      const shard = ctx.shards.get(action.shardId)
      if (shard === undefined) continue
      switch (action.kind) {
        case 'program': program(shard, action.peerId); break
        case 'drain': moveCopy(shard.holders, shard.draining, action.peerId); break
        case 'activate': moveCopy(shard.draining, shard.holders, action.peerId); break
        case 'release': release(shard, action.peerId, action.peerGone); break
      }
    }
    lastUnplaced = new Map(result.unplaced.map((u: UnplacedShard) => [u.shardId, u.reason]))
    ctx.invalidateViews()
  }

  // Steps never overlap: each waits for the one before (the step is synchronous; only its effects are not).
  let queued: Promise<void> | undefined
  const stepSoon = async (): Promise<void> => {
    queued ??= Promise.resolve().then(() => {
      queued = undefined
      if (!stopped) {
        step()
      }
    })
    await queued
  }

  const timer = setInterval(() => {
    // A step that throws (a bug, or input the core rejects) is reported with the run, and the next tick tries again.
    stepSoon().catch((err) => { errors.push(`reconfiguration step failed: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`) })
    if (ctx.now() - lastDiscoveryMs >= init.discoverEveryMs) {
      lastDiscoveryMs = ctx.now()
      track(ctx.refreshPeers().catch(() => {}))
    }
  }, init.intervalMs)

  const live = (shard: ShardState): boolean => shard.holders.some((p) => !ctx.dead.has(p)) || shard.draining.some((p) => !ctx.dead.has(p))

  const loop: ReconfigureLoop = {
    events,
    errors,
    steps: () => steps,
    stepNow: stepSoon,
    async restore (shard, deadlineMs) {
      for (;;) {
        if (live(shard)) return
        if (shard.programming.length === 0) {
          await stepSoon()
          if (live(shard)) return
          if (shard.programming.length === 0) {
            throw new ShardUnavailableError(`no live peer can take shard ${shard.spec.id}: ${lastUnplaced.get(shard.spec.id) ?? 'nothing was placed'}`)
          }
        }
        const left = deadlineMs - ctx.now()
        if (left <= 0) throw new ShardUnavailableError(`shard ${shard.spec.id} had no live copy before the batch deadline`)
        await sleep(Math.min(RESTORE_POLL_MS, left))
      }
    },
    async stop () {
      stopped = true
      clearInterval(timer)
      await queued
      while (work.size > 0) await Promise.allSettled([...work])
      if (ctx.reconfiguration === loop) delete ctx.reconfiguration
    }
  }
  ctx.reconfiguration = loop
  return loop
}
