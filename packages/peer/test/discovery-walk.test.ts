import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { ABSENT_PROVIDER_RETRY_MS, DiscoveryWalk, WALK_CONCURRENCY, bucketOfPeer, candidateFilter } from '../src/index.js'
import { DHT_FIND_PROVIDERS_LIMIT } from '../src/constants.js'
import type { BucketRef, DiscoveredPeer, DiscoverySource } from '../src/index.js'
import type { CapacityRecord } from '@tessera/memory'
import { capacityRecordFields } from '@tessera/testing'

const T0 = 1_800_000_000_000
const LIFETIME_MS = 120_000

function record (peerId: string, sequence: number, issuedAtMs: number, rows = 256): CapacityRecord {
  return capacityRecordFields(peerId, { device: { preset: 'ideal', geometry: { rows, cols: 256 }, noiseLevel: 0 }, sequence, issuedAtMs, expiresAtMs: issuedAtMs + LIFETIME_MS })
}

/** A DHT as a map: a bucket's answer is its members, at most DHT_FIND_PROVIDERS_LIMIT of them in a seeded order. */
class FakeDht implements DiscoverySource {
  readonly records = new Map<string, CapacityRecord>()
  /** Providers without a record (a node that left; provider entries outlive records). */
  readonly bare = new Set<string>()
  readonly reads: string[] = []
  readonly walks: string[] = []
  private readonly rng = createRng('fake-dht/answers')

  add (peerId: string, at = T0, rows = 256): void {
    this.records.set(peerId, record(peerId, at, at, rows))
  }

  async providers (bucket: BucketRef): Promise<string[]> {
    this.walks.push(`${bucket.level}/${bucket.index}`)
    const members = [...this.records.keys(), ...this.bare].filter((p) => bucketOfPeer(p, bucket.level).index === bucket.index)
    for (let i = members.length - 1; i > 0; i--) {
      const j = this.rng.nextInt(i + 1);
      [members[i], members[j]] = [members[j], members[i]]
    }
    return members.slice(0, DHT_FIND_PROVIDERS_LIMIT)
  }

  async read (peerId: string): Promise<DiscoveredPeer | undefined> {
    this.reads.push(peerId)
    const r = this.records.get(peerId)
    return r === undefined ? undefined : { record: r, value: new Uint8Array() }
  }
}

function population (n: number, tag = 'p'): FakeDht {
  const dht = new FakeDht()
  for (let i = 0; i < n; i++) dht.add(`${tag}-${i}`, T0, i % 4 === 0 ? 128 : 256)
  return dht
}

const live = (): AbortSignal => new AbortController().signal

