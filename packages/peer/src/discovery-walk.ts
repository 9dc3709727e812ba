/**
 * Discovery whose work grows with the candidates wanted and log N, not with N: walk the capability bucket tree
 * (capability-buckets.ts) from level 1's eight buckets, in a seeded order, descending only into buckets whose answer
 * was full, and read records only until `wanted` of them pass the caller's filter. Later rounds read only what is new: providers not seen
 * before (while candidates are still short) and held records that are due, i.e. whose peer has re-published since
 * (a record is re-published at half its lifetime; the DHT store refuses a lower sequence, so a re-read either
 * returns the same record, a higher sequence, or nothing once it expires). A round with enough candidates and
 * nothing due sends no DHT message at all.
 *
 * Pure over a {@link DiscoverySource}: the DHT in a node (discovery-source.ts), a map in tests.
 */
import type { Rng } from '@tessera/crossbar'
import { logger } from '@libp2p/logger'
import { DHT_FIND_PROVIDERS_LIMIT } from './constants.js'
import { forEachConcurrently } from './concurrently.js'
import { FIRST_BUCKETS, bucketName, childBuckets } from './capability-buckets.js'
import type { BucketRef } from './capability-buckets.js'
import type { CapacityRecord, Reachability } from '@tessera/memory'
import type { DiscoveredPeer } from './discovery.js'

const log = logger('tessera:peer:discovery-walk')

/** Record reads in flight at once. */
export const WALK_READ_CONCURRENCY = 8

/** Buckets asked for providers at once: when a round re-walks the walked ones, and new ones while many candidates are wanted. */
export const WALK_CONCURRENCY = 4

/** A provider without a readable record (gone, or not yet published) is asked again after this long. */
export const ABSENT_PROVIDER_RETRY_MS = 30_000

/** Where a walk reads from. */
export interface DiscoverySource {
  /** Providers (peer id strings) of one bucket; about DHT_FIND_PROVIDERS_LIMIT of a larger one. */
  providers(bucket: BucketRef, signal: AbortSignal): Promise<string[]>
  /** The peer's best valid record, or undefined when none is found. */
  read(peerId: string, signal: AbortSignal): Promise<DiscoveredPeer | undefined>
}

/** Whether a record makes its peer a candidate. */
export type CandidateFilter = (record: CapacityRecord) => boolean

/** What a coordinator needs of a peer, checked on its record. */
export interface CandidateCriteria {
  /** Default 1: a peer without tiles cannot hold a shard. */
  minTilesTotal?: number
  minTilesFree?: number
  /** Only this tile geometry. */
  geometry?: { rows: number, cols: number }
  /** Only these reachabilities. */
  reachability?: readonly Reachability[]
}

/** A filter from criteria. */
export function candidateFilter (criteria: CandidateCriteria = {}): CandidateFilter {
  return (r) => r.tilesTotal >= (criteria.minTilesTotal ?? 1) && r.tilesFree >= (criteria.minTilesFree ?? 0) &&
    (criteria.geometry === undefined || (r.device.geometry.rows === criteria.geometry.rows && r.device.geometry.cols === criteria.geometry.cols)) &&
    (criteria.reachability === undefined || criteria.reachability.includes(r.reachability))
}

export interface DiscoveryWalkInit {
  source: DiscoverySource
  /** Candidates wanted; Infinity walks the whole tree. */
  wanted: number
  filter?: CandidateFilter
  /** Orders buckets and providers (seeded, so a walk is reproducible over the same answers). */
  rng: Rng
  /** This node's peer id: never a candidate. */
  self?: string
  /** Providers in an answer that mean "there are more": kad-dht's findProviders limit. */
  fullAnswer?: number
  concurrency?: number
  /**
   * Whether a round short of candidates asks the buckets it walked in earlier rounds again, for newcomers (default
   * true: a coordinator's walk lives across rounds). A walk run once has nothing earlier to ask again.
   */
  rewalk?: boolean
}

/** What one round did. */
export interface WalkRound {
  /** Buckets whose providers were asked for. */
  bucketsWalked: number
  /** Records read (newcomers and due re-reads). */
  recordsRead: number
  /** Peers that became candidates. */
  added: DiscoveredPeer[]
  /** Candidates whose record was replaced by a newer one that still passes the filter. */
  updated: DiscoveredPeer[]
  /** Candidates no longer: their record expired without a newer one, or the newer one fails the filter. */
  dropped: string[]
}

