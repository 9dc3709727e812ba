/**
 * Discovery at scale, on the Kademlia model, in two designs whose DHT messages per round are counted by
 * simulating every lookup they make:
 *
 * - `readEveryProvider` — what packages/peer/src/discovery.ts does now: walk the capability CID's providers, and
 *   the 8 capability buckets' when it returns kad-dht's cap of 20, then read every provider's record (one lookup
 *   each). Its reads grow with the providers found (up to 9 × 20), and every round reads them all again.
 * - `bucketed` — records are found through capability buckets sized so each holds about `providersPerBucket`
 *   providers (B = ⌈N / providersPerBucket⌉ buckets, a peer in the bucket its id hashes to); a coordinator walks
 *   buckets in a seeded random order until it has read `candidates` records, then each later round walks the
 *   same buckets again and reads only the records of providers it has not seen (newcomers): work that grows with
 *   the candidates wanted and log N, not with N.
 */
import type { Rng } from '@tessera/crossbar'
import { KAD_K } from './kademlia-model.js'
import type { KademliaModel } from './kademlia-model.js'

/** Who provides under which bucket (peers with a readable record), kept by the scale engine. */
export class ProviderIndex {
  readonly buckets: Array<Set<string>>
  readonly bucketOf = new Map<string, number>()

  constructor (bucketCount: number) {
    this.buckets = Array.from({ length: bucketCount }, () => new Set<string>())
  }

  add (peerId: string, hash: number): void {
    const b = hash % this.buckets.length
    this.bucketOf.set(peerId, b)
    this.buckets[b].add(peerId)
  }

  /** The record expired (or was never published): the peer is no longer a provider. */
  remove (peerId: string): void {
    const b = this.bucketOf.get(peerId)
    if (b === undefined) return
    this.buckets[b].delete(peerId)
    this.bucketOf.delete(peerId)
  }

  get size (): number {
    return this.bucketOf.size
  }
}

/** DHT cost of one discovery round. */
export interface RoundCost {
  messages: number
  lookups: number
  recordsRead: number
}

/** One coordinator's bucketed discovery. */
export class BucketedDiscovery {
  private readonly order: number[]
  private walked = 0
  private readonly seen = new Set<string>()
  /** Each bucket's key id (walked again every round). */
  private readonly bucketKeys = new Map<number, number>()
  rounds = 0
  messages = 0

  constructor (private readonly kad: KademliaModel, private readonly index: ProviderIndex, private readonly originId: number, private readonly candidates: number, rng: Rng) {
    this.order = Array.from({ length: index.buckets.length }, (_, i) => i)
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1)
      const t = this.order[i]
      this.order[i] = this.order[j]
      this.order[j] = t
    }
  }

  /**
   * One round: the first walks buckets until `candidates` records are read; later ones walk the same buckets
   * again and read only newcomers. Returns the peers whose records were read, and the round's cost.
   */
  round (): { found: string[], cost: RoundCost } {
    const before = this.kad.messages
    let lookups = 0
    const found: string[] = []
    const readBucket = (b: number): void => {
      let key = this.bucketKeys.get(b)
      if (key === undefined) {
        key = this.kad.keyId(`bucket/${b}`)
        this.bucketKeys.set(b, key)
      }
      this.kad.lookup(this.originId, key)
      lookups++
      for (const peerId of this.index.buckets[b]) {
        if (this.seen.has(peerId)) continue
        this.seen.add(peerId)
        this.kad.lookup(this.originId, this.kad.keyId(`cap/${peerId}`))
        lookups++
        found.push(peerId)
      }
    }
    for (let i = 0; i < this.walked; i++) readBucket(this.order[i])
    while (this.walked < this.order.length && this.seen.size < this.candidates) readBucket(this.order[this.walked++])
    this.rounds++
    const messages = this.kad.messages - before
    this.messages += messages
    return { found, cost: { messages, lookups, recordsRead: found.length } }
  }
}

/** One round of the current design (packages/peer/src/discovery.ts) at the network's present state. */
export function readEveryProviderRound (kad: KademliaModel, originId: number, providers: readonly string[]): RoundCost {
  const before = kad.messages
  let lookups = 0
  // The capability CID, then its 8 buckets when the first walk hits kad-dht's cap of 20 providers.
  const walks = providers.length >= KAD_K ? 9 : 1
  for (let i = 0; i < walks; i++) {
    kad.lookup(originId, kad.keyId(`capability/${i}`))
    lookups++
  }
  const reads = Math.min(providers.length, walks * KAD_K)
  for (let i = 0; i < reads; i++) {
    kad.lookup(originId, kad.keyId(`cap/${providers[i]}`))
    lookups++
  }
  return { messages: kad.messages - before, lookups, recordsRead: reads }
}
