/**
 * The reconfiguration loop of packages/coordinator/src/reconfigure-loop.ts, re-told as events: every
 * `intervalMs` the scheduler's pure step (`Reconfigurer.step`, unchanged) gets the run's shards, their copies
 * (`stepInputOf`: `replicasOf`), the peer views cut to the planned geometry (`targetViews`) and to other users' load
 * (`foreignLoadViews`), the peers marked dead and per-shard call rates; its actions are carried out
 * make-before-break — `program` (listed programming, then active), `drain`, `activate`, `release` (tiles freed on
 * the peer, then the allocation dropped). Discovery runs every `discoverEveryMs`. A call whose shard has no live
 * copy asks for a step at once and waits (polling every 10 ms) for the upload, as `ReconfigureLoop.restore`.
 * After every step the invariant checker sees that no action removed a shard's last active copy.
 */
import { activateProgrammed, createDemandMemory, RECONFIGURE_RESTORE_POLL_MS, removeCopy, stepInputOf } from '@tessera/coordinator'
import type { PeerTarget, ReconfigureLoopInit } from '@tessera/coordinator'
import type { ReconfigureAction, ReconfigureEvent, ReconfigureState, UnplacedShard } from '@tessera/scheduler'
import type { DesCoordinator, DesShard } from './coordinator-model.js'

/** Options of {@link startDesReconfigureLoop}: the real loop's. */
export type DesReconfigureInit = ReconfigureLoopInit

/** A running simulated loop. */
export interface DesReconfigureLoop {
  readonly events: ReconfigureEvent[]
  readonly errors: string[]
  steps: () => number
  stop: () => void
}

/** Starts the loop on a simulated coordinator and makes it the restorer of lost copies. */
export function startDesReconfigureLoop (c: DesCoordinator, init: DesReconfigureInit): DesReconfigureLoop {
  const events: ReconfigureEvent[] = []
  const errors: string[] = []
  const stepper = createDesStepper(c, init, events)
  let stopped = false
  let lastDiscoveryMs = c.now()

  const safeStep = (): void => {
    if (stopped) return
    try {
      stepper.step()
    } catch (err) {
      if ((err as { code?: string })?.code === 'ERR_DES_INVARIANT') throw err
      errors.push(`reconfiguration step failed: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`)
    }
  }

  const tick = (): void => {
    if (stopped) return
    safeStep()
    if (c.now() - lastDiscoveryMs >= init.discoverEveryMs) {
      lastDiscoveryMs = c.now()
      c.refreshPeers()
    }
    // The step is a timer of the coordinator's event loop: it runs once the loop is free.
    c.world.queue.after(init.intervalMs, c.world.loopCanStall ? () => { c.world.onLoop(tick) } : tick)
  }
  c.world.queue.after(init.intervalMs, tick)

  c.restore = restorer(c, safeStep, stepper.whyUnplaced)

  return {
    events,
    errors,
    steps: stepper.steps,
    stop: () => {
      stopped = true
      delete c.restore
    }
  }
}

/** One step of the simulated loop (as the real loop's `createStepper`): the scheduler's decision, carried out. */
interface DesStepper {
  step: () => void
  steps: () => number
  /** Why the last step left a shard unplaced (undefined when it did not). */
  whyUnplaced: (shardId: string) => string | undefined
}

function createDesStepper (c: DesCoordinator, init: DesReconfigureInit, events: ReconfigureEvent[]): DesStepper {
  const { reconfigurer } = init
  const rng = c.world.rng(`${init.seed}/reconfigure`)
  let state: ReconfigureState = reconfigurer.initialState({ knownPeers: c.views().map((v) => v.peerId) })
  let steps = 0
  let lastUnplaced = new Map<string, string>()
  const moves = desCopyMoves(c)
  const loadPerSec = demandTracker(c, init)
  const activeCount = (shard: DesShard): number => {
    let n = 0
    for (const p of shard.holders) if (!c.dead.has(p)) n++
    return n
  }
  // The shards a step's actions touch, with their active copies before the actions: only these can lose their
  // last copy to an action (the step itself is pure; copies lost to departures are not actions).
  const countsOf = (shards: Iterable<DesShard>): Map<string, number> => {
    const counts = new Map<string, number>()
    for (const shard of shards) counts.set(shard.spec.id, activeCount(shard))
    return counts
  }

  const step = (): void => {
    const nowMs = c.now()
    const shards = [...c.shards.values()]
    const result = reconfigurer.step(state, stepInputOf({ shards, views: c.views(0, stepCandidate(shards)), pending: c.pending, departed: c.dead, loadPerSec: loadPerSec(nowMs), nowMs, rng }))
    state = result.state
    steps++
    for (const event of result.events) {
      events.push(event)
      if (event.type === 'replace') c.recorder.replacements++
      init.onEvent?.(event)
    }
    const touched = new Set<DesShard>()
    for (const action of result.actions) {
      const shard = c.shards.get(action.shardId)
      if (shard !== undefined) touched.add(shard)
    }
    const before = countsOf(touched)
    for (const action of result.actions) moves.apply(action)
    const victim = c.invariants.bugs.releaseLastCopy ? shards.find((s) => activeCount(s) === 1) : undefined
    if (victim !== undefined) {
      // No action touched it, or it is in `before` already: its count now is its count before the actions.
      if (!before.has(victim.spec.id)) before.set(victim.spec.id, 1)
      touched.add(victim)
      c.invariants.bugs.releaseLastCopy = false
      moves.release(victim, victim.holders.find((p) => !c.dead.has(p)) as string, false)
    }
    c.invariants.lastCopies(before, countsOf(touched))
    lastUnplaced = new Map(result.unplaced.map((u: UnplacedShard) => [u.shardId, u.reason]))
    c.invalidateViews()
  }
  return { step, steps: () => steps, whyUnplaced: (shardId) => lastUnplaced.get(shardId) }
}

