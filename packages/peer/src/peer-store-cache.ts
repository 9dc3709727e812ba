/**
 * libp2p's peer store reads and rewrites a peer's entry in the datastore on every inbound stream (it merges the
 * stream's protocol into the entry and writes it back, changed or not). On the node's LevelDB that is a get and a put
 * per stream: profiled under the hostile-client suite's stream flood and DHT attack, 10–13 % of the node's main
 * thread, paid again for each of an honest client's requests. This datastore keeps the peer store's entries
 * (`/peers/…`) in memory and writes a changed one to the wrapped datastore at most once per flush period, and all of
 * them on close; everything else passes straight through. At most `maxEntries` entries are kept in memory: past that
 * the oldest already-written ones are dropped (and read from the datastore again when asked for).
 */
import { logger } from '@libp2p/logger'
import { BaseDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'
import type { Datastore, KeyQuery, Pair, Query } from 'interface-datastore'

const log = logger('tessera:peer:peer-store-cache')

/** libp2p's peer store keeps one entry per peer under this prefix (@libp2p/peer-store's NAMESPACE_COMMON). */
export const PEER_STORE_PREFIX = '/peers/'

/** How long a changed peer entry may wait in memory before it is written (a crash loses at most this much). */
export const DEFAULT_PEER_STORE_FLUSH_MS = 2_000

/** Peer entries held in memory (a few hundred bytes each). */
export const DEFAULT_PEER_STORE_CACHE_ENTRIES = 4_096

export interface PeerStoreCacheInit {
  flushIntervalMs?: number
  maxEntries?: number
}

export class PeerStoreCache extends BaseDatastore {
  private readonly inner: Datastore
  private readonly entries = new Map<string, Uint8Array>()
  private readonly dirty = new Set<string>()
  private readonly maxEntries: number
  private readonly timer: ReturnType<typeof setInterval>
  // Flushes and deletes run one at a time, so a flush never writes back an entry deleted while it ran.
  private tail: Promise<unknown> = Promise.resolve()

  constructor (inner: Datastore, init: PeerStoreCacheInit = {}) {
    super()
    this.inner = inner
    this.maxEntries = init.maxEntries ?? DEFAULT_PEER_STORE_CACHE_ENTRIES
    this.timer = setInterval(() => { void this.flush() }, init.flushIntervalMs ?? DEFAULT_PEER_STORE_FLUSH_MS)
    this.timer.unref()
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const text = key.toString()
    if (!text.startsWith(PEER_STORE_PREFIX)) return await this.inner.put(key, value, options)
    this.dirty.add(text)
    this.remember(text, value)
    return key
  }

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    const text = key.toString()
    if (!text.startsWith(PEER_STORE_PREFIX)) return await this.inner.get(key, options)
    const held = this.entries.get(text)
    if (held !== undefined) return held
    const value = await this.inner.get(key, options)
    // A put while the read was in flight is newer than what was read.
    if (!this.entries.has(text)) this.remember(text, value)
    return this.entries.get(text) ?? value
  }

  override async has (key: Key, options?: AbortOptions): Promise<boolean> {
    return this.entries.has(key.toString()) || await this.inner.has(key, options)
  }

  override async delete (key: Key, options?: AbortOptions): Promise<void> {
    const text = key.toString()
    if (!text.startsWith(PEER_STORE_PREFIX)) {
      await this.inner.delete(key, options)
      return
    }
    this.entries.delete(text)
    this.dirty.delete(text)
    await this.exclusive(async () => { await this.inner.delete(key, options) })
  }

  override async * query (q: Query, options?: AbortOptions): AsyncGenerator<Pair> {
    if (this.mayInclude(q.prefix)) await this.flush()
    yield * this.inner.query(q, options)
  }

  override async * queryKeys (q: KeyQuery, options?: AbortOptions): AsyncGenerator<Key> {
    if (this.mayInclude(q.prefix)) await this.flush()
    yield * this.inner.queryKeys(q, options)
  }

  /** Writes every changed entry to the wrapped datastore. */
  async flush (): Promise<void> {
    await this.exclusive(async () => {
      for (const text of [...this.dirty]) {
        const value = this.entries.get(text)
        this.dirty.delete(text)
        if (value === undefined) continue
        try {
          await this.inner.put(new Key(text), value)
        } catch (err) {
          // Kept for the next flush; peer entries are hints (addresses, protocols), so the node runs on meanwhile.
          this.dirty.add(text)
          log.error('writing the peer entry %s failed - %e', text, err)
        }
      }
    })
  }

  /** Stops the flush timer and writes what is left; the wrapped datastore stays open. */
  async close (): Promise<void> {
    clearInterval(this.timer)
    await this.flush()
  }

  entriesHeld (): number {
    return this.entries.size
  }

  private mayInclude (prefix: string | undefined): boolean {
    return prefix === undefined || prefix.startsWith(PEER_STORE_PREFIX) || PEER_STORE_PREFIX.startsWith(prefix)
  }

  private remember (text: string, value: Uint8Array): void {
    this.entries.delete(text)
    this.entries.set(text, value)
    if (this.entries.size <= this.maxEntries) return
    // Oldest first (a Map iterates in insertion order, and a touched entry was re-inserted); unwritten ones stay.
    for (const held of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break
      if (!this.dirty.has(held)) this.entries.delete(held)
    }
  }

  private async exclusive (fn: () => Promise<void>): Promise<void> {
    const run = this.tail.then(fn, fn)
    this.tail = run.catch(() => {})
    await run
  }
}
