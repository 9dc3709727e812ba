/**
 * A Kademlia model for discovery cost and record expiry, at the scale no loopback network reaches.
 *
 * Ids are 32-bit (the XOR metric on 32 bits keeps the shape of kad-dht's 256-bit one for N ≪ 2³²). kad-dht's
 * parameters: k = 20 entries per bucket, α = 3 queries in parallel. Routing tables are those of a network whose
 * refresh has caught up with churn (departed peers are gone from every table, joined ones are in): node y's bucket
 * for the ids whose XOR distance to y has its top bit at b is the contiguous range of live ids sharing y's prefix
 * above b with bit b flipped; when that range holds more than k ids, y knows k of them spread evenly across it at
 * an offset drawn from y's id (who a node happens to have met). A FIND_NODE to y answers the k ids it knows
 * closest to the target. An iterative lookup queries α of the closest not yet asked until the k closest it has
 * seen have all answered; its cost is the number of queries (messages).
 *
 * Record expiry is the world's (world.ts: a departed peer's record is found until its last publication
 * expires) and the provider index's (discovery-model.ts).
 */
import { createRng } from '@tessera/crossbar'
import type { Rng } from '@tessera/crossbar'
import { firstAtOrAfter } from '../sorted-search.js'

/** kad-dht's bucket size and replication factor. */
export const KAD_K = 20
/** kad-dht's lookup concurrency. */
export const KAD_ALPHA = 3

function xor (a: number, b: number): number {
  return (a ^ b) >>> 0
}

/** Position of the highest set bit (0 … 31), −1 for 0. */
function topBit (x: number): number {
  return x === 0 ? -1 : 31 - Math.clz32(x)
}

/** The live id space: its ids kept sorted as nodes join and leave. */
export class KademliaModel {
  private readonly live = new Set<number>()
  /** Room for the sorted ids; the first `live.size` are the live ones. */
  private buffer = new Uint32Array(1024)
  /** The live ids in increasing order (a view of `buffer`). */
  private sorted = new Uint32Array(0)
  /** The lookup under way: its target, and its shortlist of the closest ids seen, nearest first, with their distances. */
  private target = 0
  private readonly shortIds = new Uint32Array(KAD_K)
  private readonly shortDist = new Uint32Array(KAD_K)
  private shortLen = 0
  private readonly rng: Rng
  /** Messages sent by lookups so far. */
  messages = 0
  /** Lookups done so far. */
  lookups = 0

  constructor (seed: string) {
    this.rng = createRng(`${seed}/kademlia`)
  }

  /** A fresh id for a joining node (distinct from every live one). */
  newId (): number {
    for (;;) {
      const id = this.rng.nextUint32()
      if (!this.live.has(id)) return id
    }
  }

  /** An id for a key (a record key or a CID): uniform over the space, from the key's text. */
  keyId (key: string): number {
    return createRng(`kad-key/${key}`).nextUint32()
  }

  join (id: number): void {
    if (this.live.has(id)) return
    const n = this.live.size
    if (n === this.buffer.length) {
      const grown = new Uint32Array(2 * n)
      grown.set(this.buffer)
      this.buffer = grown
    }
    const at = firstAtOrAfter(this.sorted, id)
    this.buffer.copyWithin(at + 1, at, n)
    this.buffer[at] = id
    this.live.add(id)
    this.sorted = this.buffer.subarray(0, n + 1)
  }

  leave (id: number): void {
    if (!this.live.delete(id)) return
    const n = this.live.size
    const at = firstAtOrAfter(this.sorted, id)
    this.buffer.copyWithin(at, at + 1, n + 1)
    this.sorted = this.buffer.subarray(0, n)
  }

  get size (): number {
    return this.live.size
  }

  /**
   * Offers the ids node `y` knows in its bucket `b` to the shortlist; returns how many it knows there (all of the
   * range when it holds at most k, else k of it).
   */
  private offerBucket (y: number, b: number): number {
    const ids = this.sorted
    const flipped = (y ^ (1 << b)) >>> 0
    const span = 2 ** b
    const start = Math.floor(flipped / span) * span
    const lo = firstAtOrAfter(ids, start)
    const hi = firstAtOrAfter(ids, start + span)
    const n = hi - lo
    if (n <= KAD_K) {
      for (let i = lo; i < hi; i++) this.offer(ids[i])
      return n
    }
    // k of the range, evenly spread, at an offset fixed by y's id.
    const offset = ((Math.imul(y, 0x9e3779b1) >>> 0) / 4294967296)
    for (let j = 0; j < KAD_K; j++) this.offer(ids[lo + Math.floor(((j + offset) * n) / KAD_K)])
    return KAD_K
  }

  /**
   * Offers what a FIND_NODE to `y` answers — the k ids it knows closest to the target — to the shortlist. Its
   * known ids are its bucket of the target, then nearer and farther buckets until it has k; offering all of them
   * leaves the same shortlist as offering only its k closest, since any other is farther than k of those.
   */
  private offerKnown (y: number): void {
    const b = topBit(xor(y, this.target))
    let known = 0
    if (b < 0) {
      for (let bb = 0; bb < 32 && known < KAD_K; bb++) known += this.offerBucket(y, bb)
      return
    }
    known += this.offerBucket(y, b)
    // Too few there: the buckets nearer to y are the next closest to the target.
    for (let bb = b - 1; bb >= 0 && known < KAD_K; bb--) known += this.offerBucket(y, bb)
    for (let bb = b + 1; bb < 32 && known < KAD_K; bb++) known += this.offerBucket(y, bb)
  }

  /**
   * Keeps `id` in the shortlist if it is among the k closest to the target seen so far: the shortlist is sorted by
   * XOR distance, which is distinct for distinct ids, so an id already there is found by its distance.
   */
  private offer (id: number): void {
    const d = xor(id, this.target)
    const dist = this.shortDist
    let len = this.shortLen
    if (len === KAD_K && d >= dist[KAD_K - 1]) return
    let lo = 0
    let hi = len
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (dist[mid] < d) lo = mid + 1
      else hi = mid
    }
    if (lo < len && dist[lo] === d) return
    if (len === KAD_K) len--
    dist.copyWithin(lo + 1, lo, len)
    this.shortIds.copyWithin(lo + 1, lo, len)
    dist[lo] = d
    this.shortIds[lo] = id
    this.shortLen = len + 1
  }

  /**
   * An iterative lookup from `origin` for `target`; resolves the k closest live ids and counts its messages.
   * (`origin` need not be live: a client-only coordinator looks up through the table it keeps.)
   */
  lookup (origin: number, target: number): number[] {
    if (this.sorted.length === 0) return []
    this.target = target
    this.shortLen = 0
    this.offerKnown(origin)
    const asked = new Set<number>()
    const next: number[] = []
    let messages = 0
    for (;;) {
      next.length = 0
      for (let i = 0; i < this.shortLen && next.length < KAD_ALPHA; i++) if (!asked.has(this.shortIds[i])) next.push(this.shortIds[i])
      if (next.length === 0) break
      for (const y of next) {
        asked.add(y)
        messages++
        this.offerKnown(y)
      }
    }
    const shortlist = Array.from(this.shortIds.subarray(0, this.shortLen))
    this.messages += messages
    this.lookups++
    return shortlist
  }
}