/** What a step's actions do to the simulated copies (as the real loop's copy-moves.ts). */
interface DesCopyMoves {
  apply: (action: ReconfigureAction) => void
  /** Takes the copy off `peerId`: tiles freed on the peer, then the allocation dropped (at once when it is gone). */
  release: (shard: DesShard, peerId: string, peerGone: boolean) => void
}

/**
 * Make-before-break on the simulated peers: `program` lists the copy as programming and uploads it (after a
 * release of the same copy in progress has freed its tiles), then activates it; `drain` and `activate` move it
 * between the lists; `release` frees its tiles.
 */
function desCopyMoves (c: DesCoordinator): DesCopyMoves {
  const releasing = new Map<string, Array<() => void>>()
  const key = (shard: DesShard, peerId: string): string => `${shard.spec.id}\u0000${peerId}`

  const release = (shard: DesShard, peerId: string, peerGone: boolean): void => {
    removeCopy(shard, peerId)
    if (!shard.tilesByHolder.has(peerId)) return
    if (peerGone) {
      c.dropAllocation(shard, peerId)
      return
    }
    const k = key(shard, peerId)
    releasing.set(k, [])
    c.releaseCopy(shard, peerId, () => {
      const waiting = releasing.get(k) ?? []
      releasing.delete(k)
      for (const w of waiting) w()
    })
  }

  const program = (shard: DesShard, peerId: string): void => {
    shard.programming.push(peerId)
    const upload = (): void => {
      c.programCopy(shard, peerId, (failure) => {
        if (failure !== undefined) {
          removeCopy(shard, peerId)
          if (failure === 'departed') c.recoverOrMarkDead(peerId, () => {})
          return
        }
        // Cancelled while uploading: give the tiles back.
        if (!activateProgrammed(shard, peerId)) release(shard, peerId, c.dead.has(peerId))
      })
    }
    const waiting = releasing.get(key(shard, peerId))
    if (waiting !== undefined) waiting.push(upload)
    else upload()
  }

  const apply = (action: ReconfigureAction): void => {
    const shard = c.shards.get(action.shardId)
    if (shard === undefined) return
    switch (action.kind) {
      case 'program': program(shard, action.peerId); break
      case 'drain': moveCopy(shard.holders, shard.draining, action.peerId); break
      case 'activate': moveCopy(shard.draining, shard.holders, action.peerId); break
      case 'release': release(shard, action.peerId, action.peerGone); break
    }
  }
  return { apply, release }
}

/**
 * Calls per second per shard: those answered in the trailing window, or what the shard was asked for lately when
 * that was more, decaying with `demandMemoryMs` (as the real loop's `loadPerSec`).
 */
function demandTracker (c: DesCoordinator, init: Pick<DesReconfigureInit, 'loadWindowMs' | 'demandMemoryMs'>): (nowMs: number) => Map<string, number> {
  const demandOf = createDemandMemory(init)
  return (nowMs) => {
    const from = nowMs - init.loadWindowMs
    const rates = new Map<string, number>()
    for (const [shardId, shard] of c.shards) {
      const times = shard.answeredAtMs
      let drop = 0
      while (drop < times.length && times[drop] < from) drop++
      if (drop > 0) times.splice(0, drop)
      rates.set(shardId, demandOf(shardId, times.length / (init.loadWindowMs / 1000), nowMs))
    }
    return rates
  }
}

/**
 * Restores a shard with no live copy (as `ReconfigureLoop.restore`): steps at once when nothing is being
 * programmed for it, then polls every 10 ms for the upload until the deadline.
 */
function restorer (c: DesCoordinator, step: () => void, unplacedReason: (shardId: string) => string | undefined): NonNullable<DesCoordinator['restore']> {
  const live = (shard: DesShard): boolean => shard.holders.some((p) => !c.dead.has(p)) || shard.draining.some((p) => !c.dead.has(p))
  return (shard, deadlineMs, done) => {
    const look = (): void => {
      if (live(shard)) {
        done(true, '')
        return
      }
      if (shard.programming.length === 0) {
        step()
        if (live(shard)) {
          done(true, '')
          return
        }
        if (shard.programming.length === 0) {
          done(false, `no live peer can take shard ${shard.spec.id}: ${unplacedReason(shard.spec.id) ?? 'nothing was placed'}`)
          return
        }
      }
      const left = deadlineMs - c.now()
      if (left <= 0) {
        done(false, `shard ${shard.spec.id} had no live copy before the batch deadline`)
        return
      }
      c.world.queue.after(Math.min(RECONFIGURE_RESTORE_POLL_MS, left), look)
    }
    look()
  }
}

/**
 * The targets `targetViews` keeps (the planned tile geometry, or holding a copy), read off their records before
 * their views are built: the same views, without building those it would drop.
 */
function stepCandidate (shards: readonly DesShard[]): (target: PeerTarget) => boolean {
  const geometries = new Set<number>()
  const holding = new Set<string>()
  for (const s of shards) {
    geometries.add(s.spec.geometry.rows * 65536 + s.spec.geometry.cols)
    for (const p of s.holders) holding.add(p)
    for (const p of s.programming) holding.add(p)
    for (const p of s.draining) holding.add(p)
  }
  return (t) => holding.has(t.peerId) || geometries.has(t.record.device.geometry.rows * 65536 + t.record.device.geometry.cols)
}

function moveCopy (from: string[], to: string[], peerId: string): void {
  const i = from.indexOf(peerId)
  if (i < 0) return
  from.splice(i, 1)
  to.push(peerId)
}
