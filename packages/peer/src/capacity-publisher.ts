import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_CAPACITY_RECORD_LIFETIME_MS, capacityRecordKey, signCapacityRecord } from '@tessera/memory'
import {
  DEFAULT_DHT_TIMEOUT_MS, DEFAULT_PROVIDE_REFRESH_MS, DEFAULT_RECORD_FIRST_REFRESH_MS, DEFAULT_RECORD_REFRESH_MS, DEFAULT_RECORD_TTL_MS,
  DHT_CLOSEST_PEERS, DHT_FIND_PROVIDERS_LIMIT
} from './constants.js'
import { bucketCid, bucketOfPeer, bucketsOfPeer } from './capability-buckets.js'
import { forEachConcurrently } from './concurrently.js'
import type { BucketRef } from './capability-buckets.js'
import { InvalidNodeOptionError, RecordRejectedError } from './errors.js'
import { KeyPlacements } from './key-placements.js'
import { closestKnownPeers } from './closest-known-peers.js'
import type { KnownDhtPeers } from './closest-known-peers.js'
import type { DirectRecordPut } from './direct-record-put.js'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import type { CID } from 'multiformats/cid'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { CapacityRecord, CapacityRecordValidator } from '@tessera/memory'

const log = logger('tessera:peer:capacity')

/** The fields of a record that describe the node now; identity, sequence and times are added when signing. */
export type CapacitySnapshot = Omit<CapacityRecord, 'peerId' | 'sequence' | 'issuedAtMs' | 'expiresAtMs'>

export interface CapacityPublisherInit {
  /** Record lifetime (default 120 s, or twice `refreshMs`; at most MAX_CAPACITY_RECORD_LIFETIME_MS). */
  ttlMs?: number
  /** Re-publication period (default 60 s, or half `ttlMs`); must be shorter than the lifetime. */
  refreshMs?: number
  /**
   * First step after start (default 20 s, never more than `refreshMs`); the delay then doubles up to `refreshMs`. At
   * these early steps the node publishes only what a forming network moved away from it, or what has not reached a
   * peer yet (see {@link CapacityPublisher}).
   */
  firstRefreshMs?: number
  /**
   * A bucket key is provided again when this long has passed since it was last provided (default 10 min), or earlier
   * when the peers closest to it changed or its last provide reached no peer; every publication after the early steps
   * puts the record.
   */
  provideRefreshMs?: number
  /** Timeout of one put or provide (default 30 s). */
  dhtTimeoutMs?: number
  /** Clock, ms since the epoch (default Date.now). */
  now?: () => number
}

/** How long a capacity record lives and how often it is re-published. */
export interface RecordTiming {
  ttlMs: number
  refreshMs: number
}

/**
 * The record lifetime and refresh period, each defaulted from the other when only one is given (the refresh half
 * the lifetime, as the defaults are) and checked together: the lifetime at most MAX_CAPACITY_RECORD_LIFETIME_MS,
 * which every validator enforces (a longer one would be rejected at each publication), and the refresh period
 * positive and shorter than the lifetime, so a record is replaced before it expires.
 *
 * @throws {InvalidNodeOptionError}
 */
export function resolveRecordTiming (init: { ttlMs?: number, refreshMs?: number } = {}): RecordTiming {
  const ttlMs = init.ttlMs ?? (init.refreshMs === undefined ? DEFAULT_RECORD_TTL_MS : Math.min(MAX_CAPACITY_RECORD_LIFETIME_MS, Math.max(DEFAULT_RECORD_TTL_MS, 2 * init.refreshMs)))
  const refreshMs = init.refreshMs ?? Math.min(DEFAULT_RECORD_REFRESH_MS, Math.floor(ttlMs / 2))
  if (!(Number.isFinite(ttlMs) && ttlMs > 0 && ttlMs <= MAX_CAPACITY_RECORD_LIFETIME_MS)) {
    throw new InvalidNodeOptionError(`the record lifetime must be in [1, ${MAX_CAPACITY_RECORD_LIFETIME_MS}] ms (what validators accept), got ${ttlMs}`)
  }
  if (!(Number.isFinite(refreshMs) && refreshMs > 0 && refreshMs < ttlMs)) {
    throw new InvalidNodeOptionError(`the record refresh period (${refreshMs} ms) must be positive and shorter than its lifetime (${ttlMs} ms)`)
  }
  return { ttlMs, refreshMs }
}