describe('DiscoveryWalk', () => {
  it('reads exactly the wanted records, from one level-1 bucket alone, whatever N is', async () => {
    for (const n of [200, 2_000]) {
      const dht = population(n)
      const walk = new DiscoveryWalk({ source: dht, wanted: 10, rng: createRng('walk/a') })
      const round = await walk.round(T0, live())
      assert.equal(round.added.length, 10)
      assert.equal(round.recordsRead, 10)
      assert.equal(dht.walks.length, 1)
      assert.ok(dht.walks[0].startsWith('1/'), 'the root is no node\'s to provide: the walk starts at level 1')
      assert.equal(walk.candidates().length, 10)
    }
  })

  it('descends into full buckets only while short, and every candidate passes the filter', async () => {
    const n = 2_000
    const dht = population(n)
    // A quarter of the peers have 128-row tiles: the filter rejects three in four.
    const filter = candidateFilter({ geometry: { rows: 128, cols: 256 } })
    const walk = new DiscoveryWalk({ source: dht, wanted: 30, filter, rng: createRng('walk/b') })
    const round = await walk.round(T0, live())
    assert.equal(walk.candidates().length, 30)
    assert.ok(walk.candidates().every((c) => c.record.device.geometry.rows === 128))
    // About 30 / (1/4) = 120 reads are needed; every walked bucket lists at most 20, and none is read twice.
    assert.equal(new Set(dht.reads).size, dht.reads.length)
    assert.ok(round.recordsRead >= 30 && round.recordsRead <= 160, `read ${round.recordsRead}`)
    assert.ok(round.bucketsWalked <= Math.ceil(round.recordsRead / DHT_FIND_PROVIDERS_LIMIT) + 1, `walked ${round.bucketsWalked}`)
    assert.ok(dht.walks.every((w) => !w.startsWith('2/')), 'level-1 buckets answered enough: no level-2 walk')
  })

  it('with no bound, reaches every peer through the tree (the level-1 buckets, then below the full ones)', async () => {
    for (const n of [12, 100, 400]) {
      const dht = population(n)
      const walk = new DiscoveryWalk({ source: dht, wanted: Infinity, rng: createRng('walk/c') })
      await walk.round(T0, live())
      assert.equal(walk.candidates().length, n, `n = ${n}`)
      assert.equal(new Set(dht.reads).size, dht.reads.length)
      // A level-2 bucket is walked only below a level-1 bucket with a full answer.
      const members = (level: number, index: number): number => [...dht.records.keys()].filter((p) => bucketOfPeer(p, level).index === index).length
      for (const w of dht.walks.filter((x) => x.startsWith('2/'))) assert.ok(members(1, Number(w.slice(2)) % 8) >= DHT_FIND_PROVIDERS_LIMIT, w)
      if (n === 400) assert.ok(dht.walks.some((w) => w.startsWith('2/')))
      if (n === 12) assert.deepEqual([...dht.walks].sort(), Array.from({ length: 8 }, (_, i) => `1/${i}`).sort())
    }
  })

  it('asks several new buckets at once when many candidates are wanted, and one at a time for a few', async () => {
    /** Counts the bucket lookups in flight at once (each answers after a macrotask). */
    class Concurrent extends FakeDht {
      inFlight = 0
      most = 0
      override async providers (bucket: BucketRef): Promise<string[]> {
        this.most = Math.max(this.most, ++this.inFlight)
        await new Promise((resolve) => setImmediate(resolve))
        this.inFlight--
        return await super.providers(bucket)
      }
    }
    const every = new Concurrent()
    for (let i = 0; i < 400; i++) every.add(`every-${i}`)
    await new DiscoveryWalk({ source: every, wanted: Infinity, rng: createRng('walk/every') }).round(T0, live())
    assert.equal(every.most, WALK_CONCURRENCY)
    const few = new Concurrent()
    for (let i = 0; i < 400; i++) few.add(`few-${i}`)
    await new DiscoveryWalk({ source: few, wanted: DHT_FIND_PROVIDERS_LIMIT, rng: createRng('walk/few') }).round(T0, live())
    assert.equal(few.most, 1)
  })

  it('a later round with enough candidates and nothing due sends nothing', async () => {
    const dht = population(200)
    const walk = new DiscoveryWalk({ source: dht, wanted: 10, rng: createRng('walk/d') })
    await walk.round(T0, live())
    const [reads, walks] = [dht.reads.length, dht.walks.length]
    const round = await walk.round(T0 + 3_000, live())
    assert.deepEqual([round.recordsRead, round.bucketsWalked, dht.reads.length, dht.walks.length], [0, 0, reads, walks])
  })

  it('a later round reads only the newcomers when short', async () => {
    const dht = population(12)
    const walk = new DiscoveryWalk({ source: dht, wanted: Infinity, rng: createRng('walk/e') })
    await walk.round(T0, live())
    dht.reads.length = 0
    for (const p of ['new-1', 'new-2', 'new-3']) dht.add(p, T0 + 1_000)
    const round = await walk.round(T0 + 3_000, live())
    assert.deepEqual([...dht.reads].sort(), ['new-1', 'new-2', 'new-3'])
    assert.deepEqual(round.added.map((a) => a.record.peerId).sort(), ['new-1', 'new-2', 'new-3'])
    assert.equal(walk.candidates().length, 15)
  })

  it('when short, re-walks the walked buckets but not a parent whose children were all walked', async () => {
    const dht = population(100)
    const walk = new DiscoveryWalk({ source: dht, wanted: Infinity, rng: createRng('walk/j') })
    await walk.round(T0, live())
    assert.ok(!walk.walkedBuckets().includes('0/0') && walk.walkedBuckets().filter((b) => b.startsWith('1/')).length === 8)
    dht.walks.length = 0
    await walk.round(T0 + 3_000, live())
    const leaves = walk.walkedBuckets().filter((b) => !(b.startsWith('1/') && walk.walkedBuckets().some((c) => c.startsWith('2/') && Number(c.slice(2)) % 8 === Number(b.slice(2)))))
    assert.deepEqual([...dht.walks].sort(), [...leaves].sort())
  })

  it('descends into a bucket that was not full when first walked once a later answer is full', async () => {
    const dht = population(10)
    const walk = new DiscoveryWalk({ source: dht, wanted: Infinity, rng: createRng('walk/k') })
    await walk.round(T0, live())
    assert.ok(dht.walks.every((w) => w.startsWith('1/')))
    // The network grows past a full answer in some level-1 buckets: the next round walks their children.
    for (let i = 0; i < 400; i++) dht.add(`late-${i}`, T0 + 1_000)
    await walk.round(T0 + 3_000, live())
    assert.equal(walk.candidates().length, 410)
    assert.ok(dht.walks.some((w) => w.startsWith('2/')))
  })

  it('re-reads a held record once its peer has re-published, and reports the change', async () => {
    const dht = population(5)
    const walk = new DiscoveryWalk({ source: dht, wanted: 5, rng: createRng('walk/f') })
    await walk.round(T0, live())
    dht.reads.length = 0
    // Before half the lifetime nothing is due.
    await walk.round(T0 + LIFETIME_MS / 2 - 1, live())
    assert.equal(dht.reads.length, 0)
    const republishedAt = T0 + LIFETIME_MS / 2
    dht.records.set('p-1', { ...record('p-1', republishedAt, republishedAt), tilesFree: 1 })
    const round = await walk.round(republishedAt, live())
    assert.equal(dht.reads.length, 5, 'every record is due once')
    assert.deepEqual(round.updated.map((u) => [u.record.peerId, u.record.tilesFree]), [['p-1', 1]])
    assert.deepEqual(round.added, [])
    dht.reads.length = 0
    // A record that has not changed is not read again for an eighth of its lifetime.
    await walk.round(republishedAt + LIFETIME_MS / 8 - 1, live())
    assert.equal(dht.reads.length, 0)
  })

  it('drops a candidate whose record expires, and one whose new record fails the filter', async () => {
    const dht = population(4)
    const walk = new DiscoveryWalk({ source: dht, wanted: Infinity, filter: candidateFilter({ minTilesFree: 2 }), rng: createRng('walk/g') })
    await walk.round(T0, live())
    assert.equal(walk.candidates().length, 4)
    dht.records.delete('p-2')
    const at = T0 + LIFETIME_MS / 2
    dht.records.set('p-3', { ...record('p-3', at, at), tilesFree: 1 })
    for (const p of ['p-0', 'p-1']) dht.records.set(p, record(p, at, at))
    const first = await walk.round(at, live())
    assert.deepEqual(first.dropped, ['p-3'])
    const second = await walk.round(T0 + LIFETIME_MS, live())
    assert.deepEqual(second.dropped, ['p-2'])
    assert.deepEqual(walk.candidates().map((c) => c.record.peerId), ['p-0', 'p-1'])
    // p-3 is still held (its record is valid, only not a candidate): a later record with free tiles brings it back.
    // The second round re-read it (unchanged): the next read is due an eighth of a lifetime later.
    const later = T0 + LIFETIME_MS + LIFETIME_MS / 8
    dht.records.set('p-3', record('p-3', later, later))
    const third = await walk.round(later, live())
    assert.deepEqual(third.added.map((a) => a.record.peerId), ['p-3'])
  })

  it('asks a provider without a record again only after the retry delay', async () => {
    const dht = population(3)
    dht.bare.add('gone')
    const walk = new DiscoveryWalk({ source: dht, wanted: Infinity, rng: createRng('walk/h') })
    await walk.round(T0, live())
    assert.equal(dht.reads.filter((r) => r === 'gone').length, 1)
    await walk.round(T0 + ABSENT_PROVIDER_RETRY_MS - 1, live())
    assert.equal(dht.reads.filter((r) => r === 'gone').length, 1)
    await walk.round(T0 + ABSENT_PROVIDER_RETRY_MS, live())
    assert.equal(dht.reads.filter((r) => r === 'gone').length, 2)
  })

  it('stops when the signal aborts and keeps what it read', async () => {
    const dht = population(50)
    const controller = new AbortController()
    const source: DiscoverySource = {
      providers: async (b) => await dht.providers(b),
      read: async (p) => {
        if (dht.reads.length === 3) controller.abort()
        return await dht.read(p)
      }
    }
    const walk = new DiscoveryWalk({ source, wanted: Infinity, rng: createRng('walk/i'), concurrency: 1 })
    await walk.round(T0, controller.signal)
    assert.equal(dht.reads.length, 4)
    assert.equal(walk.candidates().length, 4)
    // The next round goes on with the providers already listed, reading none twice.
    await walk.round(T0 + 3_000, live())
    assert.equal(walk.candidates().length, 50)
    assert.equal(new Set(dht.reads).size, dht.reads.length)
  })
})
