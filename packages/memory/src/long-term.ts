/**
 * Long-term memory: per peer, time-bucketed sums (hours to days) of shard-call outcomes, latency, throughput,
 * result error and availability, with decayed averages and a trend estimate; persisted in a datastore and
 * kept across restarts. Pure and clock-injected: every call takes `nowMs`.
 */
import { Key } from 'interface-datastore'
import type { Datastore } from 'interface-datastore'
import { ClockWentBackwardsError, CorruptMemoryRecordError, InvalidSampleError } from './errors.js'
import { addBucket, addObservation, checkObservation, emptyBucket } from './long-term-bucket.js'
import { decodeLongTermRecord, encodeLongTermRecord } from './long-term-codec.js'
import { resolveLongTermConfig } from './long-term-config.js'
import { createTrendScratch, decayedThroughput, longTermStats } from './long-term-stats.js'
import { checkPeerId } from './short-term.js'
import type { LongTermObservation } from './long-term-bucket.js'
import type { LongTermBucket, LongTermRecord } from './long-term-codec.js'
import type { LongTermConfig, LongTermMemoryInit } from './long-term-config.js'
import type { PeerHistory, TrendScratch } from './long-term-stats.js'
import type { LongTermStats } from './peer-stats.js'

export type { LongTermObservation } from './long-term-bucket.js'
export type { LongTermMemoryInit } from './long-term-config.js'

/** Outcome of {@link LongTermMemory.load}. */
export interface LongTermLoadResult {
  /** Entries loaded into memory. */
  loaded: number
  /** Entries older than `maxAgeMs` (dropped from memory and deleted from the datastore on the next save). */
  expired: number
  /** Entries that failed to decode or validate; each was skipped, the rest loaded. */
  skipped: CorruptMemoryRecordError[]
}

/** Long-term memory of every peer a node has worked with. */
export interface LongTermMemory {
  readonly bucketMs: number
  /** Adds an observation of `peerId` made at `nowMs` to its current bucket. */
  observe: (peerId: string, observation: LongTermObservation, nowMs: number) => void
  /** Decayed averages and trends of `peerId` at `nowMs`, or `undefined` for an unknown peer. */
  stats: (peerId: string, nowMs: number) => LongTermStats | undefined
  /** `stats(peerId, nowMs)?.throughput` without the rest (no trend fits): what the load gossip reads per sample. */
  throughput: (peerId: string, nowMs: number) => number | undefined
  /** Peers currently held, least recently seen first. */
  peers: () => string[]
  /** A copy of a peer's entry as it would be stored. */
  record: (peerId: string) => LongTermRecord | undefined
  /** Drops a peer (its entry is deleted from the datastore on the next save). */
  forget: (peerId: string) => void
  /** Drops peers unseen for more than `maxAgeMs`; returns their ids. */
  prune: (nowMs: number) => string[]
  /** Reads every entry under the key prefix; merges with anything already observed. */
  load: (nowMs: number) => Promise<LongTermLoadResult>
  /** Prunes, writes changed entries and deletes dropped ones in one batch; returns entries written. */
  save: (nowMs: number) => Promise<number>
}

interface PeerEntry extends PeerHistory {
  /** Changed since the last save. */
  dirty: boolean
}

/** A long-term memory's peers, and what the next save deletes from the datastore. */
interface Store {
  readonly config: LongTermConfig
  readonly datastore: Datastore | undefined
  /** Insertion order = least recently seen first (entries are re-inserted when seen). */
  readonly peers: Map<string, PeerEntry>
  /** Peers dropped since the last save. */
  readonly deleted: Set<string>
  readonly scratch: TrendScratch
}

/**
 * Creates a long-term memory, empty until {@link LongTermMemory.load} reads the datastore.
 *
 * @example
 * ```ts
 * const memory = createLongTermMemory({ datastore })
 * await memory.load(Date.now())
 * memory.observe('12D3KooW…', { ok: true, latencyMs: 18 }, Date.now())
 * memory.stats('12D3KooW…', Date.now())?.trend // 'stable'
 * await memory.save(Date.now())
 * ```
 */
export function createLongTermMemory (init: LongTermMemoryInit = {}): LongTermMemory {
  const config = resolveLongTermConfig(init)
  const store: Store = { config, datastore: init.datastore, peers: new Map(), deleted: new Set(), scratch: createTrendScratch(config.trendBuckets) }
  return {
    bucketMs: config.bucketMs,
    observe: (peerId, observation, nowMs) => { observe(store, peerId, observation, nowMs) },
    stats (peerId, nowMs) {
      const entry = store.peers.get(peerId)
      return entry === undefined ? undefined : longTermStats(peerId, entry, nowMs, config, store.scratch)
    },
    throughput (peerId, nowMs) {
      const entry = store.peers.get(peerId)
      return entry === undefined ? undefined : decayedThroughput(entry, nowMs, config)
    },
    peers: () => [...store.peers.keys()],
    record (peerId) {
      const entry = store.peers.get(peerId)
      if (entry === undefined) return undefined
      return { peerId, bucketMs: config.bucketMs, firstSeenMs: entry.firstSeenMs, lastSeenMs: entry.lastSeenMs, buckets: entry.buckets.map((b) => ({ ...b })) }
    },
    forget: (peerId) => { drop(store, peerId) },
    prune: (nowMs) => prune(store, nowMs),
    load: async (nowMs) => await load(store, nowMs),
    save: async (nowMs) => await save(store, nowMs)
  }
}