/** What one publication did. */
export interface PublishResult {
  record: CapacityRecord
  /** DHT peers that acknowledged the put (the node's own datastore always holds it). */
  peersAcked: number
  /**
   * Whether the last provide of every key of this node's capability buckets that discovery can reach reached at
   * least one peer, in this publication or an earlier one.
   */
  provided: boolean
  /** Whether this publication provided any bucket key (or only put the record). */
  providedNow: boolean
}

/**
 * Members of a node's bucket (itself included, as the node knows them) from which the bucket one level down is
 * provided too: discovery descends into a bucket's children only when its answer is full (DHT_FIND_PROVIDERS_LIMIT),
 * and three quarters of that leaves room for peers the node has not heard of yet.
 */
export const BUCKET_MAY_BE_FULL = Math.ceil(DHT_FIND_PROVIDERS_LIMIT * 3 / 4)

/** What one publication stores. */
interface PublicationPlan {
  /** Put the record (an early step may only provide moved keys). */
  put: boolean
  /** Bucket keys to provide. */
  provide: CID[]
  /** Put the record straight to its holders instead of through a lookup. */
  putDirect?: boolean
}

/**
 * Share of the refresh period after which an early step puts the record (steps start a period apart, so the step a
 * period after the last put comes a few milliseconds short of it).
 */
const RECORD_DUE_FRACTION = 0.9

/** Holders a direct put sends to at once. */
const DIRECT_PUT_CONCURRENCY = 4

export interface CapacityPublisherComponents {
  peerId: PeerId
  privateKey: PrivateKey
  dht: KadDHT
  validator: CapacityRecordValidator
  snapshot(): Promise<CapacitySnapshot> | CapacitySnapshot
  /**
   * The DHT peers this node knows of (closest-known-peers.ts). Without it the early steps publish everything, a bucket
   * key is provided again only when due or when its last provide reached no peer, and every level is provided.
   */
  knownPeers?: KnownDhtPeers
  /**
   * A refresh whose record still sits where lookups for its key end is put straight to the peers that hold it
   * (direct-record-put.ts) and stored locally with `storeLocally`, instead of through a lookup; without both, every
   * put goes through a lookup.
   */
  directPut?: DirectRecordPut
  storeLocally?(key: Uint8Array, value: Uint8Array): Promise<void>
  onPublished?(result: PublishResult): void
  onError?(err: unknown): void
}

/**
 * Publishes the node's signed capacity record under `/tessera/cap/<peerId>` and provides its capability buckets (one
 * per level below the root that discovery can reach, capability-buckets.ts): at start, at early steps after 20 s and
 * 40 s more, then every refresh period, well inside the record's lifetime. The record is run through the same
 * validator the other nodes use before it is put, because kad-dht stores a node's own put without validating it.
 *
 * An early step provides only the keys whose closest known peers mostly were not sent their last provide
 * (key-placements.ts: the network around the key formed since) or whose provide reached no peer, and puts the record
 * only when its refresh is due or its last put reached nobody: records are read from their node first. A node that
 * joined early, or with many others, moves its entries to the peers lookups now end on; a node that joined a formed
 * network skips the early steps (publishing every key again at each cost a 100-node cold start twice the lookups of
 * the first publication). Each later publication puts the record — straight to its holders while they are still its
 * closest known peers — and provides a key when it is due (`provideRefreshMs`), moved, or not held.
 */
export class CapacityPublisher {
  private readonly c: CapacityPublisherComponents
  readonly ttlMs: number
  readonly refreshMs: number
  private readonly dhtTimeoutMs: number
  private readonly now: () => number
  private sequence = 0
  private nextDelayMs: number
  private timer?: ReturnType<typeof setTimeout>
  private running = false
  private readonly controller = new AbortController()
  private current?: Promise<PublishResult>
  private last?: PublishResult
  /** The buckets (level 1 first) and their keys. */
  private readonly buckets: Array<{ bucket: BucketRef, cid: CID }>
  /** Keys of buckets discovery cannot reach as things stand (their parent cannot be full): not provided, not missed. */
  private unneeded = new Set<string>()
  /** The known DHT peers while a plan is made. */
  private known?: PeerId[]
  /** When the record was last put through a lookup. */
  private lookupPutAtMs?: number
  /** When the record was last put. */
  private recordPutAtMs?: number
  private readonly provideRefreshMs: number
  /** Early steps left after the first publication (the doubling delays up to the refresh period). */
  private earlySteps = 0
  private attempted = false
  private readonly placements: KeyPlacements

