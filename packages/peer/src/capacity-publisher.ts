import { logger } from '@libp2p/logger'
import { MAX_CAPACITY_RECORD_LIFETIME_MS, capacityRecordKey, signCapacityRecord } from '@tessera/memory'
import { DEFAULT_DHT_TIMEOUT_MS, DEFAULT_PROVIDE_REFRESH_MS, DEFAULT_RECORD_FIRST_REFRESH_MS, DEFAULT_RECORD_REFRESH_MS, DEFAULT_RECORD_TTL_MS } from './constants.js'
import { bucketCid, bucketsOfPeer } from './capability-buckets.js'
import { InvalidNodeOptionError, RecordRejectedError } from './errors.js'
import type { KadDHT } from '@libp2p/kad-dht'
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
   * First re-publication after start (default 20 s, never more than `refreshMs`); the delay then doubles up to
   * `refreshMs`, so the record moves to the closest peers while the network around a new node forms.
   */
  firstRefreshMs?: number
  /**
   * After the first publications (the one at start and those of the doubling delays), the bucket keys are provided
   * again only when this long has passed since they were last all provided (default 10 min); every publication puts
   * the record.
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
   * Whether the provide of every key of this node's capability buckets (one per level) reached at least one peer,
   * in this publication or in the one that last provided them (within the provide refresh period).
   */
  provided: boolean
  /** Whether this publication provided the bucket keys (or only put the record). */
  providedNow: boolean
}

export interface CapacityPublisherComponents {
  peerId: PeerId
  privateKey: PrivateKey
  dht: KadDHT
  validator: CapacityRecordValidator
  snapshot(): Promise<CapacitySnapshot> | CapacitySnapshot
  onPublished?(result: PublishResult): void
  onError?(err: unknown): void
}

/**
 * Publishes the node's signed capacity record under `/tessera/cap/<peerId>` and provides its capability buckets
 * (the capability CID and one bucket per deeper level, capability-buckets.ts), now, again after 20 s and 40 s more while the network around a new node forms, and then
 * every refresh period, well inside the record's lifetime. The record is run through the same validator the
 * other nodes use before it is put, because kad-dht stores a node's own put without validating it.
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
  private readonly bucketCids: CID[]
  private readonly provideRefreshMs: number
  /** Publications left that provide whatever the time: the one at start and those of the doubling delays. */
  private rampPublications = 1
  private providedAtMs?: number

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
    for (let d = this.nextDelayMs; d < this.refreshMs; d *= 2) this.rampPublications++
    this.provideRefreshMs = init.provideRefreshMs ?? DEFAULT_PROVIDE_REFRESH_MS
    this.bucketCids = bucketsOfPeer(components.peerId).map(bucketCid)
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

  /** Signs, validates, puts and provides a fresh record now (joining a publication already under way). */
  async publish (): Promise<PublishResult> {
    this.current ??= this.publishOnce().finally(() => { this.current = undefined })
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

  /** Whether this publication provides the bucket keys: while ramping up, when never all provided, or when due. */
  private provideDue (): boolean {
    if (this.rampPublications > 0) {
      this.rampPublications--
      return true
    }
    return this.providedAtMs === undefined || this.now() - this.providedAtMs >= this.provideRefreshMs
  }

  private async publishOnce (): Promise<PublishResult> {
    const { record, value } = await this.sign()
    const providing = this.provideDue()
    const timeout = AbortSignal.timeout(this.dhtTimeoutMs)
    const signal = AbortSignal.any([this.controller.signal, timeout])
    const key = capacityRecordKey(this.c.peerId)
    let peersAcked = 0
    const providedCids = new Set<string>()
    const provide = async (cid: CID): Promise<void> => {
      for await (const event of this.c.dht.provide(cid, { signal })) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'ADD_PROVIDER') providedCids.add(cid.toString())
      }
    }
    // Both store locally first and then wait for DHT peers; run side by side, a node with no peer yet still holds
    // its record and provider entry at once, so a client that connects to it can read them.
    const phases = await Promise.allSettled([
      (async () => {
        for await (const event of this.c.dht.put(key, value, { signal })) {
          if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') peersAcked++
        }
      })(),
      // findProviders lists at most 20 providers of one CID: the deeper buckets are how discovery finds the rest.
      ...(providing ? this.bucketCids.map(provide) : [])
    ])
    for (const phase of phases) {
      if (phase.status === 'fulfilled') continue
      // Running out of time is an outcome (peersAcked tells how far it got); stopping or a DHT failure is not.
      if (!(timeout.aborted && !this.controller.signal.aborted)) throw phase.reason
      log('a put or provide of record %d ran out of time with %d acks - %e', record.sequence, peersAcked, phase.reason)
    }
    if (providing && providedCids.size === this.bucketCids.length) this.providedAtMs = record.issuedAtMs
    else if (providing) this.providedAtMs = undefined
    const result = { record, peersAcked, provided: this.providedAtMs !== undefined, providedNow: providing }
    this.last = result
    this.c.onPublished?.(result)
    return result
  }

  private async loop (): Promise<void> {
    if (!this.running) return
    try {
      await this.publish()
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
    const delayMs = this.nextDelayMs
    this.nextDelayMs = Math.min(this.refreshMs, delayMs * 2)
    this.timer = setTimeout(() => { void this.loop() }, delayMs)
    this.timer.unref?.()
  }
}
