/**
 * A running `tessera node` keeps `<data dir>/status.json` up to date (every 2 s, written to a temporary file and
 * renamed, so a reader never sees half a file), and removes it when it stops; `tessera status` reads it.
 */
import { rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { heldRelays } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import type { NatKind, Reachability } from '@tessera/memory'

const log = logger('tessera:cli:status')

export const STATUS_FILE_NAME = 'status.json'

/** How often a running node rewrites its status file. */
export const STATUS_WRITE_INTERVAL_MS = 2000

/** What `tessera status` shows, from the status file or from the metrics server. */
export interface NodeStatus {
  peerId?: string
  pid?: number
  /** When the status was taken (ms since the epoch). */
  updatedAtMs: number
  reachability: Reachability
  natKind: NatKind
  reservations: number
  tilesTotal: number
  tilesUsed: number
  shardsHeld: number
  connections: { direct: number, relayed: number }
  leaving: boolean
  addresses?: string[]
  maxCpu?: number
  metricsAddress?: string
  /** Execute calls answered, and their mean executor time (metrics server only). */
  executes?: number
  executeMeanMs?: number
  bytesIn?: number
  bytesOut?: number
}

/** The node's status now. */
export function nodeStatusOf (node: TesseraNode, extra: { maxCpu?: number } = {}): NodeStatus {
  const tiles = node.executor?.cachedStatus()
  const connections = node.libp2p.getConnections()
  const relayed = connections.filter((c) => c.remoteAddr.getComponents().some((p) => p.name === 'p2p-circuit')).length
  const addrs = node.getMultiaddrs()
  const metricsAddress = node.metricsAddress()
  return {
    peerId: node.peerId.toString(),
    pid: process.pid,
    updatedAtMs: Date.now(),
    reachability: node.reachability(),
    natKind: node.natKind(),
    reservations: heldRelays(addrs).size,
    tilesTotal: tiles?.tilesTotal ?? 0,
    tilesUsed: (tiles?.tilesTotal ?? 0) - (tiles?.tilesFree ?? 0),
    shardsHeld: tiles?.shardsHeld ?? 0,
    connections: { direct: connections.length - relayed, relayed },
    leaving: node.isLeaving(),
    addresses: addrs.map((a) => a.toString()),
    ...(extra.maxCpu !== undefined ? { maxCpu: extra.maxCpu } : {}),
    ...(metricsAddress !== undefined ? { metricsAddress } : {})
  }
}

/** Writes the status file now and every {@link STATUS_WRITE_INTERVAL_MS}; `stop()` removes it. */
export function startStatusFile (dataDir: string, node: TesseraNode, extra: { maxCpu?: number } = {}, intervalMs = STATUS_WRITE_INTERVAL_MS): { stop: () => Promise<void> } {
  const path = join(dataDir, STATUS_FILE_NAME)
  const tmp = `${path}.${process.pid}.tmp`
  let writing: Promise<void> = Promise.resolve()
  const write = (): void => {
    writing = writing.then(async () => {
      await writeFile(tmp, JSON.stringify(nodeStatusOf(node, extra)) + '\n', { mode: 0o600 })
      await rename(tmp, path)
    }).catch((err: unknown) => { log.error('writing %s failed - %e', path, err) })
  }
  write()
  const timer = setInterval(write, intervalMs)
  timer.unref()
  return {
    stop: async () => {
      clearInterval(timer)
      await writing
      await rm(path, { force: true })
    }
  }
}