interface Held {
  peer: DiscoveredPeer
  candidate: boolean
  nextReadAtMs: number
}

function shuffle<T> (items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const t = items[i]
    items[i] = items[j]
    items[j] = t
  }
  return items
}

/** When a held record is worth reading again: once its peer re-published (half its lifetime), not sooner than an eighth. */
function nextReadAt (record: CapacityRecord, nowMs: number): number {
  const lifetimeMs = Math.max(0, record.expiresAtMs - record.issuedAtMs)
  return Math.max(record.issuedAtMs + lifetimeMs / 2, nowMs + lifetimeMs / 8)
}

/** One coordinator's discovery state across rounds. */
export class DiscoveryWalk {
  private readonly init: Required<DiscoveryWalkInit>
  private readonly frontier: BucketRef[]
  private readonly walked: BucketRef[] = []
  /** Buckets whose children are in the frontier or walked (by name). */
  private readonly expanded = new Set<string>()
  private readonly unread: string[] = []
  private readonly held = new Map<string, Held>()
  private readonly absent = new Map<string, number>()
  private candidateCount = 0

  constructor (init: DiscoveryWalkInit) {
    this.init = { filter: candidateFilter(), self: '', fullAnswer: DHT_FIND_PROVIDERS_LIMIT, concurrency: WALK_READ_CONCURRENCY, rewalk: true, ...init }
    this.frontier = shuffle([...FIRST_BUCKETS], this.init.rng)
  }

  /** The current candidates, by peer id. */
  candidates (): DiscoveredPeer[] {
    return [...this.held.values()].filter((h) => h.candidate).map((h) => h.peer).sort((a, b) => a.record.peerId < b.record.peerId ? -1 : 1)
  }

  /** Raises the candidates wanted (a caller that needs more peers than it asked for at first). */
  wantAtLeast (wanted: number): void {
    this.init.wanted = Math.max(this.init.wanted, wanted)
  }

  /** Buckets walked so far (re-walked by rounds that are short of candidates). */
  walkedBuckets (): string[] {
    return this.walked.map(bucketName)
  }

  /** One round; stops early (keeping what it learnt) when `signal` aborts. Source failures are logged and skipped. */
  async round (nowMs: number, signal: AbortSignal): Promise<WalkRound> {
    const round: WalkRound = { bucketsWalked: 0, recordsRead: 0, added: [], updated: [], dropped: [] }
    this.expire(nowMs, round)
    const due = [...this.held.values()].filter((h) => h.nextReadAtMs <= nowMs).map((h) => h.peer.record.peerId)
    await this.readAll(due, nowMs, signal, round)
    // Buckets walked in earlier rounds, asked again for newcomers once the backlog and the frontier are done: a
    // round that first re-walked everything could spend its time there and never read what it already knew of.
    let rewalk = this.init.rewalk ? this.rewalked() : []
    while (this.short() && !signal.aborted) {
      if (this.unread.length > 0) {
        const batch = this.unread.splice(0, Math.min(this.init.concurrency, this.unread.length, Math.max(1, this.init.wanted - this.candidateCount)))
        // Cut short by the signal: what was not read is read next round.
        this.unread.unshift(...await this.readAll(batch, nowMs, signal, round))
      } else if (this.frontier.length > 0) {
        // As many buckets at once as the candidates still wanted could fill (a bucket lists up to a full answer), so a
        // walk for every peer asks several at a time and a walk for a few asks one.
        const missing = this.init.wanted - this.candidateCount
        const buckets = this.frontier.splice(0, Math.min(WALK_CONCURRENCY, Math.ceil(missing / this.init.fullAnswer)))
        this.walked.push(...buckets)
        await this.walkAll(buckets, signal, round)
      } else if (rewalk.length > 0) {
        const buckets = rewalk
        rewalk = []
        await this.walkAll(buckets, signal, round)
      } else {
        break
      }
    }
    return round
  }

  /** Asks `buckets` for providers, WALK_CONCURRENCY at a time. */
  private async walkAll (buckets: BucketRef[], signal: AbortSignal, round: WalkRound): Promise<void> {
    await forEachConcurrently(buckets, WALK_CONCURRENCY, async (bucket) => { await this.walk(bucket, signal, round) }, signal)
  }

