/**
 * Child process of the `network` benchmark's multi-process runs: starts `--nodes` tessera nodes on 127.0.0.1,
 * bootstrapped to `--bootstrap` (comma-separated multiaddrs; when none is given, to its own first three nodes as they
 * start), prints one JSON line
 * `{"addrs":[…]}` with every node's first address, and stops them all on SIGTERM or when stdin closes. Each
 * `stats` line on stdin is answered with one JSON line of {@link HostStats}.
 */
import { createInterface } from 'node:readline'
import type { TesseraNode } from '@tessera/peer'
import { startScaleNodes } from './network-nodes.js'

function arg (name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const count = Number(arg('--nodes') ?? '1')
const bootstrapArg = arg('--bootstrap')
const nodes: TesseraNode[] = []
let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
  process.exit(0)
}
process.on('SIGTERM', () => { void stop() })
process.stdin.on('close', () => { void stop() })

/** What the parent asks a host for at rest. */
export interface HostStats {
  nodes: number
  rssBytes: number
  heapUsedBytes: number
  /** DHT requests the host's nodes have served since they started (every DHT message one node sends another). */
  inboundDhtRequests: number
  connections: number
  /** Nodes whose last publication reached DHT peers with every bucket key provided. */
  published: number
  /** CPU time of the process (user + system) since it started, µs. */
  cpuMicros: number
  /** Open streams of the host's nodes by protocol. */
  streams: Record<string, number>
  /** The process's active handles by kind (timers, sockets…), from process.getActiveResourcesInfo(). */
  resources: Record<string, number>
}

function tally (names: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const name of names) out[name] = (out[name] ?? 0) + 1
  return out
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stats') return
  const memory = process.memoryUsage()
  const stats: HostStats = {
    nodes: nodes.length,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    inboundDhtRequests: nodes.reduce((sum, n) => sum + n.dhtStoreStats().inboundRequests, 0),
    connections: nodes.reduce((sum, n) => sum + n.libp2p.getConnections().length, 0),
    published: nodes.filter((n) => n.lastPublished()?.provided === true).length,
    cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
    streams: tally(nodes.flatMap((n) => n.libp2p.getConnections().flatMap((c) => c.streams.map((st) => st.protocol ?? 'negotiating')))),
    resources: tally(process.getActiveResourcesInfo())
  }
  process.stdout.write(JSON.stringify(stats) + '\n')
})

await startScaleNodes(count, nodes, bootstrapArg == null ? [] : bootstrapArg.split(',').filter((a) => a !== ''))
process.stdout.write(JSON.stringify({ addrs: nodes.map((n) => n.getMultiaddrs()[0].toString()) }) + '\n')