  constructor (components: CapacityPublisherComponents, init: CapacityPublisherInit = {}) {
    this.c = components
    const timing = resolveRecordTiming(init)
    this.ttlMs = timing.ttlMs
    this.refreshMs = timing.refreshMs
    this.dhtTimeoutMs = init.dhtTimeoutMs ?? DEFAULT_DHT_TIMEOUT_MS
    this.now = init.now ?? Date.now
    const firstRefreshMs = init.firstRefreshMs ?? DEFAULT_RECORD_FIRST_REFRESH_MS
    if (!(firstRefreshMs > 0)) {
      throw new InvalidNodeOptionError(`the first refresh delay must be positive, got ${firstRefreshMs} ms`)
    }
    this.nextDelayMs = Math.min(firstRefreshMs, this.refreshMs)
    for (let d = this.nextDelayMs; d < this.refreshMs; d *= 2) this.earlySteps++
    this.provideRefreshMs = init.provideRefreshMs ?? DEFAULT_PROVIDE_REFRESH_MS
    this.buckets = bucketsOfPeer(components.peerId).map((bucket) => ({ bucket, cid: bucketCid(bucket) }))
    // One read of the peer store per plan: every key's closest peers come from the same snapshot.
    this.placements = new KeyPlacements(DHT_CLOSEST_PEERS, components.knownPeers === undefined ? undefined : closestKnownPeers(async () => this.known ?? []))
  }

  /** Starts the publish loop; the first publication begins at once but is not awaited (the DHT may be empty). */
  start (): void {
    this.running = true
    void this.loop()
  }

  stop (): void {
    this.running = false
    this.controller.abort()
    if (this.timer != null) clearTimeout(this.timer)
  }

  /** The last successful publication. */
  lastPublished (): PublishResult | undefined {
    return this.last
  }

  /**
   * Signs, validates and puts a fresh record now, and provides the bucket keys that are due, moved or not held (all
   * of them the first time); joins a publication already under way.
   */
  async publish (): Promise<PublishResult> {
    if (this.current !== undefined) return await this.current
    const plan = await this.plan(this.attempted ? 'refresh' : 'first')
    return await this.begin(plan ?? { put: true, provide: [] })
  }

  private async begin (plan: PublicationPlan): Promise<PublishResult> {
    this.attempted = true
    this.current ??= this.publishOnce(plan).finally(() => { this.current = undefined })
    return await this.current
  }

  /**
   * Publishes a record built after this call: waits for a publication already under way (its snapshot may predate
   * a change the caller saw) and starts a new one.
   */
  async publishFresh (): Promise<PublishResult> {
    const under = this.current
    if (under !== undefined) {
      try {
        await under
      } catch (err) {
        log.trace('the publication under way failed; publishing again - %e', err)
      }
    }
    return await this.publish()
  }

  /** The current record, signed and validated, without publishing it. */
  async sign (): Promise<{ record: CapacityRecord, value: Uint8Array }> {
    const issuedAtMs = Math.floor(this.now())
    // Time-based sequence numbers keep growing across restarts without persisting a counter.
    this.sequence = Math.max(this.sequence + 1, issuedAtMs)
    const record: CapacityRecord = {
      ...(await this.c.snapshot()),
      peerId: this.c.peerId.toString(),
      sequence: this.sequence,
      issuedAtMs,
      expiresAtMs: issuedAtMs + this.ttlMs
    }
    const value = await signCapacityRecord(record, this.c.privateKey)
    try {
      await this.c.validator(capacityRecordKey(this.c.peerId), value)
    } catch (err) {
      throw new RecordRejectedError(`our own capacity record fails validation: ${(err as Error).message}`, { cause: err })
    }
    return { record, value }
  }

  /**
   * What a publication stores: every key discovery can reach the first time; at an early step the keys moved or not
   * held, and nothing at all (undefined) when neither they nor the record moved; later, the keys due, moved or not
   * held. A bucket below level 1 is reached only through a full parent: its key is left out while the node knows
   * fewer than BUCKET_MAY_BE_FULL members of that parent.
   */
  private async plan (step: 'first' | 'early' | 'refresh'): Promise<PublicationPlan | undefined> {
    this.known = await this.c.knownPeers?.()
    try {
      return await this.planWith(step)
    } finally {
      this.known = undefined
    }
  }

