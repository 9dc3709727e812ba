/**
 * The lab's tessera network: real `tessera node` processes — a relay with raised limits on `relay` (optionally a
 * second one with circuit relay v2's default limits), and a server on each host asked for, NATed ones holding a
 * reservation on a relay — started and classified. The traversal matrix (matrix.ts), the MNIST run (mnist.ts) and
 * the lab tests run on it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LabProcessError } from './errors.js'
import { LAB_NODE_PORT, circuitAddrs, startTesseraNode, waitForReachability } from './tessera.js'
import type { Lab } from './lab.js'
import type { TesseraProcess } from './tessera.js'

/** Servers must be classified (and NATed ones hold a reservation) within this. */
const SETTLE_SERVERS_TIMEOUT_MS = 30_000
/** Tiles of each server: two 512×512 shards per attempt need 8 of 256×256, with room for an attempt that failed. */
const SERVER_TILES = 64

/** The lab's tessera network: relay and servers, started and classified. */
export interface LabNetwork {
  relay: TesseraProcess
  relayAddr: string
  /** The relay with libp2p's default limits, when one was asked for. */
  limitedRelay?: TesseraProcess
  limitedRelayAddr?: string
  servers: Record<string, TesseraProcess>
  /** How a client reaches a server: its public address, or its circuit address on the relay it reserved on. */
  targetOf: (server: string) => string
  stop: () => Promise<void>
}

export interface LabNetworkInit {
  /** Hosts to run a serving node on. */
  servers: readonly string[]
  /** More `tessera node` options for every node. */
  extraArgs?: readonly string[]
  /**
   * A second relay with circuit relay v2's default limits (128 KiB per relayed connection, 2 min) on the public
   * host `host`, and the NATed hosts whose servers reserve on it instead of on the main relay (one node holding two
   * reservations made at once stalled the second in circuit-relay-v2 4.2.13).
   */
  limitedRelay?: { host: string, servers: readonly string[] }
}

/** circuit relay v2's default data limit per relayed connection (both directions). */
export const DEFAULT_RELAY_DATA_LIMIT_BYTES = 128 * 1024
/** circuit relay v2's default duration limit per relayed connection. */
export const DEFAULT_RELAY_DURATION_LIMIT_MS = 120_000

/**
 * Starts a relay (`--relay-server`) on `relay` and a server on each host, all bootstrapping from the relay. Every
 * server listens on its host's port with default flags, as a volunteer would start it: NATed ones find out they are
 * private and reserve on relays they find by themselves. Only the limited relay's servers are told where to reserve
 * (`--listen <limited relay>/p2p-circuit`), since that test needs the limited relay. Resolves once every public node is
 * verified public and every NATed one is private with a reservation and a known NAT kind.
 */
export async function startLabNetwork (lab: Lab, init: LabNetworkInit): Promise<LabNetwork> {
  const { servers } = init
  const extraArgs = init.extraArgs ?? []
  const dataRoot = mkdtempSync(join(tmpdir(), `natlab-${lab.prefix}-`))
  const started: TesseraProcess[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(started.map(async (n) => { await n.stop() }))
    rmSync(dataRoot, { recursive: true, force: true })
  }
  const startRelay = async (host: string, limits: string[]): Promise<[TesseraProcess, string]> => {
    const ip = lab.hosts[host].publicAddress as string
    const node = await startTesseraNode(lab, host, ['--relay-server', ...limits, '--listen', `/ip4/${ip}/tcp/${LAB_NODE_PORT}`, '--data-dir', join(dataRoot, host), '--tiles', '4', ...extraArgs])
    started.push(node)
    return [node, `/ip4/${ip}/tcp/${LAB_NODE_PORT}/p2p/${node.peerId}`]
  }
  try {
    const [[relay, relayAddr], limited] = await Promise.all([
      startRelay('relay', []),
      init.limitedRelay === undefined
        ? undefined
        : startRelay(init.limitedRelay.host, ['--relay-data-limit-bytes', String(DEFAULT_RELAY_DATA_LIMIT_BYTES), '--relay-duration-limit-ms', String(DEFAULT_RELAY_DURATION_LIMIT_MS)])
    ])
    const relayOf = (host: string): string => limited !== undefined && init.limitedRelay?.servers.includes(host) === true ? limited[1] : relayAddr
    const allServers = [...servers, ...(init.limitedRelay?.servers ?? [])]
    const nodes: Record<string, TesseraProcess> = {}
    await Promise.all(allServers.map(async (host) => {
      const natted = lab.hosts[host].role === 'lan'
      const pinned = natted && relayOf(host) !== relayAddr
      const listen = ['--listen', `/ip4/0.0.0.0/tcp/${LAB_NODE_PORT}`, ...(pinned ? ['--listen', `${relayOf(host)}/p2p-circuit`] : [])]
      const node = await startTesseraNode(lab, host, [...listen, '--bootstrap', relayAddr, '--data-dir', join(dataRoot, host), '--tiles', String(SERVER_TILES), ...extraArgs])
      started.push(node)
      nodes[host] = node
    }))
    await Promise.all([
      waitForReachability(relay, 'public', 'none', SETTLE_SERVERS_TIMEOUT_MS),
      ...allServers.map(async (host) => {
        const nat = lab.hosts[host].nat
        // A NATed node is private once it holds its reservation.
        await waitForReachability(nodes[host], nat === undefined ? 'public' : 'private', nat ?? 'none', SETTLE_SERVERS_TIMEOUT_MS, nat !== undefined)
      })
    ])
    const targetOf = (server: string): string => {
      const node = nodes[server]
      if (node === undefined) throw new LabProcessError(`no server on ${server}`)
      return lab.hosts[server].role === 'lan'
        ? circuitTarget(node, relayOf(server))
        : `/ip4/${lab.hosts[server].publicAddress as string}/tcp/${LAB_NODE_PORT}/p2p/${node.peerId}`
    }
    return { relay, relayAddr, limitedRelay: limited?.[0], limitedRelayAddr: limited?.[1], servers: nodes, targetOf, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * A NATed server's circuit address on `relay` when it reserved there (the one a test expects), else on any relay
 * it reserved on by itself.
 */
function circuitTarget (node: TesseraProcess, relay: string): string {
  const line = node.lines.findLast((l) => l.event === 'reachability' && circuitAddrs(l).length > 0)
  const addrs = line === undefined ? [] : circuitAddrs(line)
  const addr = addrs.find((a) => a.startsWith(`${relay}/p2p-circuit`)) ?? addrs[0] ?? `${relay}/p2p-circuit`
  return addr.endsWith(`/p2p/${node.peerId}`) ? addr : `${addr}/p2p/${node.peerId}`
}
