import { Record as DhtRecord } from '@libp2p/kad-dht'
import { logger } from '@libp2p/logger'
import { Key } from 'interface-datastore'
import { capacityRecordKey, capacityRecordSelector, openCapacityRecord } from '@tessera/memory'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { CAPABILITY_BUCKETS, DEFAULT_DHT_TIMEOUT_MS } from './constants.js'
import { forEachConcurrently } from './concurrently.js'
import { bucketCid, bucketOfPeer } from './capability-buckets.js'
import type { DiscoveryDht } from './discovery-source.js'
import type { CID } from 'multiformats/cid'
import type { PeerId } from '@libp2p/interface'
import type { CapacityRecord, CapacityRecordValidator } from '@tessera/memory'
import type { Datastore } from 'interface-datastore'

const log = logger('tessera:peer:discovery')

/** Concurrent record reads during discovery. */
const DISCOVERY_CONCURRENCY = 8

/** kad-dht keeps records under `<datastorePrefix>/record/<base32 key>`, with the default prefix `/dht`. */
const DHT_RECORD_PREFIX = '/dht/record'

export interface DiscoverOptions {
  /** Bound on the whole discovery (default 30 s). */
  timeoutMs?: number
  signal?: AbortSignal
  /** Include this node's own record if it provides (default false). */
  includeSelf?: boolean
  /**
   * Peer ids (strings) whose records the caller already holds: they are not read again and not returned. A caller
   * polling for newcomers then spends its reads, and the network's work, on peers it has not found yet.
   */
  skip?: ReadonlySet<string>
  /** `node.discoverPeers()` only: records returned at most (default DEFAULT_DISCOVER_PEERS_LIMIT, discover-peers.ts). */
  limit?: number
}

/** A record that passed signature, key and expiry checks. */
export interface DiscoveredPeer {
  record: CapacityRecord
  /** The signed bytes as read from the DHT. */
  value: Uint8Array
}

/** The CIDs of the capability buckets, `capabilityCid('tessera/capability/v1/bucket/<i>')` (level 1 of the bucket tree). */
export const CAPABILITY_BUCKET_CIDS: readonly CID[] = Array.from({ length: CAPABILITY_BUCKETS }, (_, index) => bucketCid({ level: 1, index }))

/** The capability bucket a peer provides: the first byte of the SHA-256 of its peer id string, modulo the bucket count. */
export function capabilityBucketOf (peer: PeerId | string): number {
  return bucketOfPeer(peer, 1).index
}

/** The bucket CID a peer provides besides the well-known capability CID. */
export function capabilityBucketCid (peer: PeerId | string): CID {
  return CAPABILITY_BUCKET_CIDS[capabilityBucketOf(peer)]
}

/**
 * Valid copies of a record after which a read stops asking further holders. kad-dht's `get` otherwise walks the
 * query to completion (every holder near the key answers) and then sends corrections to holders of older copies;
 * with 50 nodes that is most of the network per record. Any unexpired copy is a valid answer, and the best of the
 * first few is at most one refresh period old.
 */
export const RECORD_READ_QUORUM = 3

/**
 * Reads one peer's capacity record from the DHT and returns the best valid one, or undefined when no valid record
 * is found. Candidates are taken from every peer response as well as the final value, so a failed correction
 * round inside kad-dht's `get` (a stale holder that went away) does not hide a record that was found. The read
 * stops once `quorum` valid copies are in hand (default {@link RECORD_READ_QUORUM}).
 */
export async function readCapacityRecord (dht: DiscoveryDht, validator: CapacityRecordValidator, peer: PeerId | string, signal: AbortSignal, quorum = RECORD_READ_QUORUM): Promise<DiscoveredPeer | undefined> {
  const key = capacityRecordKey(peer)
  const valid: Uint8Array[] = []
  try {
    for await (const event of dht.get(key, { signal })) {
      if (event.name === 'VALUE') await keepIfValid(validator, key, event.value, valid)
      else if (event.name === 'PEER_RESPONSE' && event.record != null) await keepIfValid(validator, key, event.record.value, valid)
      // Leaving the loop ends the query (and skips its correction round).
      if (valid.length >= quorum) break
    }
  } catch (err) {
    // kad-dht reports "not found", a timeout and failed corrections by throwing; whatever was collected still counts.
    log('reading the capacity record of %s ended with %d valid copies - %e', peer, valid.length, err)
  }
  return await best(key, valid)
}