  /** The walked buckets worth asking again: not those whose children were all walked (they list the same nodes). */
  private rewalked (): BucketRef[] {
    const walked = new Set(this.walked.map(bucketName))
    return this.walked.filter((b) => {
      const children = childBuckets(b)
      return children.length === 0 || !children.every((c) => walked.has(bucketName(c)))
    })
  }

  private short (): boolean {
    return this.candidateCount < this.init.wanted
  }

  private expire (nowMs: number, round: WalkRound): void {
    for (const [peerId, h] of this.held) {
      if (h.peer.record.expiresAtMs > nowMs) continue
      this.held.delete(peerId)
      if (h.candidate) this.uncount(peerId, round)
    }
    for (const [peerId, retryAtMs] of this.absent) if (retryAtMs <= nowMs) this.absent.delete(peerId)
  }

  private uncount (peerId: string, round: WalkRound): void {
    this.candidateCount--
    round.dropped.push(peerId)
  }

  /**
   * Asks for a bucket's providers and queues the ones not seen yet. A full answer puts the bucket's children in the
   * frontier, whenever it first comes: a bucket walked while the network was still forming fills up later.
   */
  private async walk (bucket: BucketRef, signal: AbortSignal, round: WalkRound): Promise<void> {
    let providers: string[]
    try {
      providers = await this.init.source.providers(bucket, signal)
    } catch (err) {
      log('asking bucket %s for providers failed - %e', bucketName(bucket), err)
      return
    }
    round.bucketsWalked++
    const queued = new Set(this.unread)
    const fresh = providers.filter((p) => p !== this.init.self && !this.held.has(p) && !this.absent.has(p) && !queued.has(p))
    this.unread.push(...shuffle([...new Set(fresh)], this.init.rng))
    log('bucket %s listed %d providers, %d new', bucketName(bucket), providers.length, fresh.length)
    if (providers.length >= this.init.fullAnswer && !this.expanded.has(bucketName(bucket))) {
      this.expanded.add(bucketName(bucket))
      this.frontier.push(...shuffle(childBuckets(bucket), this.init.rng))
    }
  }

  /**
   * Reads `peerIds`, a few at a time; returns those left unread because the signal aborted (before or during their
   * read: an aborted read that found nothing says nothing about the peer).
   */
  private async readAll (peerIds: string[], nowMs: number, signal: AbortSignal, round: WalkRound): Promise<string[]> {
    const unfinished: string[] = []
    const started = await forEachConcurrently(peerIds, this.init.concurrency, async (peerId) => {
      round.recordsRead++
      let found: DiscoveredPeer | undefined
      try {
        found = await this.init.source.read(peerId, signal)
      } catch (err) {
        log('reading the record of %s failed - %e', peerId, err)
      }
      if (found === undefined && signal.aborted) unfinished.push(peerId)
      else this.take(peerId, found, nowMs, round)
    }, signal)
    return [...unfinished, ...peerIds.slice(started)]
  }

  /** Applies one read's outcome to the held records. */
  private take (peerId: string, found: DiscoveredPeer | undefined, nowMs: number, round: WalkRound): void {
    const h = this.held.get(peerId)
    if (found === undefined || found.record.peerId !== peerId || found.record.expiresAtMs <= nowMs) {
      // Nothing readable: a held record stays until it expires; an unknown provider is asked again later.
      if (h !== undefined) h.nextReadAtMs = nowMs + Math.max(1, (h.peer.record.expiresAtMs - h.peer.record.issuedAtMs) / 8)
      else {
        log('provider %s has no readable record, asking again in %d ms', peerId, ABSENT_PROVIDER_RETRY_MS)
        this.absent.set(peerId, nowMs + ABSENT_PROVIDER_RETRY_MS)
      }
      return
    }
    const candidate = this.init.filter(found.record)
    if (h === undefined) {
      this.held.set(peerId, { peer: found, candidate, nextReadAtMs: nextReadAt(found.record, nowMs) })
      if (candidate) {
        this.candidateCount++
        round.added.push(found)
      }
      return
    }
    h.nextReadAtMs = nextReadAt(found.record, nowMs)
    if (found.record.sequence <= h.peer.record.sequence) return
    const was = h.candidate
    h.peer = found
    h.candidate = candidate
    if (was && candidate) round.updated.push(found)
    else if (was) this.uncount(peerId, round)
    else if (candidate) {
      this.candidateCount++
      round.added.push(found)
    }
  }
}
