/**
 * The DHT behind a {@link DiscoveryWalk}, and a count of the DHT messages discovery sends (kad-dht reports each
 * request it sends as a SEND_QUERY event and each answer as PEER_RESPONSE; answers from this node's own provider
 * store come as a PEER_RESPONSE from itself and cost no message). Records are read from their provider first
 * (direct-record-read.ts: one message), through the DHT when that fails.
 */
import { logger } from '@libp2p/logger'
import { createRng } from '@tessera/crossbar'
import { DEFAULT_DHT_TIMEOUT_MS } from './constants.js'
import { bucketCid, bucketName } from './capability-buckets.js'
import { peerIdFromString } from '@libp2p/peer-id'
import { readCapacityRecord } from './discovery.js'
import { DiscoveryWalk } from './discovery-walk.js'
import type { DirectRecordRead } from './direct-record-read.js'
import type { KadDHT, QueryEvent } from '@libp2p/kad-dht'
import type { PeerId } from '@libp2p/interface'
import type { CapacityRecordValidator } from '@tessera/memory'
import type { BucketRef } from './capability-buckets.js'
import type { CandidateFilter, DiscoverySource, WalkRound } from './discovery-walk.js'
import type { DiscoveredPeer } from './discovery.js'

const log = logger('tessera:peer:discovery-source')

/** The part of kad-dht discovery uses. */
export type DiscoveryDht = Pick<KadDHT, 'findProviders' | 'get'>

/** Running totals of DHT traffic. */
export interface DhtMessageCount {
  /** Requests sent to other nodes. */
  messages: number
  /** Answers received from other nodes. */
  responses: number
  /** Lookups started (findProviders and get calls). */
  lookups: number
  /** Of those, record reads (get calls). */
  reads: number
}

/** A fresh zeroed count. */
export function newDhtMessageCount (): DhtMessageCount {
  return { messages: 0, responses: 0, lookups: 0, reads: 0 }
}

async function * counted (events: AsyncIterable<QueryEvent>, self: PeerId, count: DhtMessageCount): AsyncGenerator<QueryEvent> {
  count.lookups++
  for await (const event of events) {
    if (event.name === 'SEND_QUERY') count.messages++
    else if (event.name === 'PEER_RESPONSE' && !event.from.equals(self)) count.responses++
    yield event
  }
}

/** `dht` with every findProviders and get counted into `count`. */
export function countingDht (dht: DiscoveryDht, self: PeerId, count: DhtMessageCount): DiscoveryDht {
  return {
    findProviders: (key, options) => counted(dht.findProviders(key, options), self, count),
    get: (key, options) => {
      count.reads++
      return counted(dht.get(key, options), self, count)
    }
  }
}

/**
 * A {@link DiscoverySource} over kad-dht: findProviders of the bucket's CID; a record read from its provider with
 * `direct` when given, else (or when that fails or finds no valid record) with {@link readCapacityRecord}.
 */
export function dhtDiscoverySource (dht: DiscoveryDht, validator: CapacityRecordValidator, direct?: DirectRecordRead, count?: DhtMessageCount): DiscoverySource {
  return {
    async providers (bucket: BucketRef, signal: AbortSignal): Promise<string[]> {
      const found = new Set<string>()
      try {
        for await (const event of dht.findProviders(bucketCid(bucket), { signal })) {
          if (event.name === 'PROVIDER') for (const p of event.providers) found.add(p.id.toString())
        }
      } catch (err) {
        // "Not found", a timeout: the providers collected so far are the answer; none at all is a failure.
        if (found.size === 0) throw err
        log('finding providers of bucket %s ended after %d - %e', bucketName(bucket), found.size, err)
      }
      return [...found]
    },
    read: async (peerId, signal) => {
      if (direct !== undefined) {
        if (count !== undefined) count.messages++
        try {
          const found = await direct(peerIdFromString(peerId), signal)
          if (found !== undefined) return found
        } catch (err) {
          log('reading the record of %s from itself failed, reading it through the DHT - %e', peerId, err)
        }
        if (signal.aborted) return undefined
      }
      return await readCapacityRecord(dht, validator, peerId, signal)
    }
  }
}

export interface DhtDiscoveryInit {
  /** Candidates wanted (default Infinity: every peer). */
  wanted?: number
  filter?: CandidateFilter
  /** Seed of the walk's order (default: this node's peer id). */
  seed?: string
  /** Clock, ms since the epoch (default Date.now). */
  now?: () => number
  /** Reads a record from its provider first (direct-record-read.ts); default: through the DHT only. */
  direct?: DirectRecordRead
}

/** One round's outcome with the DHT traffic it cost. */
export interface DhtDiscoveryRound extends WalkRound {
  messages: number
  lookups: number
}

/** Incremental discovery on a node's DHT: keep one per coordinator and call `round()` as often as needed. */
export class DhtDiscovery {
  readonly walk: DiscoveryWalk
  /** Totals over every round. */
  readonly count = newDhtMessageCount()
  private readonly now: () => number

  constructor (dht: DiscoveryDht, validator: CapacityRecordValidator, self: PeerId, init: DhtDiscoveryInit = {}) {
    this.now = init.now ?? Date.now
    this.walk = new DiscoveryWalk({
      source: dhtDiscoverySource(countingDht(dht, self, this.count), validator, init.direct, this.count),
      wanted: init.wanted ?? Infinity,
      ...(init.filter !== undefined ? { filter: init.filter } : {}),
      rng: createRng(init.seed ?? `discovery/${self.toString()}`),
      self: self.toString()
    })
  }

  /** One round of at most `timeoutMs` (default 30 s). */
  async round (options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<DhtDiscoveryRound> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DHT_TIMEOUT_MS)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal])
    const before = { ...this.count }
    const round = await this.walk.round(this.now(), signal)
    return { ...round, messages: this.count.messages - before.messages, lookups: this.count.lookups - before.lookups }
  }

  candidates (): DiscoveredPeer[] {
    return this.walk.candidates()
  }
}