/** Appends `value` to `valid` when the validator accepts it. */
async function keepIfValid (validator: CapacityRecordValidator, key: Uint8Array, value: Uint8Array, valid: Uint8Array[]): Promise<void> {
  try {
    await validator(key, value)
    valid.push(value)
  } catch (err) {
    // Forged, foreign, expired or malformed: never returned. Any peer can store junk, so this is no failure of ours.
    log.trace('ignoring a capacity record that fails validation - %e', err)
  }
}

/** The best of `values` that the validator accepts for `key` (by the capacity record selector), if any. */
export async function bestValidRecord (validator: CapacityRecordValidator, key: Uint8Array, values: Uint8Array[]): Promise<DiscoveredPeer | undefined> {
  const valid: Uint8Array[] = []
  for (const value of values) await keepIfValid(validator, key, value, valid)
  return await best(key, valid)
}

async function best (key: Uint8Array, valid: Uint8Array[]): Promise<DiscoveredPeer | undefined> {
  if (valid.length === 0) return undefined
  const value = valid[capacityRecordSelector(key, valid)]
  return { record: await openCapacityRecord(value), value }
}

/**
 * Discovery that reads every provider (the design before discovery-walk.ts, kept for the network bench's comparison):
 * the providers of every level-1 capability bucket, then each provider's capacity record through the DHT. Only
 * records that the validator accepts now are returned, so a node that stopped drops out once its record expires.
 */
export async function discoverCapacityRecords (dht: DiscoveryDht, validator: CapacityRecordValidator, self: PeerId, options: DiscoverOptions = {}): Promise<DiscoveredPeer[]> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DHT_TIMEOUT_MS)
  const signal = options.signal == null ? timeout : AbortSignal.any([timeout, options.signal])
  const providers = new Map<string, PeerId>()
  let failure: unknown
  const collect = async (cid: CID): Promise<void> => {
    let seen = 0
    try {
      for await (const event of dht.findProviders(cid, { signal })) {
        if (event.name !== 'PROVIDER') continue
        for (const p of event.providers) {
          seen++
          if (options.includeSelf !== true && p.id.equals(self)) continue
          providers.set(p.id.toString(), p.id)
        }
      }
    } catch (err) {
      // Providers found in other buckets (or the time is up): discovery goes on with what it has.
      failure ??= err
      log('finding providers of %c ended after %d - %e', cid, seen, err)
    }
  }
  await Promise.all(CAPABILITY_BUCKET_CIDS.map(collect))
  if (providers.size === 0 && failure !== undefined && !signal.aborted) throw failure
  const ids = [...providers.values()].filter((id) => options.skip?.has(id.toString()) !== true)
  const found: DiscoveredPeer[] = []
  await forEachConcurrently(ids, DISCOVERY_CONCURRENCY, async (id) => {
    const r = await readCapacityRecord(dht, validator, id, signal)
    if (r != null) found.push(r)
  }, signal)
  return found.sort((a, b) => a.record.peerId.localeCompare(b.record.peerId))
}

/** Where kad-dht keeps the record of a DHT key in its datastore. */
function localRecordKey (key: Uint8Array): Key {
  return new Key(`${DHT_RECORD_PREFIX}/${uint8ArrayToString(key, 'base32')}`, false)
}

/** Stores a record in kad-dht's datastore as kad-dht's put does before it asks the network (a node's own record). */
export async function storeLocalRecord (datastore: Datastore, key: Uint8Array, value: Uint8Array): Promise<void> {
  await datastore.put(localRecordKey(key), new DhtRecord(key, value, new Date()).serialize())
}

/**
 * The capacity record of `peer` as stored in this node's own datastore (no network), if it is still valid. Works
 * on a node that has just restarted and has no peers yet. A datastore that fails to read throws.
 */
export async function readLocalCapacityRecord (datastore: Datastore, validator: CapacityRecordValidator, peer: PeerId | string): Promise<DiscoveredPeer | undefined> {
  const key = capacityRecordKey(peer)
  const stored = localRecordKey(key)
  if (!await datastore.has(stored)) return undefined
  const valid: Uint8Array[] = []
  await keepIfValid(validator, key, DhtRecord.deserialize(await datastore.get(stored)).value, valid)
  return await best(key, valid)
}
