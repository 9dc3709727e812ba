/**
 * Invariants checked on every step of a simulated run, in the spirit of TigerBeetle's simulator: the model runs
 * with faults injected and a checker that stops the run at the first state the system must never reach.
 *
 * - no request lost: every request that arrived is waiting, running, answered or in a batch that failed with a
 *   reason — checked as an identity after every batch event and at the end (nothing left waiting or running);
 * - no request duplicated: no request id is answered twice;
 * - no tile over-committed: a peer never holds more tiles than it has, and its tiles in use are the sum of its
 *   copies' — checked on every reservation and release;
 * - last copy never removed: no reconfiguration action leaves a shard that had an active copy before a step
 *   without one after it (copies lost to a departure are not actions).
 */
import { InvariantViolationError } from './errors.js'
import type { ModelledPeer } from './peer-model.js'

/** Counts of a run's requests by state. */
export interface RequestLedger {
  arrived: number
  waiting: number
  running: number
  answered: number
  failed: number
}

/** Faults that make the model behave like a bug (so a test can see the checker catch each). */
export interface BugFaults {
  /** The next reservation skips the capacity check. */
  overcommitNextReservation: boolean
  /** The next answered batch is recorded twice. */
  duplicateNextAnswer: boolean
  /** The next answered batch is dropped without being counted anywhere. */
  dropNextAnswer: boolean
  /** The next reconfiguration step also releases the only active copy of the first shard with one. */
  releaseLastCopy: boolean
}

/** The checker of one run; `violations` lists what failed (it also throws at the first one when `strict`). */
export class InvariantChecker {
  readonly violations: string[] = []
  readonly bugs: BugFaults = { overcommitNextReservation: false, duplicateNextAnswer: false, dropNextAnswer: false, releaseLastCopy: false }
  /** Checks done so far. */
  checks = 0
  private readonly strict: boolean
  private answeredOnce = new Uint8Array(1024)

  constructor (strict: boolean) {
    this.strict = strict
  }

  private fail (what: string): void {
    this.violations.push(what)
    if (this.strict) throw new InvariantViolationError(what)
  }

  /** Reserves tiles on a peer for a copy (the peer refuses when they are not free), then checks its ledger. */
  reserve (peer: ModelledPeer, key: string, tiles: number): boolean {
    let ok: boolean
    if (this.bugs.overcommitNextReservation && peer.alive && !peer.copies.has(key)) {
      this.bugs.overcommitNextReservation = false
      peer.copies.set(key, tiles + peer.tilesFree + 1)
      peer.tilesUsed += tiles + peer.tilesFree + 1
      ok = true
    } else {
      ok = peer.reserve(key, tiles)
    }
    this.checkTiles(peer)
    return ok
  }

  /** A peer's tiles in use are its copies' and never more than it has. */
  checkTiles (peer: ModelledPeer): void {
    this.checks++
    let sum = 0
    for (const t of peer.copies.values()) sum += t
    if (sum !== peer.tilesUsed) this.fail(`peer ${peer.spec.id}: ${peer.tilesUsed} tiles in use, its copies hold ${sum}`)
    if (peer.tilesUsed > peer.spec.tiles) this.fail(`peer ${peer.spec.id}: ${peer.tilesUsed} tiles committed of ${peer.spec.tiles}`)
  }

  /** Requests `first … first + n − 1` answered: none may have been answered before. */
  answered (first: number, n: number): void {
    this.checks++
    if (first + n > this.answeredOnce.length) {
      const grown = new Uint8Array(Math.max(first + n, this.answeredOnce.length * 2))
      grown.set(this.answeredOnce)
      this.answeredOnce = grown
    }
    for (let id = first; id < first + n; id++) {
      if (this.answeredOnce[id] !== 0) {
        this.fail(`request ${id} answered twice`)
        return
      }
      this.answeredOnce[id] = 1
    }
  }

  /** The ledger adds up: every request that arrived is waiting, running, answered or failed. */
  ledger (l: RequestLedger, atEnd: boolean): void {
    this.checks++
    const accounted = l.waiting + l.running + l.answered + l.failed
    if (accounted !== l.arrived) this.fail(`requests: ${l.arrived} arrived, ${accounted} accounted for (waiting ${l.waiting}, running ${l.running}, answered ${l.answered}, failed ${l.failed})`)
    if (atEnd && l.waiting + l.running > 0) this.fail(`run ended with ${l.waiting} requests waiting and ${l.running} running`)
  }

  /** After a step's actions: every shard that had an active copy before still has one. */
  lastCopies (before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): void {
    this.checks++
    for (const [shardId, active] of before) {
      if (active > 0 && (after.get(shardId) ?? 0) === 0) this.fail(`shard ${shardId}: a reconfiguration action removed its last active copy`)
    }
  }
}
