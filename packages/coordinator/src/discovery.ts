/**
 * Finding peers: a round asks the coordinator's incremental discovery (DhtDiscovery, packages/peer/src/
 * discovery-source.ts) for candidates, dials the ones with tiles not known yet and keeps those that answer. The coordinator's `discover()` repeats rounds until enough peers answer; a run repeats them when a
 * shard has nowhere to go and as its reconfiguration loop looks for peers that joined.
 */
import { logger } from '@libp2p/logger'
import { DhtDiscovery, directRecordReader } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import { DISCOVERY_RETRY_MS, DISCOVERY_ROUND_MS, DISCOVERY_WANTED_PEERS } from './constants.js'
import { NoPeersError } from './errors.js'
import { connectPeer } from './peers.js'
import type { PeerTarget } from './peers.js'
import { sleep } from './sleep.js'

const log = logger('tessera:coordinator:discovery')

/** A peer whose record was found but that did not answer a dial. */
export interface UnreachablePeer {
  peerId: string
  error: unknown
}

/**
 * A coordinator's discovery: candidates are peers with tiles, DISCOVERY_WANTED_PEERS of them, each record read from
 * the peer itself first (the coordinator dials its candidates anyway).
 */
export function coordinatorDiscovery (node: TesseraNode): DhtDiscovery {
  return new DhtDiscovery(node.libp2p.services.dht, node.validator, node.peerId, { wanted: DISCOVERY_WANTED_PEERS, direct: directRecordReader(node.libp2p, node.validator) })
}

/** What one round found. */
export interface DiscoveryRound {
  /** Candidate records held after the round. */
  records: number
  /** Peers new to the known ones, dialled and added to them. */
  added: PeerTarget[]
  /** Peers with tiles, new to the known ones, that could not be dialled. */
  unreachable: UnreachablePeer[]
  /**
   * Known peers whose record says they are leaving: dropped from the known ones, so nothing new goes to them; a run
   * re-places their copies before they go.
   */
  leaving: string[]
}

/**
 * One round of at most `timeoutMs`: adds every reachable candidate that `known` lacks to it, calling `onAdded` for
 * each. Only new and re-published records cost DHT reads (see DiscoveryWalk).
 */
export async function discoverRound (node: TesseraNode, discovery: DhtDiscovery, known: Map<string, PeerTarget>, timeoutMs: number, onAdded: (target: PeerTarget) => void): Promise<DiscoveryRound> {
  await discovery.round({ timeoutMs })
  const found = discovery.candidates()
  // A peer that announced it is leaving is dropped from what is known, and never added again.
  const leaving = found.map((f) => f.record).filter((r) => r.leaving === true).map((r) => r.peerId)
  for (const peerId of leaving) known.delete(peerId)
  const fresh = found.map((f) => f.record).filter((r) => r.leaving !== true && !known.has(r.peerId))
  const dialled = await Promise.allSettled(fresh.map(async (record) => await connectPeer(node.libp2p, record)))
  const round: DiscoveryRound = { records: found.length, added: [], unreachable: [], leaving }
  dialled.forEach((d, i) => {
    if (d.status === 'fulfilled') {
      known.set(d.value.peerId, d.value)
      onAdded(d.value)
      round.added.push(d.value)
    } else {
      log('peer %s has a record but did not answer a dial: %e', fresh[i].peerId, d.reason)
      round.unreachable.push({ peerId: fresh[i].peerId, error: d.reason })
    }
  })
  return round
}

/** Options of {@link discoverUntil}. */
export interface DiscoverUntilInit {
  /** Stop looking once this many peers are known. */
  minPeers: number
  timeoutMs: number
  now: () => number
  onAdded: (target: PeerTarget) => void
}

/**
 * Repeats rounds until `known` holds `minPeers` peers or time runs out (records appear as peers publish them);
 * resolves to every known peer by id. Throws {@link NoPeersError} (its cause: the last failure seen) when none is known.
 */
export async function discoverUntil (node: TesseraNode, discovery: DhtDiscovery, known: Map<string, PeerTarget>, init: DiscoverUntilInit): Promise<PeerTarget[]> {
  discovery.walk.wantAtLeast(init.minPeers)
  const deadline = init.now() + init.timeoutMs
  let records = 0
  let lastFailure: unknown
  for (;;) {
    const left = deadline - init.now()
    try {
      const round = await discoverRound(node, discovery, known, Math.max(1, Math.min(DISCOVERY_ROUND_MS, left)), init.onAdded)
      records = Math.max(records, round.records)
      lastFailure = round.unreachable.at(-1)?.error ?? lastFailure
    } catch (err) {
      log.error('a discovery round failed: %e', err)
      lastFailure = err
    }
    if (known.size >= init.minPeers || init.now() >= deadline) break
    await sleep(DISCOVERY_RETRY_MS)
  }
  if (known.size === 0) throw new NoPeersError(`discovery found ${records} record(s), none of a reachable peer with tiles`, { cause: lastFailure })
  return [...known.values()].sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
}