function observe (store: Store, peerId: string, observation: LongTermObservation, nowMs: number): void {
  checkPeerId(peerId)
  checkObservation(observation)
  if (!Number.isFinite(nowMs)) throw new InvalidSampleError(`nowMs must be finite, got ${nowMs}`)
  const { bucketMs, maxBuckets } = store.config
  let entry = store.peers.get(peerId)
  if (entry === undefined) entry = { firstSeenMs: nowMs, lastSeenMs: nowMs, buckets: [], dirty: true }
  const start = Math.floor(nowMs / bucketMs) * bucketMs
  let bucket = entry.buckets[entry.buckets.length - 1]
  if (bucket !== undefined && start < bucket.startMs) {
    throw new ClockWentBackwardsError(`observation at ${nowMs} precedes bucket ${bucket.startMs}`)
  }
  if (bucket === undefined || start > bucket.startMs) {
    bucket = emptyBucket(start)
    entry.buckets.push(bucket)
    if (entry.buckets.length > maxBuckets) entry.buckets.splice(0, entry.buckets.length - maxBuckets)
  }
  addObservation(bucket, observation)
  entry.lastSeenMs = Math.max(entry.lastSeenMs, nowMs)
  entry.dirty = true
  touch(store, peerId, entry)
}

/** Makes the peer the most recently seen; drops the least recently seen beyond `maxPeers`. */
function touch (store: Store, peerId: string, entry: PeerEntry): void {
  const { peers, deleted } = store
  peers.delete(peerId)
  peers.set(peerId, entry)
  deleted.delete(peerId)
  while (peers.size > store.config.maxPeers) {
    const oldest = peers.keys().next().value as string
    peers.delete(oldest)
    deleted.add(oldest)
  }
}

function drop (store: Store, peerId: string): void {
  if (store.peers.delete(peerId)) store.deleted.add(peerId)
}

/** Drops peers unseen for more than `maxAgeMs`; returns their ids. */
function prune (store: Store, nowMs: number): string[] {
  const removed: string[] = []
  for (const [peerId, entry] of store.peers) {
    if (entry.lastSeenMs < nowMs - store.config.maxAgeMs) removed.push(peerId)
  }
  for (const peerId of removed) drop(store, peerId)
  return removed
}

/** Merges a stored record into what memory holds of the peer (buckets re-aligned to this memory's width). */
function merge (store: Store, peerId: string, record: LongTermRecord): void {
  const { bucketMs, maxBuckets } = store.config
  const existing = store.peers.get(peerId)
  const byStart = new Map<number, LongTermBucket>()
  for (const b of existing?.buckets ?? []) byStart.set(b.startMs, { ...b })
  for (const b of record.buckets) {
    const start = Math.floor(b.startMs / bucketMs) * bucketMs
    const into = byStart.get(start)
    if (into === undefined) byStart.set(start, { ...b, startMs: start })
    else addBucket(into, b)
  }
  const buckets = [...byStart.values()].sort((a, b) => a.startMs - b.startMs).slice(-maxBuckets)
  const entry: PeerEntry = {
    firstSeenMs: Math.min(record.firstSeenMs, existing?.firstSeenMs ?? Number.POSITIVE_INFINITY),
    lastSeenMs: Math.max(record.lastSeenMs, existing?.lastSeenMs ?? Number.NEGATIVE_INFINITY),
    buckets,
    dirty: existing !== undefined || record.bucketMs !== bucketMs
  }
  touch(store, peerId, entry)
}

async function load (store: Store, nowMs: number): Promise<LongTermLoadResult> {
  const result: LongTermLoadResult = { loaded: 0, expired: 0, skipped: [] }
  if (store.datastore === undefined) return result
  const records = await readRecords(store.datastore, store.config.prefix, result.skipped)
  // Oldest first, so that when more than maxPeers are stored the most recently seen survive.
  records.sort((a, b) => a.lastSeenMs - b.lastSeenMs)
  for (const record of records) {
    if (record.lastSeenMs < nowMs - store.config.maxAgeMs) {
      result.expired++
      store.deleted.add(record.peerId)
      continue
    }
    merge(store, record.peerId, record)
    result.loaded++
  }
  return result
}

/** Every entry under the prefix that decodes and names its own peer; the others are added to `skipped`. */
async function readRecords (datastore: Datastore, prefix: string, skipped: CorruptMemoryRecordError[]): Promise<LongTermRecord[]> {
  const records: LongTermRecord[] = []
  for await (const { key, value } of datastore.query({ prefix: `${prefix}/` })) {
    const name = key.toString()
    const peerId = name.slice(prefix.length + 1)
    try {
      const record = decodeLongTermRecord(name, value)
      if (record.peerId !== peerId) throw new CorruptMemoryRecordError(name, `entry names peer ${record.peerId}`)
      records.push(record)
    } catch (err) {
      if (!(err instanceof CorruptMemoryRecordError)) throw err
      skipped.push(err)
    }
  }
  return records
}

async function save (store: Store, nowMs: number): Promise<number> {
  prune(store, nowMs)
  const { datastore, peers, deleted, config } = store
  if (datastore === undefined) return 0
  const keyOf = (peerId: string): Key => new Key(`${config.prefix}/${peerId}`)
  const batch = datastore.batch()
  let written = 0
  for (const [peerId, entry] of peers) {
    if (!entry.dirty) continue
    batch.put(keyOf(peerId), encodeLongTermRecord({ peerId, bucketMs: config.bucketMs, firstSeenMs: entry.firstSeenMs, lastSeenMs: entry.lastSeenMs, buckets: entry.buckets }))
    written++
  }
  for (const peerId of deleted) {
    if (!peers.has(peerId)) batch.delete(keyOf(peerId))
  }
  await batch.commit()
  for (const entry of peers.values()) entry.dirty = false
  deleted.clear()
  return written
}
