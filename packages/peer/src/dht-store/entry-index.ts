/**
 * The bookkeeping behind the DHT store's bounds: which entries it holds, who stored each, and which one to evict
 * first. Pure and synchronous; the store applies its answers to the datastore.
 *
 * Eviction order is least recently useful first, in two segments. An entry starts *unproven*; it becomes *proven*
 * when it is useful — read, or renewed by a newer write under its key — and every use moves it to the back of
 * the proven segment. Unproven entries go before any proven one, oldest first. A flood of fresh entries from
 * throw-away keys therefore evicts itself before it evicts records that honest nodes renew every refresh period
 * or that someone reads; plain LRU would evict the honest ones first, as they were written before the flood.
 */
import { DhtStoreFullError } from '../errors.js'

/** One stored entry, as the index sees it. */
export interface IndexedEntry {
  /** The datastore key. */
  key: string
  /** What the per-group bound counts: the provided key of a provider entry; the entry's own key for a record. */
  group: string
  /** The remote peer that stored it (undefined: this node itself, or loaded from disk). */
  sender?: string
  /** The node's own entries are never evicted. */
  pinned: boolean
}

/** Bounds of one index; each is a count of entries. */
export interface EntryIndexLimits {
  maxEntries: number
  maxPerSender: number
  maxPerGroup: number
}

/** The entries of one kind (records, or provider entries) the DHT store holds, in eviction order. */
export class EntryIndex {
  readonly limits: EntryIndexLimits
  // Maps iterate in insertion order: re-inserting a key moves it to the back, so the front is the least recently useful.
  private readonly unproven = new Map<string, IndexedEntry>()
  private readonly proven = new Map<string, IndexedEntry>()
  private readonly perSender = new Map<string, number>()
  private readonly perGroup = new Map<string, number>()

  constructor (limits: EntryIndexLimits) {
    this.limits = limits
  }

  get size (): number {
    return this.unproven.size + this.proven.size
  }

  get (key: string): IndexedEntry | undefined {
    return this.unproven.get(key) ?? this.proven.get(key)
  }

  /** Entries stored by `sender` (remote peers only). */
  countOfSender (sender: string): number {
    return this.perSender.get(sender) ?? 0
  }

  countOfGroup (group: string): number {
    return this.perGroup.get(group) ?? 0
  }

  /** Every entry, least recently useful first. */
  * inEvictionOrder (): IterableIterator<IndexedEntry> {
    yield * this.unproven.values()
    yield * this.proven.values()
  }

  /**
   * The keys to evict before `entry` is stored (replacing whatever its key holds), so that no bound is exceeded
   * after it: the sender's least recently useful entry when the sender is at its bound, then the group's, then
   * the least recently useful of all. Nothing changes until the caller applies the answer.
   *
   * @throws {DhtStoreFullError} a bound is reached and only pinned entries (or `entry` itself) could make room
   */
  victimsFor (entry: IndexedEntry): string[] {
    const victims = new Map<string, IndexedEntry>()
    const existing = this.get(entry.key)
    const remaining = (count: number, matches: (e: IndexedEntry) => boolean): number => {
      let n = count - (existing !== undefined && matches(existing) ? 1 : 0)
      for (const v of victims.values()) if (matches(v)) n--
      return n
    }
    const evictOne = (what: string, matches: (e: IndexedEntry) => boolean): void => {
      for (const e of this.inEvictionOrder()) {
        if (!e.pinned && e.key !== entry.key && !victims.has(e.key) && matches(e)) {
          victims.set(e.key, e)
          return
        }
      }
      throw new DhtStoreFullError(`the DHT store is at its bound of ${what} and holds nothing it may evict`)
    }
    const sender = entry.sender
    if (sender !== undefined) {
      const ofSender = (e: IndexedEntry): boolean => e.sender === sender
      while (remaining(this.countOfSender(sender), ofSender) >= this.limits.maxPerSender) evictOne(`${this.limits.maxPerSender} entries from ${sender}`, ofSender)
    }
    const ofGroup = (e: IndexedEntry): boolean => e.group === entry.group
    while (remaining(this.countOfGroup(entry.group), ofGroup) >= this.limits.maxPerGroup) evictOne(`${this.limits.maxPerGroup} entries under one key`, ofGroup)
    const any = (): boolean => true
    while (remaining(this.size, any) >= this.limits.maxEntries) evictOne(`${this.limits.maxEntries} entries`, any)
    return [...victims.keys()]
  }

  /**
   * Records `entry` as stored. `useful`: a renewal of what its key held, which proves the entry (and makes it the
   * most recently useful); otherwise a new entry starts unproven and a replaced one keeps its standing.
   */
  set (entry: IndexedEntry, useful: boolean): void {
    const wasProven = this.proven.has(entry.key)
    this.delete(entry.key)
    const segment = useful || wasProven ? this.proven : this.unproven
    segment.set(entry.key, entry)
    if (entry.sender !== undefined) this.perSender.set(entry.sender, this.countOfSender(entry.sender) + 1)
    this.perGroup.set(entry.group, this.countOfGroup(entry.group) + 1)
  }

  /** The entry was useful (read): it becomes proven and the most recently useful. */
  touch (key: string): void {
    const entry = this.get(key)
    if (entry === undefined) return
    this.unproven.delete(key)
    this.proven.delete(key)
    this.proven.set(key, entry)
  }

  delete (key: string): IndexedEntry | undefined {
    const entry = this.get(key)
    if (entry === undefined) return undefined
    this.unproven.delete(key)
    this.proven.delete(key)
    if (entry.sender !== undefined) decrement(this.perSender, entry.sender)
    decrement(this.perGroup, entry.group)
    return entry
  }
}

function decrement (counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1
  if (n > 0) counts.set(key, n)
  else counts.delete(key)
}
