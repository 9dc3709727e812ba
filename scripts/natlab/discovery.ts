/**
 * How long NATed nodes started with default flags take to be found: `tessera peers` runs on a public host, again and
 * again, until it lists every such node as `private` with its NAT kind. A node's `discoveredMs` is the time from
 * its process start to the end of the first `tessera peers` run that listed it so.
 */
import { LabProcessError } from './errors.js'
import { tesseraBinArgv } from './tessera.js'
import type { Lab } from './lab.js'
import type { LabNetwork } from './lab-network.js'

/** Default bound, from the start of the measurement, on finding every NATed node. */
export const DISCOVERY_MEASURE_TIMEOUT_MS = 60_000

/** One `tessera peers` run's own timeout. */
const PEERS_RUN_TIMEOUT_MS = 10_000

/** One NATed node as `tessera peers` from a public host first listed it. */
export interface NatDiscovery {
  host: string
  peerId: string
  reachability: string
  natKind: string
  /** From the node's process start to the end of the first `tessera peers` run that listed it private with its NAT kind. */
  discoveredMs: number
}

interface ListedPeer {
  peerId: string
  reachability: string
  natKind?: string
}

/**
 * Runs `tessera peers --json` on `from` until every LAN server of `network` is listed `private` with its NAT kind
 * (results by host name); throws {@link LabProcessError} naming the ones still missing after `timeoutMs`.
 */
export async function measureNatDiscovery (lab: Lab, network: LabNetwork, from = 'pub1', timeoutMs = DISCOVERY_MEASURE_TIMEOUT_MS): Promise<NatDiscovery[]> {
  // By host name: the servers map fills in the order the servers started.
  const natted = Object.entries(network.servers).filter(([host]) => lab.hosts[host].role === 'lan').sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  const found = new Map<string, NatDiscovery>()
  const deadline = Date.now() + timeoutMs
  let lastListing = ''
  while (found.size < natted.length && Date.now() < deadline) {
    const run = await lab.run(from, [...tesseraBinArgv(), 'peers', '--bootstrap', network.relayAddr, '--network', 'public', '--json', '--timeout-ms', String(PEERS_RUN_TIMEOUT_MS)],
      { timeoutMs: PEERS_RUN_TIMEOUT_MS + 10_000 })
    const endMs = Date.now()
    const line = run.stdout.trim().split('\n').at(-1) ?? ''
    let peers: ListedPeer[] = []
    try {
      peers = (JSON.parse(line) as { peers: ListedPeer[] }).peers
    } catch {
      lastListing = `exit ${String(run.code)}: ${run.stderr.trim().slice(-300)}`
      continue
    }
    lastListing = JSON.stringify(peers.map((p) => [p.peerId.slice(-6), p.reachability, p.natKind]))
    for (const [host, node] of natted) {
      if (found.has(host)) continue
      const natKind = lab.hosts[host].nat
      const listed = peers.find((p) => p.peerId === node.peerId && p.reachability === 'private' && p.natKind === natKind)
      if (listed !== undefined) found.set(host, { host, peerId: node.peerId, reachability: listed.reachability, natKind: listed.natKind ?? '', discoveredMs: endMs - node.startedAtMs })
    }
  }
  const missing = natted.filter(([host]) => !found.has(host)).map(([host]) => host)
  if (missing.length > 0) throw new LabProcessError(`tessera peers on ${from} did not list ${missing.join(', ')} as private with their NAT kind within ${timeoutMs} ms (last listing: ${lastListing})`)
  return natted.map(([host]) => found.get(host) as NatDiscovery)
}
