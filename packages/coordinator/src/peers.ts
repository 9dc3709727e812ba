/**
 * From discovery to the scheduler's view of each peer: a capacity record (device, tiles, advertised
 * throughput, reachability), the path the coordinator reaches the peer by (read off the live connection: a
 * `/p2p-circuit` remote address is a relayed path), the RTT (ping, plus any emulated delay), and both memories.
 */
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, PeerId } from '@libp2p/interface'
import type { CapacityRecord, LongTermMemory, ShortTermMemory } from '@tessera/memory'
import { confirmedThroughput } from '@tessera/scheduler'
import type { PathKind, PeerView, RelayLimits } from '@tessera/scheduler'
import type { TesseraLibp2p } from '@tessera/peer'
import { DEFAULT_PING_TIMEOUT_MS, DEFAULT_PINGS_PER_PEER } from './constants.js'

const log = logger('tessera:coordinator:peers')

/** A discovered peer the coordinator can work with. */
export interface PeerTarget {
  peerId: string
  record: CapacityRecord
  path: PathKind
  relayLimits?: RelayLimits
  /** Measured RTT, ms (fastest of a few pings; emulated delay excluded). */
  measuredRttMs: number
}

/** Options of {@link connectPeer}. */
export interface ConnectPeerOptions {
  pings?: number
  pingTimeoutMs?: number
  signal?: AbortSignal
}

/** The path of a connection: relayed when its remote address goes through a circuit relay. */
export function connectionPath (connection: Pick<Connection, 'remoteAddr'>): PathKind {
  return connection.remoteAddr.toString().includes('/p2p-circuit') ? 'relayed' : 'direct'
}

/** Best path over a peer's open connections (a direct one wins), or undefined without a connection. */
export function pathOfConnections (connections: ReadonlyArray<Pick<Connection, 'remoteAddr'>>): PathKind | undefined {
  if (connections.length === 0) return undefined
  return connections.some((c) => connectionPath(c) === 'direct') ? 'direct' : 'relayed'
}

/**
 * Dials a peer on its record's addresses (direct ones first, relayed ones as they come), then reads the path
 * off the connection and pings it. Throws when the peer cannot be dialled.
 */
export async function connectPeer (libp2p: TesseraLibp2p, record: CapacityRecord, options: ConnectPeerOptions = {}): Promise<PeerTarget> {
  const peer: PeerId = peerIdFromString(record.peerId)
  if (libp2p.getConnections(peer).length === 0) {
    const addrs = record.addresses.map((a) => multiaddr(a))
    await libp2p.dial(addrs.length > 0 ? addrs : peer, { signal: options.signal ?? AbortSignal.timeout(options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS) })
  }
  const connections = libp2p.getConnections(peer)
  const path = pathOfConnections(connections) ?? (record.reachability === 'private' ? 'relayed' : 'direct')
  let relayLimits: RelayLimits | undefined
  const limited = connections.find((c) => c.limits != null)
  if (path === 'relayed' && limited?.limits != null) {
    // js-libp2p reports `limits.seconds` in milliseconds (docs/libp2p-v3-pitfalls.md).
    relayLimits = {
      dataBytes: limited.limits.bytes != null ? Number(limited.limits.bytes) : Number.MAX_SAFE_INTEGER,
      durationMs: limited.limits.seconds != null ? Number(limited.limits.seconds) : Number.MAX_SAFE_INTEGER
    }
  }
  const pings = options.pings ?? DEFAULT_PINGS_PER_PEER
  const samples: number[] = []
  for (let i = 0; i < pings; i++) {
    try {
      samples.push(await libp2p.services.ping.ping(peer, { signal: AbortSignal.timeout(options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS), runOnLimitedConnection: true }))
    } catch (err) {
      // A peer that does not answer pings is still usable; its RTT is unknown (0 below).
      log('ping %d of %s failed: %e', i, record.peerId, err)
    }
  }
  // The fastest ping: the others carry event-loop delays of whatever else the host is doing.
  const measuredRttMs = samples.length > 0 ? Math.min(...samples) : 0
  return { peerId: record.peerId, record, path, ...(relayLimits != null ? { relayLimits } : {}), measuredRttMs }
}

/** Inputs of {@link buildPeerView}. */
export interface PeerViewInputs {
  target: PeerTarget
  /** Tiles this coordinator has taken on the peer since discovery. */
  tilesTaken?: number
  /** Most tiles the peer lets this coordinator hold (its tile quota, once a refusal told it); none when unknown. */
  tileCap?: number
  /** Emulated one-way delay to the peer, ms (added twice to the RTT). */
  emulatedDelayMs?: number
  /** Shard calls the run keeps outstanding on the peer at most (slots.ts); absent = no limit. */
  callSlots?: number
  shortTerm?: ShortTermMemory
  longTerm?: LongTermMemory
  nowMs: number
}

/** The scheduler's view of one peer now. */
export function buildPeerView (inputs: PeerViewInputs): PeerView {
  const { target, nowMs } = inputs
  const r = target.record
  const lt = inputs.longTerm?.stats(target.peerId, nowMs)
  const view: PeerView = {
    peerId: target.peerId,
    device: {
      preset: r.device.preset,
      geometry: { rows: r.device.geometry.rows, cols: r.device.geometry.cols },
      noiseLevel: r.device.noiseLevel,
      tilesFree: Math.max(0, Math.min(r.tilesFree, inputs.tileCap ?? Infinity) - (inputs.tilesTaken ?? 0)),
      tilesTotal: r.tilesTotal,
      // The record counts 2 FLOPs per multiply-accumulate; the claim counts only as far as observed work confirms it.
      throughput: confirmedThroughput((r.throughputGflopPerSecond * 1e9) / 2, lt)
    },
    path: target.path,
    rttMs: target.measuredRttMs + 2 * (inputs.emulatedDelayMs ?? 0)
  }
  if (inputs.callSlots !== undefined) view.callSlots = inputs.callSlots
  if (target.relayLimits != null) view.relayLimits = target.relayLimits
  const st = inputs.shortTerm?.stats(target.peerId, nowMs)
  if (st != null) view.shortTerm = st
  if (lt != null) view.longTerm = lt
  return view
}
