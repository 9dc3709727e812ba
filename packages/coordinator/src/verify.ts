/**
 * Verification of peers' answers in a run: every answer a call accepts passes the projection check of its
 * holder's declared device (scheduler/verification/), so a peer that returns garbage, perturbed outputs or the
 * outputs of other weights is caught on its first wrong batch; that batch is recomputed on another copy (the call
 * is retried) and the peer is flagged. A flagged peer is evicted from the run: it takes no more calls, its copies
 * are re-placed elsewhere by the reconfiguration loop (or `replaceShard` without one), and placement no longer
 * sees it. A peer that answers its calls with errors too often (a fraction `maxErrorFraction` of at least
 * `minCallsForErrors` calls) is flagged as well. With probability `replicationProbability` a checked answer is
 * also asked of a second holder and the two compared (spot replication). A peer whose observed speed is below
 * `minConfirmedSpeed` × the speed its record claims (long-term memory's reputation, once it has enough calls) is
 * flagged as an over-claimer but not evicted: its answers are right, and the scheduler already counts its claim only
 * as far as its observed work confirms it (scheduler/claim.ts).
 */
import { randomBytes } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { createDeviceProfile, createRng } from '@tessera/crossbar'
import type { PresetName, Rng } from '@tessera/crossbar'
import { compareReplicas, createShardVerifier, DEFAULT_FALSE_ALARM_PER_CHECK, DEFAULT_PROJECTIONS } from '@tessera/scheduler'
import type { CheckVerdict, ShardVerifier } from '@tessera/scheduler'
import type { RunContext } from './run-context.js'
import { removeCopy } from './shard-state.js'
import type { ShardState } from './shard-state.js'

const log = logger('tessera:coordinator:verify')

/** Settings of a run's verification. */
export interface VerifyRunOptions {
  /**
   * Secret the sign vectors derive from (default: 16 random bytes of this process). The run's seed cannot serve:
   * peers receive it as their programming seed. Simulations pass one for reproducible runs.
   */
  secret?: string
  /** Secret projections per shard copy (default 16). */
  projections?: number
  /** False-alarm probability of one check of an honest device (default 2e−9). */
  falseAlarmPerCheck?: number
  /** Age of a copy the region must hold for, s (default one day: drift and 1/f noise only grow until then). */
  deviceAgeSeconds?: number
  /** Probability that a checked answer is compared with a second holder's (default 0.02). */
  replicationProbability?: number
  /** A peer answering at least this fraction of its calls with errors is flagged (default 0.2)… */
  maxErrorFraction?: number
  /** …once it has had at least this many calls (default 20). */
  minCallsForErrors?: number
  /** A peer observed below this fraction of its claimed speed is flagged as an over-claimer (default 1/3). */
  minConfirmedSpeed?: number
}

/** Why a peer was flagged. */
export type FlagReason = 'failed-check' | 'errors' | 'overclaim'

/** A peer flagged by verification. */
export interface FlaggedPeer {
  peerId: string
  reason: FlagReason
  /** When, on the coordinator's clock (ms). */
  atMs: number
  shardId?: string
  /** Taken out of the run (a wrong answer or too many errors); an over-claimer stays. */
  evicted: boolean
}

/** Counts of a run's verification. */
export interface VerificationStats {
  checks: number
  rejected: number
  replications: number
  /** Spot replications whose two answers disagreed (both had passed their own check; neither is flagged for it). */
  replicaMismatches: number
  /** Wall time spent checking, ms (the verification's own cost on the coordinator). */
  checkMs: number
  flagged: FlaggedPeer[]
}

/** The settings of a run's verification (its options but the secret). */
type VerifySettings = Required<Omit<VerifyRunOptions, 'secret'>>

/** What a run's verification uses where its options leave a setting out (the defaults {@link VerifyRunOptions} names). */
const VERIFY_DEFAULTS: Readonly<VerifySettings> = Object.freeze({
  projections: DEFAULT_PROJECTIONS,
  falseAlarmPerCheck: DEFAULT_FALSE_ALARM_PER_CHECK,
  deviceAgeSeconds: 86_400,
  replicationProbability: 0.02,
  maxErrorFraction: 0.2,
  minCallsForErrors: 20,
  minConfirmedSpeed: 1 / 3
})
const VERIFY_SETTINGS = Object.keys(VERIFY_DEFAULTS) as Array<keyof VerifySettings>

