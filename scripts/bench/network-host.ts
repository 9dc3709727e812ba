/**
 * Child process of the `network` benchmark's multi-process runs: starts `--nodes` tessera nodes on 127.0.0.1,
 * bootstrapped to `--bootstrap` (comma-separated multiaddrs; when none is given, to its own first three nodes as they
 * start), prints one JSON line
 * `{"addrs":[…]}` with every node's first address, and stops them all on SIGTERM or when stdin closes. Each
 * `stats` line on stdin is answered with one JSON line of {@link HostStats}. With `--bootstrap-from-parent` the host
 * starts its first node alone, prints `{"first":"<addr>"}` and waits for a `bootstrap <addr>,<addr>…` line on stdin
 * (the first nodes of every host) before it starts the others, bootstrapped to that list.
 */
import { createInterface } from 'node:readline'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import { BOOTSTRAP_NODES, LOCAL_NODE } from './network-nodes.js'

function arg (name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const count = Number(arg('--nodes') ?? '1')
const bootstrapArg = arg('--bootstrap')
const bootstrapFromParent = process.argv.includes('--bootstrap-from-parent')
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
  /** Connections the host's nodes have opened or accepted since they started (churn: each one a Noise handshake and an identify). */
  connectionsOpened: number
  /** Nodes whose last publication reached DHT peers with every bucket key provided. */
  published: number
  /** Publications (record puts, with or without provides) of the host's nodes since they started. */
  publications: number
  /** CPU time of the process (user + system) since it started, µs. */
  cpuMicros: number
  /** Open streams of the host's nodes by protocol. */
  streams: Record<string, number>
  /** The process's active handles by kind (timers, sockets…), from process.getActiveResourcesInfo(). */
  resources: Record<string, number>
  /** 99th percentile of the event loop's delay since the previous `stats` line (or the start), ms. */
  eventLoopDelayP99Ms: number
  /** When the stats were taken (ms since the epoch). */
  atMs: number
}

function tally (names: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const name of names) out[name] = (out[name] ?? 0) + 1
  return out
}

// How late timers and I/O callbacks run: a host whose loop lags answers DHT requests late, whatever the network does.
const loopDelay = monitorEventLoopDelay({ resolution: 20 })
loopDelay.enable()

let onBootstrap: ((addrs: string[]) => void) | undefined
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('bootstrap ')) {
    onBootstrap?.(line.slice('bootstrap '.length).split(',').filter((a) => a !== ''))
    return
  }
  if (line.trim() !== 'stats') return
  const eventLoopDelayP99Ms = loopDelay.percentile(99) / 1e6
  loopDelay.reset()
  const memory = process.memoryUsage()
  const stats: HostStats = {
    nodes: nodes.length,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    inboundDhtRequests: nodes.reduce((sum, n) => sum + n.dhtStoreStats().inboundRequests, 0),
    connections: nodes.reduce((sum, n) => sum + n.libp2p.getConnections().length, 0),
    connectionsOpened,
    published: nodes.filter((n) => n.lastPublished()?.provided === true).length,
    publications,
    cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
    streams: tally(nodes.flatMap((n) => n.libp2p.getConnections().flatMap((c) => c.streams.map((st) => st.protocol ?? 'negotiating')))),
    resources: tally(process.getActiveResourcesInfo()),
    eventLoopDelayP99Ms,
    atMs: Date.now()
  }
  process.stdout.write(JSON.stringify(stats) + '\n')
})

const given = bootstrapArg == null ? [] : bootstrapArg.split(',').filter((a) => a !== '')
const bootstrap = [...given]
let connectionsOpened = 0
let publications = 0
const start = async (list: string[]): Promise<TesseraNode> => {
  const node = await createTesseraNode({ ...LOCAL_NODE, tiles: 2, bootstrap: list })
  node.libp2p.addEventListener('connection:open', () => { connectionsOpened++ })
  node.addEventListener('record:published', () => { publications++ })
  nodes.push(node)
  return node
}
if (bootstrapFromParent) {
  const received = new Promise<string[]>((resolve) => { onBootstrap = resolve })
  const first = await start([])
  process.stdout.write(JSON.stringify({ first: first.getMultiaddrs()[0].toString() }) + '\n')
  bootstrap.push(...await received)
}
for (let i = nodes.length; i < count; i++) {
  const node = await start([...bootstrap])
  if (given.length === 0 && !bootstrapFromParent && i < BOOTSTRAP_NODES) bootstrap.push(node.getMultiaddrs()[0].toString())
}
process.stdout.write(JSON.stringify({ addrs: nodes.map((n) => n.getMultiaddrs()[0].toString()) }) + '\n')
