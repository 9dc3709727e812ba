import { Record as DhtRecord } from '@libp2p/kad-dht'
import { Key } from 'interface-datastore'
import { TESSERA_CAPABILITY_CID, capacityRecordKey, capacityRecordSelector, openCapacityRecord } from '@tessera/memory'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { DEFAULT_DHT_TIMEOUT_MS } from './constants.js'
import type { KadDHT } from '@libp2p/kad-dht'
import type { PeerId } from '@libp2p/interface'
import type { CapacityRecord, CapacityRecordValidator } from '@tessera/memory'
import type { Datastore } from 'interface-datastore'

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
}

/** A record that passed signature, key and expiry checks. */
export interface DiscoveredPeer {
  record: CapacityRecord
  /** The signed bytes as read from the DHT. */
  value: Uint8Array
}

/**
 * Reads one peer's capacity record from the DHT and returns the best valid one, or undefined when no valid record
 * is found. Candidates are taken from every peer response as well as the final value, so a failed correction
 * round inside kad-dht's `get` (a stale holder that went away) does not hide a record that was found.
 */
export async function readCapacityRecord (dht: KadDHT, validator: CapacityRecordValidator, peer: PeerId | string, signal: AbortSignal): Promise<DiscoveredPeer | undefined> {
  const key = capacityRecordKey(peer)
  const candidates: Uint8Array[] = []
  try {
    for await (const event of dht.get(key, { signal })) {
      if (event.name === 'VALUE') candidates.push(event.value)
      else if (event.name === 'PEER_RESPONSE' && event.record != null) candidates.push(event.record.value)
    }
  } catch {
    // kad-dht reports "not found" and failed corrections by throwing; whatever was collected still counts.
  }
  return await bestValid(key, candidates, validator)
}

async function bestValid (key: Uint8Array, candidates: Uint8Array[], validator: CapacityRecordValidator): Promise<DiscoveredPeer | undefined> {
  const valid: Uint8Array[] = []
  for (const value of candidates) {
    try {
      await validator(key, value)
      valid.push(value)
    } catch {
      // Forged, foreign, expired or malformed: never returned.
    }
  }
  if (valid.length === 0) return undefined
  const value = valid[capacityRecordSelector(key, valid)]
  return { record: await openCapacityRecord(value), value }
}

/**
 * Discovery: providers of the capability CID, then each provider's capacity record. Only records that the
 * validator accepts now are returned, so a node that stopped drops out once its record expires.
 */
export async function discoverCapacityRecords (dht: KadDHT, validator: CapacityRecordValidator, self: PeerId, options: DiscoverOptions = {}): Promise<DiscoveredPeer[]> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DHT_TIMEOUT_MS)
  const signal = options.signal == null ? timeout : AbortSignal.any([timeout, options.signal])
  const providers = new Map<string, PeerId>()
  try {
    for await (const event of dht.findProviders(TESSERA_CAPABILITY_CID, { signal })) {
      if (event.name !== 'PROVIDER') continue
      for (const p of event.providers) {
        if (options.includeSelf !== true && p.id.equals(self)) continue
        providers.set(p.id.toString(), p.id)
      }
    }
  } catch (err) {
    if (providers.size === 0 && !signal.aborted) throw err
  }
  const ids = [...providers.values()]
  const found: DiscoveredPeer[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < ids.length && !signal.aborted) {
      const id = ids[next++]
      const r = await readCapacityRecord(dht, validator, id, signal)
      if (r != null) found.push(r)
    }
  }
  await Promise.all(Array.from({ length: Math.min(DISCOVERY_CONCURRENCY, ids.length) }, worker))
  return found.sort((a, b) => a.record.peerId.localeCompare(b.record.peerId))
}

/**
 * The capacity record of `peer` as stored in this node's own datastore (no network), if it is still valid. Works
 * on a node that has just restarted and has no peers yet.
 */
export async function readLocalCapacityRecord (datastore: Datastore, validator: CapacityRecordValidator, peer: PeerId | string): Promise<DiscoveredPeer | undefined> {
  const key = capacityRecordKey(peer)
  let raw: Uint8Array
  try {
    raw = await datastore.get(new Key(`${DHT_RECORD_PREFIX}/${uint8ArrayToString(key, 'base32')}`, false))
  } catch {
    return undefined
  }
  return await bestValid(key, [DhtRecord.deserialize(raw).value], validator)
}