/** The verification of one run. */
export class RunVerification {
  readonly stats: VerificationStats = { checks: 0, rejected: 0, replications: 0, replicaMismatches: 0, checkMs: 0, flagged: [] }
  private readonly options: VerifySettings
  private readonly verifiers = new Map<string, ShardVerifier>()
  private readonly flaggedIds = new Set<string>()
  private readonly overclaimers = new Set<string>()
  private readonly calls = new Map<string, { ok: number, errors: number }>()
  private readonly rng: Rng
  private readonly secret: string
  private readonly onFlag?: (flag: FlaggedPeer) => void

  constructor (options: VerifyRunOptions = {}, onFlag?: (flag: FlaggedPeer) => void) {
    const settings = { ...VERIFY_DEFAULTS }
    for (const key of VERIFY_SETTINGS) settings[key] = options[key] ?? VERIFY_DEFAULTS[key]
    this.options = settings
    this.secret = options.secret ?? randomBytes(16).toString('hex')
    this.rng = createRng(`${this.secret}/replication`)
    if (onFlag !== undefined) this.onFlag = onFlag
  }

  isFlagged (peerId: string): boolean {
    return this.flaggedIds.has(peerId)
  }

  /** The verifier of `shard` on `peerId`'s declared device (built once per copy: O(K × rows × cols)). */
  private verifierOf (ctx: RunContext, shard: ShardState, peerId: string): ShardVerifier | undefined {
    const key = `${shard.spec.id}\n${peerId}`
    let v = this.verifiers.get(key)
    if (v !== undefined) return v
    const device = ctx.targets.get(peerId)?.record.device
    if (device === undefined) return undefined
    const profile = createDeviceProfile(device.preset as PresetName, { rows: device.geometry.rows, cols: device.geometry.cols, noiseLevel: device.noiseLevel })
    v = createShardVerifier({
      profile,
      weights: shard.weights,
      rows: shard.rows,
      cols: shard.cols,
      seed: `${this.secret}/${shard.spec.id}`,
      ageSeconds: this.options.deviceAgeSeconds,
      projections: this.options.projections,
      falseAlarmPerCheck: this.options.falseAlarmPerCheck
    })
    this.verifiers.set(key, v)
    return v
  }

  /** Checks one answer of `peerId`; resolves to the verdict (undefined when the peer's device is unknown). */
  check (ctx: RunContext, shard: ShardState, peerId: string, input: Float32Array, output: Float32Array, batch: number): CheckVerdict | undefined {
    const t0 = performance.now()
    const verdict = this.verifierOf(ctx, shard, peerId)?.check(input, output, batch)
    this.stats.checkMs += performance.now() - t0
    if (verdict === undefined) return undefined
    this.stats.checks++
    if (!verdict.accepted) {
      this.stats.rejected++
      log('answer of %s for %s rejected: S %f > %f (M %f)', peerId, shard.spec.id, verdict.statistic, verdict.threshold, verdict.expected)
    }
    return verdict
  }

  /** Whether this accepted answer should also be asked of a second holder. */
  wantsReplica (): boolean {
    return this.options.replicationProbability > 0 && this.rng.nextFloat() < this.options.replicationProbability
  }

  /** Compares two holders' accepted answers to the same input. */
  compare (ctx: RunContext, shard: ShardState, first: string, second: string, input: Float32Array, y1: Float32Array, y2: Float32Array, batch: number): CheckVerdict | undefined {
    const a = this.verifierOf(ctx, shard, first)
    const b = this.verifierOf(ctx, shard, second)
    if (a === undefined || b === undefined) return undefined
    const t0 = performance.now()
    const verdict = compareReplicas(a, b, input, y1, y2, batch)
    this.stats.checkMs += performance.now() - t0
    this.stats.replications++
    if (!verdict.accepted) {
      this.stats.replicaMismatches++
      log('copies of %s on %s and %s disagree: S %f > %f', shard.spec.id, first, second, verdict.statistic, verdict.threshold)
    }
    return verdict
  }