  private async planWith (step: 'first' | 'early' | 'refresh'): Promise<PublicationPlan | undefined> {
    const reachable = this.reachableBuckets()
    if (step === 'first') return { put: true, provide: reachable.map((b) => b.cid) }
    // Without closest peers to compare with, an early step cannot tell what moved: it publishes everything.
    const early = step === 'early'
    if (early && !this.placements.tracksMoves) return { put: true, provide: reachable.map((b) => b.cid) }
    const nowMs = this.now()
    const provide: CID[] = []
    for (const { cid } of reachable) {
      const key = cid.multihash.bytes
      const placed = this.placements.placement(key)
      const due = !early && (placed === undefined || nowMs - placed.atMs >= this.provideRefreshMs)
      if (due || !this.placements.held(key) || await this.placements.moved(key)) provide.push(cid)
    }
    const recordKey = capacityRecordKey(this.c.peerId)
    // Records are read from their node first (direct-record-read.ts): the record is put when its refresh is due and
    // moved with it, or when its last put reached nobody.
    const recordDue = !early || this.recordPutAtMs === undefined || nowMs - this.recordPutAtMs >= this.refreshMs * RECORD_DUE_FRACTION || !this.placements.held(recordKey)
    if (early && provide.length === 0 && !recordDue) return undefined
    // A lookup finds peers that joined close to the key unknown to this node: one every provide refresh period at least.
    const lookupDue = this.lookupPutAtMs === undefined || nowMs - this.lookupPutAtMs >= this.provideRefreshMs
    // Straight to the holders only while most of the peers the last put went to acknowledged it (the others may be gone).
    const placed = this.placements.placement(recordKey)
    const healthy = placed !== undefined && placed.holders.size * 2 >= placed.targets.size
    const putDirect = recordDue && !lookupDue && healthy && this.c.directPut !== undefined && this.c.storeLocally !== undefined &&
      !await this.placements.moved(recordKey)
    return { put: recordDue, provide, putDirect }
  }

  /** The buckets discovery can reach as things stand (see {@link plan}); notes the others as unneeded. */
  private reachableBuckets (): Array<{ bucket: BucketRef, cid: CID }> {
    const known = this.known
    const members = (parent: BucketRef): number => 1 + (known ?? []).filter((p) => bucketOfPeer(p, parent.level).index === parent.index).length
    this.unneeded = new Set()
    const reachable: Array<{ bucket: BucketRef, cid: CID }> = []
    for (const { bucket, cid } of this.buckets) {
      if (known !== undefined && bucket.level >= 2 && members(bucketOfPeer(this.c.peerId, bucket.level - 1)) < BUCKET_MAY_BE_FULL) {
        this.unneeded.add(cid.toString())
      } else {
        reachable.push({ bucket, cid })
      }
    }
    return reachable
  }

  /** Whether every bucket key discovery can reach was last provided to at least one peer. */
  private allProvided (): boolean {
    return this.buckets.every(({ cid }) => this.unneeded.has(cid.toString()) || this.placements.held(cid.multihash.bytes))
  }

  private async publishOnce (plan: PublicationPlan): Promise<PublishResult> {
    const last = this.last
    if (!plan.put && last !== undefined) {
      // Moved keys only: no new record, no publication event.
      await Promise.all(plan.provide.map(async (cid) => { await this.provide(last.record, cid) }))
      this.last = { ...last, provided: this.allProvided(), providedNow: true }
      return this.last
    }
    const { record, value } = await this.sign()
    const key = capacityRecordKey(this.c.peerId)
    // Side by side: each stores locally first and then waits for DHT peers, so a node with no peer yet still holds its
    // record and provider entries at once, and a client that connects to it can read them.
    const [put] = await Promise.all([
      (plan.putDirect === true ? this.putDirect(key, value) : this.putThroughLookup(record, key, value)).then((r) => {
        this.placements.stored(key, r.acks, record.issuedAtMs, r.targets)
        return r
      }),
      ...plan.provide.map(async (cid) => { await this.provide(record, cid) })
    ])
    this.recordPutAtMs = record.issuedAtMs
    const result = { record, peersAcked: new Set(put.acks.map(String)).size, provided: this.allProvided(), providedNow: plan.provide.length > 0 }
    this.last = result
    this.c.onPublished?.(result)
    return result
  }

