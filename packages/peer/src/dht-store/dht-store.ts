/**
 * The datastore kad-dht writes through. kad-dht stores every record that validates and every provider entry it
 * is sent, with no bound and without asking its selector whether a record is better than the one it replaces (its
 * PUT_VALUE handler writes straight to the datastore). Every one of its writes lands
 * here, whatever path it took (a peer's PUT, a correction sent after a get, the node's own put), so this is where
 * the DHT layer's integrity is kept:
 * - a stored record is replaced only by one its namespace's replacement rule prefers (for capacity records a
 *   higher sequence of the same peer); anything else is refused with a reason;
 * - records are bounded in size, per remote peer and in total; provider entries per provided key, per provider
 *   and in total. At a bound the least recently useful entry goes first (see ./entry-index.ts); the node's own
 *   record and provider entries never do.
 * Everything else (peer store, long-term memory…) passes through untouched.
 */
import { Libp2pRecord } from '@libp2p/record'
import { logger } from '@libp2p/logger'
import { BaseDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import {
  DHT_DATASTORE_PREFIX, MAX_DHT_PROVIDER_ENTRIES, MAX_DHT_PROVIDER_KEY_LENGTH, MAX_DHT_PROVIDER_KEYS_PER_PEER,
  MAX_DHT_PROVIDERS_PER_KEY, MAX_DHT_RECORD_SIZE_BYTES, MAX_DHT_RECORDS, MAX_DHT_RECORDS_PER_PEER
} from '../constants.js'
import { DhtEntryMalformedError, DhtEntryTooLargeError, DhtRecordNotPreferredError, InvalidNodeOptionError } from '../errors.js'
import { EntryIndex } from './entry-index.js'
import { DhtSenderContext } from './sender-context.js'
import type { IndexedEntry } from './entry-index.js'
import type { SelectFn } from '@libp2p/kad-dht'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { Datastore, KeyQuery, Pair, Query } from 'interface-datastore'

const log = logger('tessera:peer:dht-store')
const decoder = new TextDecoder()

/** Whether `incoming` may replace `stored` under `key`: `replace`, `unchanged` (nothing to write), or throw to refuse. */
export type ReplacementRule = (key: Uint8Array, stored: Uint8Array, incoming: Uint8Array) => 'replace' | 'unchanged' | Promise<'replace' | 'unchanged'>

/** The bounds of a {@link DhtStore}; defaults are the MAX_DHT_* constants. */
export interface DhtStoreLimits {
  maxRecords: number
  maxRecordsPerPeer: number
  maxRecordSizeBytes: number
  maxProvidersPerKey: number
  maxProviderKeysPerPeer: number
  maxProviderEntries: number
  maxProviderKeyLength: number
}

export interface DhtStoreInit {
  /** The node's datastore, which this one wraps. */
  datastore: Datastore
  /** This node: its capacity record and provider entries are never evicted. */
  self: PeerId
  /** The DHT key of the node's own record (pinned). */
  ownRecordKey?: Uint8Array
  limits?: Partial<DhtStoreLimits>
  /** Replacement rule per namespace (a key's first segment); a namespace without one keeps what its selector prefers. */
  replacementRules?: Record<string, ReplacementRule>
  /** kad-dht's selectors, for namespaces without a replacement rule. */
  selectors?: Record<string, SelectFn>
  /** Who sent the write being handled (default: a context of its own, which kad-dht must be given; see libp2p.ts). */
  senders?: DhtSenderContext
  /** kad-dht's `datastorePrefix` (default DHT_DATASTORE_PREFIX). */
  prefix?: string
  /** A write was refused: the DHT key (text), the remote sender if any, and why. */
  onRefused?(refusal: DhtStoreRefusal): void
}

export interface DhtStoreRefusal {
  key: string
  sender?: string
  error: Error
}

export interface DhtStoreStats {
  records: number
  providerEntries: number
  /** Entries evicted to stay within the bounds since the store was created. */
  evicted: number
  /** Writes refused since the store was created. */
  refused: number
  /** DHT requests received from other nodes since the store was created (what the DHT costs this node to serve). */
  inboundRequests: number
}

interface RecordWrite {
  entry: IndexedEntry
  record: Libp2pRecord
  recordKeyText: string
}

function checkLimit (value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidNodeOptionError(`${what} must be a positive integer, got ${value}`)
  return value
}

/** The first varint of `bytes` (kad-dht stores a provider entry's time as one). */
function readVarint (bytes: Uint8Array): number {
  let value = 0
  for (let i = 0, scale = 1; i < bytes.length && i < 8; i++, scale *= 128) {
    value += (bytes[i] & 0x7f) * scale
    if ((bytes[i] & 0x80) === 0) break
  }
  return value
}

/**
 * A datastore for kad-dht that keeps the DHT layer's integrity (see the file comment). Call {@link DhtStore.load}
 * once before kad-dht starts: it indexes what the datastore already holds and trims it to the bounds.
 */
export class DhtStore extends BaseDatastore {
  readonly senders: DhtSenderContext
  readonly limits: DhtStoreLimits
  private readonly inner: Datastore
  private readonly self: string
  private readonly ownRecordKey?: string
  private readonly recordPrefix: string
  private readonly providerPrefix: string
  private readonly records: EntryIndex
  private readonly providers: EntryIndex
  private readonly rules: Record<string, ReplacementRule>
  private readonly selectors: Record<string, SelectFn>
  private readonly onRefused?: (refusal: DhtStoreRefusal) => void
  private evicted = 0
  private refused = 0
  // Writes under the DHT prefixes run one at a time: a check against the stored record and the write that follows
  // it must not interleave with another write to the same key, and the index must match the datastore.
  private tail: Promise<unknown> = Promise.resolve()

  constructor (init: DhtStoreInit) {
    super()
    const l = init.limits ?? {}
    this.limits = {
      maxRecords: checkLimit(l.maxRecords ?? MAX_DHT_RECORDS, 'maxRecords'),
      maxRecordsPerPeer: checkLimit(l.maxRecordsPerPeer ?? MAX_DHT_RECORDS_PER_PEER, 'maxRecordsPerPeer'),
      maxRecordSizeBytes: checkLimit(l.maxRecordSizeBytes ?? MAX_DHT_RECORD_SIZE_BYTES, 'maxRecordSizeBytes'),
      maxProvidersPerKey: checkLimit(l.maxProvidersPerKey ?? MAX_DHT_PROVIDERS_PER_KEY, 'maxProvidersPerKey'),
      maxProviderKeysPerPeer: checkLimit(l.maxProviderKeysPerPeer ?? MAX_DHT_PROVIDER_KEYS_PER_PEER, 'maxProviderKeysPerPeer'),
      maxProviderEntries: checkLimit(l.maxProviderEntries ?? MAX_DHT_PROVIDER_ENTRIES, 'maxProviderEntries'),
      maxProviderKeyLength: checkLimit(l.maxProviderKeyLength ?? MAX_DHT_PROVIDER_KEY_LENGTH, 'maxProviderKeyLength')
    }
    this.inner = init.datastore
    this.self = init.self.toString()
    this.ownRecordKey = init.ownRecordKey == null ? undefined : decoder.decode(init.ownRecordKey)
    const prefix = init.prefix ?? DHT_DATASTORE_PREFIX
    this.recordPrefix = `${prefix}/record/`
    this.providerPrefix = `${prefix}/provider/`
    // A record key is stored once, so the per-group bound of records is the total one.
    this.records = new EntryIndex({ maxEntries: this.limits.maxRecords, maxPerSender: this.limits.maxRecordsPerPeer, maxPerGroup: this.limits.maxRecords })
    this.providers = new EntryIndex({ maxEntries: this.limits.maxProviderEntries, maxPerSender: this.limits.maxProviderKeysPerPeer, maxPerGroup: this.limits.maxProvidersPerKey })
    this.rules = init.replacementRules ?? {}
    this.selectors = init.selectors ?? {}
    this.senders = init.senders ?? new DhtSenderContext()
    this.onRefused = init.onRefused
  }

  stats (): DhtStoreStats {
    return { records: this.records.size, providerEntries: this.providers.size, evicted: this.evicted, refused: this.refused, inboundRequests: this.senders.inboundStreams }
  }

  /** Indexes the records and provider entries already stored (oldest first) and evicts whatever exceeds the bounds. */
  async load (options?: AbortOptions): Promise<void> {
    await this.exclusive(async () => {
      const records: Array<{ entry: IndexedEntry, atMs: number }> = []
      for await (const { key, value } of this.inner.query({ prefix: this.recordPrefix }, options)) {
        try {
          const record = Libp2pRecord.deserialize(value)
          const recordKeyText = decoder.decode(record.key)
          records.push({ entry: { key: key.toString(), group: key.toString(), pinned: recordKeyText === this.ownRecordKey }, atMs: record.timeReceived.getTime() || 0 })
        } catch (err) {
          log.error('dropping the undecodable DHT record %s - %e', key.toString(), err)
          await this.inner.delete(key, options)
        }
      }
      const providers: Array<{ entry: IndexedEntry, atMs: number }> = []
      for await (const { key, value } of this.inner.query({ prefix: this.providerPrefix }, options)) {
        const entry = this.providerEntry(key.toString(), undefined)
        if (entry !== undefined) providers.push({ entry, atMs: readVarint(value) })
      }
      for (const [index, loaded] of [[this.records, records], [this.providers, providers]] as const) {
        for (const { entry } of loaded.sort((a, b) => a.atMs - b.atMs)) {
          await this.evict(index, index.victimsFor(entry), options)
          index.set(entry, false)
        }
      }
      log('indexed %d DHT records and %d provider entries (%d evicted to fit the bounds)', this.records.size, this.providers.size, this.evicted)
    })
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const text = key.toString()
    if (text.startsWith(this.recordPrefix)) return await this.exclusive(async () => await this.putRecord(key, value, options))
    if (text.startsWith(this.providerPrefix)) return await this.exclusive(async () => await this.putProvider(key, value, options))
    return await this.inner.put(key, value, options)
  }

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    const value = await this.inner.get(key, options)
    // A record read (served to a peer's GET_VALUE, or read by this node) is a useful one.
    if (key.toString().startsWith(this.recordPrefix)) this.records.touch(key.toString())
    return value
  }

  override async has (key: Key, options?: AbortOptions): Promise<boolean> {
    return await this.inner.has(key, options)
  }

  override async delete (key: Key, options?: AbortOptions): Promise<void> {
    const text = key.toString()
    if (!text.startsWith(this.recordPrefix) && !text.startsWith(this.providerPrefix)) {
      await this.inner.delete(key, options)
      return
    }
    await this.exclusive(async () => {
      await this.inner.delete(key, options)
      this.records.delete(text)
      this.providers.delete(text)
    })
  }

  override async * query (q: Query, options?: AbortOptions): AsyncGenerator<Pair> {
    yield * this.inner.query(q, options)
  }

  override async * queryKeys (q: KeyQuery, options?: AbortOptions): AsyncGenerator<Key> {
    yield * this.inner.queryKeys(q, options)
  }

  private async exclusive<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn)
    this.tail = run.catch(() => {})
    return await run
  }

  private refuse (key: string, error: Error): never {
    this.refused++
    const sender = this.senders.current()?.toString()
    log('refused %s from %s: %s', key, sender ?? 'this node', error.message)
    this.onRefused?.({ key, sender, error })
    throw error
  }

  private async evict (index: EntryIndex, victims: string[], options?: AbortOptions): Promise<void> {
    for (const victim of victims) {
      await this.inner.delete(new Key(victim), options)
      index.delete(victim)
      this.evicted++
      log('evicted %s to stay within the DHT store bounds', victim)
    }
  }

  private decodeRecordWrite (key: Key, value: Uint8Array): RecordWrite {
    const text = key.toString()
    if (value.byteLength > this.limits.maxRecordSizeBytes) {
      this.refuse(text, new DhtEntryTooLargeError(`a DHT record of ${value.byteLength} bytes exceeds ${this.limits.maxRecordSizeBytes}`))
    }
    let record: Libp2pRecord
    try {
      record = Libp2pRecord.deserialize(value)
    } catch (err) {
      return this.refuse(text, new DhtEntryMalformedError(`the value written to ${text} is not a DHT record`, { cause: err }))
    }
    const recordKeyText = decoder.decode(record.key)
    const sender = this.senders.current()?.toString()
    return { record, recordKeyText, entry: { key: text, group: text, sender, pinned: recordKeyText === this.ownRecordKey } }
  }

  private async putRecord (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const write = this.decodeRecordWrite(key, value)
    const stored = await this.inner.has(key, options) ? Libp2pRecord.deserialize(await this.inner.get(key, options)) : undefined
    if (stored !== undefined) {
      let verdict: 'replace' | 'unchanged'
      try {
        verdict = await this.replacement(write.record.key, write.recordKeyText, stored.value, write.record.value)
      } catch (err) {
        return this.refuse(write.recordKeyText, err instanceof Error ? err : new DhtRecordNotPreferredError(String(err)))
      }
      if (verdict === 'unchanged') return key
    }
    let victims: string[]
    try {
      victims = this.records.victimsFor(write.entry)
    } catch (err) {
      return this.refuse(write.recordKeyText, err as Error)
    }
    await this.evict(this.records, victims, options)
    await this.inner.put(key, value, options)
    // Replacing a stored record with a newer one renews it: the record is alive and kept up to date.
    this.records.set(write.entry, stored !== undefined)
    return key
  }

  private async replacement (recordKey: Uint8Array, recordKeyText: string, stored: Uint8Array, incoming: Uint8Array): Promise<'replace' | 'unchanged'> {
    const namespace = recordKeyText.split('/')[1] ?? ''
    const rule = this.rules[namespace]
    if (rule !== undefined) return await rule(recordKey, stored, incoming)
    if (stored.byteLength === incoming.byteLength && stored.every((b, i) => b === incoming[i])) return 'unchanged'
    const selector = this.selectors[namespace]
    if (selector !== undefined && await selector(recordKey, [stored, incoming]) === 1) return 'replace'
    throw new DhtRecordNotPreferredError(`the stored record under ${recordKeyText} is preferred to the new one`)
  }

  /** The index entry of provider entry `text` (`<prefix>/provider/<provided key>/<provider>`), undefined if malformed. */
  private providerEntry (text: string, sender: string | undefined): IndexedEntry | undefined {
    const rest = text.slice(this.providerPrefix.length)
    const slash = rest.lastIndexOf('/')
    if (slash <= 0 || slash === rest.length - 1) return undefined
    const provider = rest.slice(slash + 1)
    return { key: text, group: rest.slice(0, slash), sender, pinned: provider === this.self }
  }

  private async putProvider (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const text = key.toString()
    if (text.length > this.limits.maxProviderKeyLength) {
      this.refuse(text.slice(0, 80), new DhtEntryTooLargeError(`a provider entry key of ${text.length} characters exceeds ${this.limits.maxProviderKeyLength}`))
    }
    const entry = this.providerEntry(text, this.senders.current()?.toString())
    if (entry === undefined) this.refuse(text, new DhtEntryMalformedError(`${text} is not a provider entry key`))
    const renewal = this.providers.get(text) !== undefined
    let victims: string[]
    try {
      victims = this.providers.victimsFor(entry)
    } catch (err) {
      return this.refuse(text, err as Error)
    }
    await this.evict(this.providers, victims, options)
    await this.inner.put(key, value, options)
    // A provider announcing itself again for the same key renews its entry.
    this.providers.set(entry, renewal)
    return key
  }
}
