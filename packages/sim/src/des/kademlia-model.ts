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

/** The live id space: sorted ids, rebuilt lazily after joins and departures. */
export class KademliaModel {
  private readonly live = new Set<number>()
  private sorted = new Uint32Array(0)
  private dirty = false
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
    this.live.add(id)
    this.dirty = true
  }

  leave (id: number): void {
    this.live.delete(id)
    this.dirty = true
  }

  get size (): number {
    return this.live.size
  }

  private ids (): Uint32Array {
    if (this.dirty) {
      this.sorted = Uint32Array.from(this.live).sort()
      this.dirty = false
    }
    return this.sorted
  }

  /** The ids node `y` knows in its bucket `b`, appended to `out`. */
  private bucket (y: number, b: number, out: number[]): void {
    const ids = this.sorted
    const flipped = (y ^ (1 << b)) >>> 0
    const span = 2 ** b
    const start = Math.floor(flipped / span) * span
    const lo = firstAtOrAfter(ids, start)
    const hi = firstAtOrAfter(ids, start + span)
    const n = hi - lo
    if (n <= KAD_K) {
      for (let i = lo; i < hi; i++) out.push(ids[i])
      return
    }
    // k of the range, evenly spread, at an offset fixed by y's id.
    const offset = ((Math.imul(y, 0x9e3779b1) >>> 0) / 4294967296)
    for (let j = 0; j < KAD_K; j++) out.push(ids[lo + Math.floor(((j + offset) * n) / KAD_K)])
  }

  /** The k ids `y` knows closest to `target` (what a FIND_NODE to y answers). */
  private closestKnown (y: number, target: number): number[] {
    const known: number[] = []
    const b = topBit(xor(y, target))
    if (b < 0) {
      for (let bb = 0; bb < 32 && known.length < KAD_K; bb++) this.bucket(y, bb, known)
    } else {
      this.bucket(y, b, known)
      // Too few there: the buckets nearer to y are the next closest to the target.
      for (let bb = b - 1; bb >= 0 && known.length < KAD_K; bb--) this.bucket(y, bb, known)
      for (let bb = b + 1; bb < 32 && known.length < KAD_K; bb++) this.bucket(y, bb, known)
    }
    known.sort((p, q) => xor(p, target) - xor(q, target))
    return known.slice(0, KAD_K)
  }

  /**
   * An iterative lookup from `origin` for `target`; resolves the k closest live ids and counts its messages.
   * (`origin` need not be live: a client-only coordinator looks up through the table it keeps.)
   */
  lookup (origin: number, target: number): number[] {
    this.ids()
    if (this.sorted.length === 0) return []
    const asked = new Set<number>()
    let shortlist = this.closestKnown(origin, target)
    let messages = 0
    for (;;) {
      const next = shortlist.filter((id) => !asked.has(id)).slice(0, KAD_ALPHA)
      if (next.length === 0) break
      const seen = new Set(shortlist)
      for (const y of next) {
        asked.add(y)
        messages++
        for (const id of this.closestKnown(y, target)) seen.add(id)
      }
      shortlist = [...seen].sort((p, q) => xor(p, target) - xor(q, target)).slice(0, KAD_K)
    }
    this.messages += messages
    this.lookups++
    return shortlist
  }
}