  /** Counts a call's outcome; flags a peer whose calls fail too often. Resolves to whether it was flagged now. */
  countCall (ctx: RunContext, peerId: string, ok: boolean): boolean {
    const c = this.calls.get(peerId) ?? { ok: 0, errors: 0 }
    if (ok) c.ok++
    else c.errors++
    this.calls.set(peerId, c)
    const total = c.ok + c.errors
    if (total >= this.options.minCallsForErrors && c.errors / total >= this.options.maxErrorFraction && !this.isFlagged(peerId)) {
      this.flag(ctx, peerId, 'errors')
      return true
    }
    return false
  }

  /** After an accepted answer: flags (without evicting) a peer whose observed speed falls far short of its claim. */
  checkClaim (ctx: RunContext, peerId: string): void {
    if (this.overclaimers.has(peerId) || this.flaggedIds.has(peerId)) return
    const speed = ctx.longTerm.stats(peerId, ctx.now())?.reputation.speed
    if (speed === undefined || speed >= this.options.minConfirmedSpeed) return
    this.overclaimers.add(peerId)
    const flag: FlaggedPeer = { peerId, reason: 'overclaim', atMs: ctx.now(), evicted: false }
    this.stats.flagged.push(flag)
    log('peer %s flagged: observed speed %f of its claim', peerId, speed)
    this.onFlag?.(flag)
  }

  /**
   * Flags a peer and evicts it from the run: it is taken for departed (no calls, no placement; a re-dial does not
   * bring it back), its copies go (released at the run's end) and the reconfiguration loop re-places them. Where
   * possible the eviction is make-before-break: a peer flagged for errors (the answers it does return pass their
   * checks) that holds a shard's last live copy keeps it, quarantined — called only while the shard has no other
   * copy, every answer still checked — until the loop has programmed a replacement (copy-moves.ts releases it
   * then). A peer caught answering wrong has no answer worth waiting for: its copies go at once.
   */
  flag (ctx: RunContext, peerId: string, reason: Exclude<FlagReason, 'overclaim'>, shardId?: string): void {
    if (this.flaggedIds.has(peerId)) return
    this.flaggedIds.add(peerId)
    const flag: FlaggedPeer = { peerId, reason, atMs: ctx.now(), evicted: true, ...(shardId !== undefined ? { shardId } : {}) }
    this.stats.flagged.push(flag)
    log('peer %s flagged (%s)', peerId, reason)
    const quarantine = reason === 'errors' && ctx.reconfiguration !== undefined
    ctx.dead.add(peerId)
    const nowMs = ctx.now()
    let quarantined = 0
    for (const shard of ctx.shards.values()) {
      const held = shard.tilesByHolder.has(peerId)
      const lastCopy = shard.holders.includes(peerId) && !liveElsewhere(ctx, shard, peerId)
      removeCopy(shard, peerId)
      if (quarantine && held && lastCopy) {
        shard.quarantined.push(peerId)
        quarantined++
        continue
      }
      if (held) ctx.abandoned.push({ peerId, remoteId: ctx.remoteId(shard.spec.id) })
      ctx.dropAllocation(shard, peerId, nowMs)
    }
    ctx.invalidateViews()
    // The replacements of quarantined copies are programmed by the next step: take it now.
    if (quarantined > 0) {
      ctx.reconfiguration?.stepNow().catch((err: unknown) => { log.error('a reconfiguration step after flagging %s failed: %e', peerId, err) })
    }
    this.onFlag?.(flag)
  }
}

/** Whether the shard has a live copy (active or draining) on a peer other than `peerId`. */
function liveElsewhere (ctx: RunContext, shard: ShardState, peerId: string): boolean {
  return [...shard.holders, ...shard.draining].some((p) => p !== peerId && !ctx.dead.has(p))
}