  private async provide (record: CapacityRecord, cid: CID): Promise<void> {
    const r = await this.store(record, (signal) => this.c.dht.provide(cid, { signal }), 'ADD_PROVIDER')
    this.placements.stored(cid.multihash.bytes, r.acks, this.now(), r.targets)
  }

  private async putThroughLookup (record: CapacityRecord, key: Uint8Array, value: Uint8Array): Promise<{ acks: PeerId[], targets: PeerId[] }> {
    this.lookupPutAtMs = record.issuedAtMs
    return await this.store(record, (signal) => this.c.dht.put(key, value, { signal }), 'PUT_VALUE')
  }

  /**
   * Stores the record locally and puts it straight to the peers that hold it; returns those that acknowledged it and
   * those it was sent to (the last store's targets stay the reference of what moved).
   */
  private async putDirect (key: Uint8Array, value: Uint8Array): Promise<{ acks: PeerId[], targets: string[] }> {
    await this.c.storeLocally!(key, value)
    const holders = [...(this.placements.placement(key)?.holders ?? [])]
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.dhtTimeoutMs)])
    const acks: PeerId[] = []
    await forEachConcurrently(holders, DIRECT_PUT_CONCURRENCY, async (holder) => {
      const peer = peerIdFromString(holder)
      try {
        if (await this.c.directPut!(peer, key, value, signal)) acks.push(peer)
      } catch (err) {
        // Gone or busy: it drops out of the holders, and a refresh that finds too few of them puts through a lookup.
        log('a direct put to %p failed - %e', peer, err)
      }
    }, signal)
    return { acks, targets: [...(this.placements.placement(key)?.targets ?? [])] }
  }

  /**
   * Runs one put or provide within the DHT timeout; returns the peers that acknowledged it (`ack`: the message name
   * of their answers) and those it was sent to (the lookup's closest peers, as kad-dht reports each message it sends).
   * Running out of time is an outcome (the
   * acks tell how far it got); stopping or a DHT failure is not, and throws.
   */
  private async store (record: CapacityRecord, run: (signal: AbortSignal) => AsyncIterable<QueryEvent>, ack: string): Promise<{ acks: PeerId[], targets: PeerId[] }> {
    const timeout = AbortSignal.timeout(this.dhtTimeoutMs)
    const acks: PeerId[] = []
    const targets: PeerId[] = []
    try {
      for await (const event of run(AbortSignal.any([this.controller.signal, timeout]))) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === ack) acks.push(event.from)
        else if (event.name === 'SEND_QUERY' && event.messageName === ack) targets.push(event.to)
      }
    } catch (err) {
      if (!(timeout.aborted && !this.controller.signal.aborted)) throw err
      log('a put or provide of record %d ran out of time with %d acks - %e', record.sequence, acks.length, err)
    }
    return { acks, targets }
  }

  /** One scheduled step: the first publication, an early step (which may publish nothing), or a refresh. */
  private async step (): Promise<void> {
    if (this.current !== undefined) {
      await this.current
      return
    }
    const step = !this.attempted ? 'first' : this.earlySteps > 0 ? 'early' : 'refresh'
    if (step === 'early') this.earlySteps--
    const plan = await this.plan(step)
    if (plan === undefined) {
      log('early step: the record and bucket keys are still where lookups end, nothing to publish')
      return
    }
    await this.begin(plan)
  }

  private async loop (): Promise<void> {
    if (!this.running) return
    const startedAtMs = this.now()
    try {
      await this.step()
    } catch (err) {
      if (this.running) {
        log.error('publishing the capacity record failed, next try in %d ms - %e', this.nextDelayMs, err)
        this.c.onError?.(err)
      } else {
        // stop() aborted the publication under way: nothing failed.
        log.trace('publication stopped - %e', err)
      }
    }
    if (!this.running) return
    // Steps start a period apart however long one took (up to the DHT timeout on a busy network), so the record is put
    // again well inside its lifetime.
    const delayMs = this.nextDelayMs
    this.nextDelayMs = Math.min(this.refreshMs, delayMs * 2)
    this.timer = setTimeout(() => { void this.loop() }, Math.max(0, delayMs - (this.now() - startedAtMs)))
    this.timer.unref?.()
  }
}
