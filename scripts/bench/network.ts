/**
 * The `network` benchmark, over loopback (127.0.0.1):
 * - shard round trip: one execute of 64 input vectors on a 256×256 block (ideal device, so the figure is the
 *   protocol's, not the device physics') between two nodes in this process, p50 and p95 on an execute session
 *   (`rttP50Ms`, `rttP95Ms`) and p50 with a new stream per call (`streamPerCallP50Ms`), beside a raw TCP echo of
 *   the same bytes on a plain socket in the same run (`tcpEchoP50Ms`: the request frame out, the server waits for
 *   all of it as the shard service must, then a frame the size of the reply back; no encryption, no muxer). Two
 *   figures split the gap: `libp2pEchoP50Ms`, the same frames over a libp2p stream (TCP + Noise + yamux, lpStream)
 *   between two tessera nodes, and `executorP50Ms`, the execute itself through the executor worker (thread hop and
 *   MVM, no network);
 * - upload throughput of a 512×512 float32 block (1 MiB) through the chunked program exchange (`uploadMiBps`,
 *   median of the runs, including the remote node's programming of an ideal device);
 * - scale: N nodes (one process, or split over several child processes), bootstrapped to several of them (a
 *   network has several bootstrap nodes; one alone refuses dials under a burst of joins): in one process its first
 *   three; over several, by default (`--layout spread`) the first node of each process, every process starting at
 *   once, or (`first-host`) the first three nodes of the first process, which starts alone before the others — one
 *   JavaScript thread then carries every join, as no network's bootstrap nodes would. A separate DHT client joins and
 *   runs discovery until it has found all N capacity records (`settleMs` from the first node's start; `recordsFound`
 *   when the time limit hits first). The client runs the incremental discovery a coordinator runs (`DhtDiscovery`,
 *   wanting every peer, records read from their node first). Multi-process runs report what the nodes spent until
 *   then (CPU, DHT requests served, connections opened, publications per node; `--timeline-ms` prints it as it goes),
 *   then the nodes sit idle for a window: resident memory per node (the hosts' RSS over their nodes, each process's
 *   own baseline included), connections per node, DHT messages per node per minute at rest (requests the nodes
 *   served, each message counted once) and CPU per node per minute;
 * - discovery: DHT messages and record reads of one discovery round on N in-process nodes, first and later
 *   rounds, old design against new (network-discovery.ts).
 */
import { createInterface } from 'node:readline'
import { loadavg } from 'node:os'
import { spawn } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { lpStream } from '@libp2p/utils'
import { fileURLToPath } from 'node:url'
import { positiveInteger, positiveIntegerList, progressNote } from './options.js'
import { InvalidArgumentError } from 'commander'
import type { Command } from 'commander'
import type { AddressInfo, Socket } from 'node:net'
import { createDeviceProfile, createRng } from '@tessera/crossbar'
import { DhtDiscovery, WorkerExecutor, candidateFilter, createTesseraNode, directRecordReader } from '@tessera/peer'
import { encodeShardReply, encodeShardRequest } from '@tessera/wire'
import type { TesseraNode } from '@tessera/peer'
import { discoveryCost } from './network-discovery.js'
import { BOOTSTRAP_NODES, LOCAL_NODE, startScaleNodes } from './network-nodes.js'
import type { DiscoveryCostRow } from './network-discovery.js'
import type { HostStats } from './network-host.js'

export interface NetworkScaleRow {
  nodes: number
  processes: number
  /** Where the bootstrap nodes run (see `startHosts`; one process: its first three nodes). */
  layout: ScaleLayout
  settleMs: number | null
  recordsFound: number
  recordsExpected: number
  /** Multi-process runs: what the nodes spent from their start until the client settled or the limit (null in one process). */
  startup: StartupCost | null
  /** Multi-process runs, after settling and an idle window (null in one process). */
  idle: IdleCost | null
  /** 1-minute load average of the machine when the run began. */
  loadAverage1m: number
}

/** What the nodes spent from their start until the client settled (or the time limit), per node. */
export interface StartupCost {
  /** CPU time of the host processes (their start-up included). */
  cpuMsPerNode: number
  /** Of that, spent by the time every node had started (processes and nodes starting, and the first nodes' work). */
  startCpuMsPerNode: number
  /** When every node had started, from the run's start. */
  startedAfterMs: number
  /** DHT requests served (every DHT message one node sends another, and the client's). */
  dhtRequestsPerNode: number
  /** Connections opened or accepted (each one a Noise handshake and identify). */
  connectionsOpenedPerNode: number
  /** Publications (a record put, with the bucket keys due) per node. */
  publicationsPerNode: number
}

/** What idle nodes cost, measured over a window at rest. */
export interface IdleCost {
  windowMs: number
  /** The hosts' resident memory over their nodes, each child process's own baseline included. */
  rssPerNodeMiB: number
  heapPerNodeMiB: number
  connectionsPerNode: number
  /** DHT requests served per node per minute: every DHT message one node sends another, counted once. */
  dhtMessagesPerNodePerMinute: number
  /** CPU time of the host processes per node per minute at rest. */
  cpuMsPerNodePerMinute: number
  /** Open streams per node by protocol at the window's end (metrics gossip keeps one per peer pushed to). */
  streamsPerNode: Record<string, number>
  /** Active handles per node by kind at the window's end (the processes' own included). */
  resourcesPerNode: Record<string, number>
}

export interface NetworkBenchResult {
  /** Round trip of one execute on an open execute session (one stream for the whole run). */
  rttP50Ms: number
  rttP95Ms: number
  /** The same with a fresh stream per call (`ShardClient.execute`). */
  streamPerCallP50Ms: number
  /** Raw TCP: the encoded request frame out, a frame the size of the encoded reply back. */
  tcpEchoP50Ms: number
  /** The same frames over a libp2p stream (Noise + yamux + lpStream): the transport's share of the round trip. */
  libp2pEchoP50Ms: number
  /** One execute through the executor worker, no network: the compute's and thread hop's share. */
  executorP50Ms: number
  uploadMiBps: number
  scale: NetworkScaleRow[]
  discovery: DiscoveryCostRow[]
}

/** Where a multi-process run's bootstrap nodes run: all in the first host, or one in each host. */
export type ScaleLayout = 'first-host' | 'spread'
const LAYOUTS: readonly ScaleLayout[] = ['first-host', 'spread']

/** Parts of the benchmark: shard round trips and uploads, the scale runs, the discovery rows. */
export type NetworkBenchPart = 'rtt' | 'scale' | 'discovery'
const PARTS: readonly NetworkBenchPart[] = ['rtt', 'scale', 'discovery']

export interface NetworkBenchOptions {
  /** Round trips measured (default 300, after 30 warm-up calls). */
  calls?: number
  /** Uploads measured (default 10). */
  uploads?: number
  /** Node counts of the scale runs (default 10, 25, 50). */
  nodes?: number[]
  /** Process counts of the scale runs (default 1 and 2). */
  processes?: number[]
  /** Time limit of one scale run (default 120 s). */
  settleLimitMs?: number
  /** Idle window of the multi-process scale runs (default 60 s). */
  idleWindowMs?: number
  /** Node counts of the discovery rows (default 10, 25, 50). */
  discoveryNodes?: number[]
  /** Parts to run (default all). */
  parts?: NetworkBenchPart[]
  /** Bootstrap layout of the multi-process scale runs (default `spread`). */
  layout?: ScaleLayout
  /**
   * Period of a progress line while a multi-process scale run settles (records found, nodes published,
   * connections, DHT requests, CPU and event-loop delay of the hosts); default none.
   */
  timelineMs?: number
  onProgress?: (note: string) => void
}

const ROWS = 256
const COLS = 256
const BATCH = 64
const WARMUP_CALLS = 30
/** Defaults of {@link NetworkBenchOptions}. */
const DEFAULTS = Object.freeze({ calls: 300, uploads: 10, nodes: [10, 25, 50], processes: [1, 2], settleLimitMs: 120_000, idleWindowMs: 60_000 })
const MIB = 2 ** 20
const ECHO_PROTOCOL = '/tessera-bench/echo/1.0.0'

function floats (n: number, seed: string): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1
  return out
}

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

/** The frames of one execute exchange as they go on the wire (payloads without their length prefix). */
function exchangeFrames (): { request: Uint8Array, reply: Uint8Array } {
  const request = encodeShardRequest({ type: 'execute', requestId: 1, shardId: 'rtt', batch: BATCH, rows: ROWS, input: floats(BATCH * ROWS, 'bench/network/x') })
  const reply = encodeShardReply({ type: 'execute-result', requestId: 1, shardId: 'rtt', batch: BATCH, cols: COLS, output: floats(BATCH * COLS, 'bench/network/y'), deviceTimeNs: 1, energyPj: 1, macs: ROWS * COLS * BATCH })
  return { request, reply }
}

/** `payload` behind its unsigned-varint length, the framing lpStream uses. */
function lengthPrefixed (payload: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let n = payload.byteLength
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  prefix.push(n)
  const out = new Uint8Array(prefix.length + payload.byteLength)
  out.set(prefix)
  out.set(payload, prefix.length)
  return out
}

async function timed (calls: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < WARMUP_CALLS + calls; i++) {
    const start = performance.now()
    await fn()
    if (i >= WARMUP_CALLS) times.push(performance.now() - start)
  }
  return times.sort((a, b) => a - b)
}

/**
 * p50 of a raw TCP exchange of the shard round trip's bytes: the length-prefixed request frame out; the server
 * waits for the whole frame (as the shard service must before it can execute) and answers with a length-prefixed
 * frame the size of the reply. Nagle is off on both ends, as @libp2p/tcp sets it.
 */
async function tcpEchoP50 (requestBytes: number, replyBytes: number, calls: number): Promise<number> {
  const request = lengthPrefixed(new Uint8Array(requestBytes))
  const reply = lengthPrefixed(new Uint8Array(replyBytes))
  const server = createServer((socket) => {
    socket.setNoDelay(true)
    let received = 0
    socket.on('data', (chunk: Buffer) => {
      received += chunk.byteLength
      while (received >= request.byteLength) {
        received -= request.byteLength
        socket.write(reply)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const socket: Socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  try {
    const times = await timed(calls, async () => {
      await new Promise<void>((resolve) => {
        let received = 0
        const onData = (chunk: Buffer): void => {
          received += chunk.byteLength
          if (received >= reply.byteLength) {
            socket.off('data', onData)
            resolve()
          }
        }
        socket.on('data', onData)
        socket.write(request)
      })
    })
    return quantile(times, 0.5)
  } finally {
    socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** p50 of the same exchange over one libp2p stream between two tessera nodes: TCP + Noise + yamux + lpStream. */
async function libp2pEchoP50 (requestBytes: number, replyBytes: number, calls: number): Promise<number> {
  const server = await createTesseraNode({ ...LOCAL_NODE, serve: false })
  const client = await createTesseraNode({ ...LOCAL_NODE, serve: false })
  const reply = new Uint8Array(replyBytes)
  try {
    await server.libp2p.handle(ECHO_PROTOCOL, (stream) => {
      void (async () => {
        const lp = lpStream(stream, { maxDataLength: requestBytes })
        try {
          for (;;) {
            await lp.read()
            await lp.write(reply)
          }
        } catch {
          // The client closed the stream.
        }
        await stream.close().catch((err: Error) => { stream.abort(err) })
      })()
    })
    const stream = await client.libp2p.dialProtocol(server.getMultiaddrs()[0], ECHO_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: replyBytes })
    const request = new Uint8Array(requestBytes)
    const times = await timed(calls, async () => {
      await lp.write(request)
      await lp.read()
    })
    await stream.close()
    return quantile(times, 0.5)
  } finally {
    await client.stop()
    await server.stop()
  }
}

/** p50 of one execute through the executor worker alone (the shard service hands over the decoded input the same way). */
async function executorP50 (calls: number): Promise<number> {
  const executor = await WorkerExecutor.start({ profile: createDeviceProfile('ideal'), tiles: 1, calibrate: false })
  try {
    await executor.reserve('rtt', ROWS, COLS)
    await executor.program('rtt', floats(ROWS * COLS, 'bench/network/w'), 1)
    const x = floats(BATCH * ROWS, 'bench/network/x')
    const times = await timed(calls, async () => await executor.execute('rtt', x.slice(), BATCH, {}, { transfer: true }))
    return quantile(times, 0.5)
  } finally {
    await executor.stop()
  }
}

async function shardRoundTrips (calls: number, uploads: number): Promise<Pick<NetworkBenchResult, 'rttP50Ms' | 'rttP95Ms' | 'streamPerCallP50Ms' | 'uploadMiBps'>> {
  const server = await createTesseraNode({ ...LOCAL_NODE, tiles: 8 })
  const client = await createTesseraNode({ ...LOCAL_NODE, serve: false })
  try {
    const shards = client.shardClient(server.getMultiaddrs()[0])
    await shards.program({ shardId: 'rtt', weights: floats(ROWS * COLS, 'bench/network/w'), rows: ROWS, cols: COLS, seed: 1 })
    const x = floats(BATCH * ROWS, 'bench/network/x')
    const perCall: number[] = []
    for (let i = 0; i < WARMUP_CALLS + calls; i++) {
      const start = performance.now()
      await shards.execute({ shardId: 'rtt', input: x, batch: BATCH })
      if (i >= WARMUP_CALLS) perCall.push(performance.now() - start)
    }
    perCall.sort((a, b) => a - b)
    const session = await shards.openExecuteSession()
    const times: number[] = []
    for (let i = 0; i < WARMUP_CALLS + calls; i++) {
      const start = performance.now()
      await session.execute({ shardId: 'rtt', input: x, batch: BATCH })
      if (i >= WARMUP_CALLS) times.push(performance.now() - start)
    }
    await session.close()
    times.sort((a, b) => a - b)
    const block = floats(512 * 512, 'bench/network/upload')
    const uploadMs: number[] = []
    for (let i = 0; i < uploads; i++) {
      const start = performance.now()
      await shards.program({ shardId: `up/${i}`, weights: block, rows: 512, cols: 512, seed: i })
      uploadMs.push(performance.now() - start)
      await shards.release(`up/${i}`)
    }
    uploadMs.sort((a, b) => a - b)
    return { rttP50Ms: quantile(times, 0.5), rttP95Ms: quantile(times, 0.95), streamPerCallP50Ms: quantile(perCall, 0.5), uploadMiBps: (block.byteLength / 2 ** 20) / (quantile(uploadMs, 0.5) / 1000) }
  } finally {
    await client.stop()
    await server.stop()
  }
}

/**
 * Joins as a DHT client and runs a coordinator's incremental discovery (wanting every peer, any record counting)
 * until it holds `expected` distinct valid records or the limit passes. Records found in earlier rounds count while
 * they are unexpired, as a coordinator keeps what it has found.
 */
async function observe (bootstrap: string[], expected: number, startedAt: number, limitMs: number, seen: { found: number } = { found: 0 }): Promise<{ settleMs: number | null, recordsFound: number }> {
  const observer = await createTesseraNode({ ...LOCAL_NODE, serve: false, bootstrap, redialIntervalMs: 500 })
  const discovery = new DhtDiscovery(observer.libp2p.services.dht, observer.validator, observer.peerId, { filter: candidateFilter({ minTilesTotal: 0 }), direct: directRecordReader(observer.libp2p, observer.validator) })
  try {
    while (Date.now() - startedAt < limitMs) {
      const remaining = limitMs - (Date.now() - startedAt)
      await discovery.round({ timeoutMs: Math.max(1_000, Math.min(15_000, remaining)) })
      seen.found = discovery.candidates().length
      if (discovery.candidates().length >= expected) return { settleMs: Date.now() - startedAt, recordsFound: expected }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    return { settleMs: null, recordsFound: discovery.candidates().length }
  } finally {
    await observer.stop()
  }
}

async function scaleInProcess (n: number, limitMs: number): Promise<NetworkScaleRow> {
  const startedAt = Date.now()
  const nodes: TesseraNode[] = []
  try {
    const bootstrap = await startScaleNodes(n, nodes)
    return { nodes: n, processes: 1, ...await observe(bootstrap, n, startedAt, limitMs), layout: 'first-host', recordsExpected: n, startup: null, idle: null, loadAverage1m: loadavg()[0] }
  } finally {
    await Promise.allSettled(nodes.map(async (node) => { await node.stop() }))
  }
}

function hostEntry (): string[] {
  const fromSource = import.meta.url.endsWith('.ts')
  const file = fileURLToPath(new URL(fromSource ? './network-host.ts' : './network-host.js', import.meta.url))
  return fromSource ? ['--conditions=development', '--import', 'tsx', file] : [file]
}

interface Host {
  addrs: string[]
  stats: () => Promise<HostStats>
  stop: () => Promise<void>
}

/** A host child process before it has started all its nodes. */
interface StartingHost {
  /** The first node's address (with `--bootstrap-from-parent`, before the others start). */
  first: Promise<string>
  /** Sends the bootstrap list (with `--bootstrap-from-parent`). */
  bootstrap: (addrs: string[]) => void
  /** Resolves once every node has started. */
  started: Promise<Host>
  stop: () => Promise<void>
}

function spawnHost (nodes: number, options: { bootstrap?: string[], bootstrapFromParent?: boolean } = {}): StartingHost {
  const bootstrap = options.bootstrap ?? []
  const args = [...hostEntry(), '--nodes', String(nodes), ...(bootstrap.length === 0 ? [] : ['--bootstrap', bootstrap.join(',')]), ...(options.bootstrapFromParent === true ? ['--bootstrap-from-parent'] : [])]
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  // Lines: `{"first"}` (with --bootstrap-from-parent), then `{"addrs"}`, then one answer per `stats` request, in order.
  const waiting: Array<(stats: HostStats) => void> = []
  const first = Promise.withResolvers<string>()
  const addrs = Promise.withResolvers<string[]>()
  let addrsSeen = false
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { first?: string, addrs?: string[] } & HostStats
    if (message.first !== undefined) first.resolve(message.first)
    else if (!addrsSeen && message.addrs !== undefined) {
      addrsSeen = true
      addrs.resolve(message.addrs)
    } else waiting.shift()?.(message)
  })
  child.once('exit', (code) => {
    const err = new Error(`a benchmark host exited with code ${code} before starting`)
    first.reject(err)
    addrs.reject(err)
  })
  first.promise.catch(() => {})
  const stats = async (): Promise<HostStats> => await new Promise<HostStats>((resolve) => {
    waiting.push(resolve)
    child.stdin.write('stats\n')
  })
  const started = addrs.promise.then((list) => ({ addrs: list, stats, stop }), async (err: unknown) => { await stop(); throw err })
  return { first: first.promise, bootstrap: (list) => { child.stdin.write(`bootstrap ${list.join(',')}\n`) }, started, stop }
}

async function startHost (nodes: number, bootstrap: string[] = []): Promise<Host> {
  return await spawnHost(nodes, { bootstrap }).started
}

/** Sums the hosts' stats. */
async function allStats (hosts: Host[]): Promise<HostStats> {
  return sumStats(await Promise.all(hosts.map(async (h) => await h.stats())))
}

function sumStats (all: HostStats[]): HostStats {
  const sum = (f: (s: HostStats) => number): number => all.reduce((a, s) => a + f(s), 0)
  const merge = (f: (s: HostStats) => Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const s of all) for (const [k, v] of Object.entries(f(s))) out[k] = (out[k] ?? 0) + v
    return out
  }
  return {
    nodes: sum((s) => s.nodes),
    rssBytes: sum((s) => s.rssBytes),
    heapUsedBytes: sum((s) => s.heapUsedBytes),
    inboundDhtRequests: sum((s) => s.inboundDhtRequests),
    connections: sum((s) => s.connections),
    connectionsOpened: sum((s) => s.connectionsOpened),
    published: sum((s) => s.published),
    publications: sum((s) => s.publications),
    cpuMicros: sum((s) => s.cpuMicros),
    streams: merge((s) => s.streams),
    resources: merge((s) => s.resources),
    eventLoopDelayP99Ms: Math.max(...all.map((s) => s.eventLoopDelayP99Ms)),
    atMs: Math.max(...all.map((s) => s.atMs))
  }
}

/**
 * Prints one progress line every `periodMs` until `done` resolves: what the hosts did since the line before
 * (DHT requests served, CPU) and where they are (records the client holds, nodes published, connections).
 */
async function timeline (hosts: Host[], periodMs: number, startedAt: number, seen: { found: number }, done: Promise<unknown>, progress: (note: string) => void): Promise<void> {
  let finished = false
  void done.finally(() => { finished = true })
  let each = await Promise.all(hosts.map(async (h) => await h.stats()))
  let beforeAt = Date.now()
  while (!finished) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, periodMs))])
    const eachNow = await Promise.all(hosts.map(async (h) => await h.stats()))
    const before = sumStats(each)
    const now = sumStats(eachNow)
    const s = (Date.now() - beforeAt) / 1000
    const n = Math.max(1, now.nodes)
    const perHost = eachNow.map((h, i) => `${((h.cpuMicros - each[i].cpuMicros) / 1e6 / s).toFixed(2)}/${Math.round(h.eventLoopDelayP99Ms)}/${Math.round((h.inboundDhtRequests - each[i].inboundDhtRequests) / s)}`).join(' ')
    progress(`t=${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${seen.found} records found, ${now.published}/${now.nodes} published, ` +
      `${round2(now.connections / n)} connections/node (${round2(now.connectionsOpened / n)} opened), ${round2((now.inboundDhtRequests - before.inboundDhtRequests) / n / s)} DHT requests/node/s, ` +
      `CPU ${round2((now.cpuMicros - before.cpuMicros) / 1e6 / s)} cores, loop delay p99 ≤ ${round2(now.eventLoopDelayP99Ms)} ms (cores/delay ms/DHT requests per s by host: ${perHost}), load ${loadavg()[0].toFixed(2)}`)
    each = eachNow
    beforeAt = Date.now()
  }
}

function perNode (counts: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round2(v / n)]))
}

/** The nodes at rest over `windowMs`: memory and connections at its end, DHT requests served during it. */
async function idleCost (hosts: Host[], windowMs: number): Promise<IdleCost> {
  const before = await allStats(hosts)
  await new Promise((resolve) => setTimeout(resolve, windowMs))
  const after = await allStats(hosts)
  const n = after.nodes
  return {
    windowMs,
    rssPerNodeMiB: round2(after.rssBytes / n / MIB),
    heapPerNodeMiB: round2(after.heapUsedBytes / n / MIB),
    connectionsPerNode: round2(after.connections / n),
    dhtMessagesPerNodePerMinute: round2((after.inboundDhtRequests - before.inboundDhtRequests) / n / (windowMs / 60_000)),
    cpuMsPerNodePerMinute: round2((after.cpuMicros - before.cpuMicros) / 1000 / n / (windowMs / 60_000)),
    streamsPerNode: perNode(after.streams, n),
    resourcesPerNode: perNode(after.resources, n)
  }
}

/**
 * Starts the hosts of a multi-process run. `first-host`: the first host starts alone, its first three nodes being every
 * node's bootstrap peers, then the others together. `spread`: every host starts at once with one bootstrap node of its
 * own, and the other nodes of every host bootstrap to all of them (a network's bootstrap nodes run on separate machines;
 * in one process they would share one JavaScript thread that every join goes through).
 */
async function startHosts (n: number, processes: number, layout: ScaleLayout, hosts: Host[]): Promise<string[]> {
  const share = (i: number): number => Math.floor(n / processes) + (i < n % processes ? 1 : 0)
  if (layout === 'first-host') {
    hosts.push(await startHost(share(0)))
    const bootstrap = hosts[0].addrs.slice(0, BOOTSTRAP_NODES)
    hosts.push(...await Promise.all(Array.from({ length: processes - 1 }, async (_, i) => await startHost(share(i + 1), bootstrap))))
    return bootstrap
  }
  const starting = Array.from({ length: processes }, (_, i) => spawnHost(share(i), { bootstrapFromParent: true }))
  try {
    const bootstrap = await Promise.all(starting.map(async (h) => await h.first))
    for (const h of starting) h.bootstrap(bootstrap)
    hosts.push(...await Promise.all(starting.map(async (h) => await h.started)))
    return bootstrap
  } catch (err) {
    await Promise.allSettled(starting.map(async (h) => { await h.stop() }))
    throw err
  }
}

async function scaleMultiProcess (n: number, processes: number, limitMs: number, idleWindowMs: number, layout: ScaleLayout, timelineMs: number | undefined, progress: (note: string) => void): Promise<NetworkScaleRow> {
  const loadAverage1m = loadavg()[0]
  const startedAt = Date.now()
  const hosts: Host[] = []
  try {
    const bootstrap = await startHosts(n, processes, layout, hosts)
    const started = await allStats(hosts)
    const seen = { found: 0 }
    const observing = observe(bootstrap, n, startedAt, limitMs, seen)
    const [settled] = await Promise.all([observing, timelineMs === undefined ? undefined : timeline(hosts, timelineMs, startedAt, seen, observing, progress)])
    const atSettle = await allStats(hosts)
    const startup = {
      cpuMsPerNode: round2(atSettle.cpuMicros / 1000 / n),
      startCpuMsPerNode: round2(started.cpuMicros / 1000 / n),
      startedAfterMs: started.atMs - startedAt,
      dhtRequestsPerNode: round2(atSettle.inboundDhtRequests / n),
      connectionsOpenedPerNode: round2(atSettle.connectionsOpened / n),
      publicationsPerNode: round2(atSettle.publications / n)
    }
    return { nodes: n, processes, layout, ...settled, recordsExpected: n, startup, idle: await idleCost(hosts, idleWindowMs), loadAverage1m }
  } finally {
    await Promise.allSettled(hosts.map(async (h) => { await h.stop() }))
  }
}

export async function runNetworkBench (options: NetworkBenchOptions = {}): Promise<NetworkBenchResult> {
  const progress = options.onProgress ?? (() => {})
  const parts = new Set(options.parts ?? PARTS)
  const calls = options.calls ?? DEFAULTS.calls
  let rtt = { rttP50Ms: NaN, rttP95Ms: NaN, streamPerCallP50Ms: NaN, uploadMiBps: NaN, tcpEchoP50Ms: NaN, libp2pEchoP50Ms: NaN, executorP50Ms: NaN }
  if (parts.has('rtt')) {
    progress(`shard round trips (${calls} executes of ${BATCH}×${ROWS} on ${ROWS}×${COLS}) and uploads`)
    const trips = await shardRoundTrips(calls, options.uploads ?? DEFAULTS.uploads)
    const frames = exchangeFrames()
    progress(`raw TCP and libp2p echo of the same frames (${frames.request.byteLength} B out, ${frames.reply.byteLength} B back), executor alone`)
    const tcpEchoP50Ms = await tcpEchoP50(frames.request.byteLength, frames.reply.byteLength, calls)
    const libp2pEchoP50Ms = await libp2pEchoP50(frames.request.byteLength, frames.reply.byteLength, calls)
    rtt = { ...trips, tcpEchoP50Ms, libp2pEchoP50Ms, executorP50Ms: await executorP50(calls) }
  }
  const scale: NetworkScaleRow[] = []
  for (const processes of parts.has('scale') ? options.processes ?? DEFAULTS.processes : []) {
    for (const n of options.nodes ?? DEFAULTS.nodes) {
      progress(`scale: ${n} nodes in ${processes} process(es), load ${loadavg()[0].toFixed(2)}`)
      const limitMs = options.settleLimitMs ?? DEFAULTS.settleLimitMs
      scale.push(processes === 1 ? await scaleInProcess(n, limitMs) : await scaleMultiProcess(n, processes, limitMs, options.idleWindowMs ?? DEFAULTS.idleWindowMs, options.layout ?? 'spread', options.timelineMs, progress))
    }
  }
  const discovery: DiscoveryCostRow[] = []
  for (const n of parts.has('discovery') ? options.discoveryNodes ?? DEFAULTS.nodes : []) {
    progress(`discovery cost: ${n} nodes, load ${loadavg()[0].toFixed(2)}`)
    discovery.push(...await discoveryCost(n, progress))
  }
  return { ...rtt, scale, discovery }
}

function round2 (x: number): number {
  return Math.round(x * 100) / 100
}

function layout (value: string): ScaleLayout {
  if (!(LAYOUTS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${LAYOUTS.join(', ')}`)
  return value as ScaleLayout
}

function parts (value: string): NetworkBenchPart[] {
  const names = value.split(',').map((part) => part.trim())
  for (const name of names) if (!(PARTS as readonly string[]).includes(name)) throw new InvalidArgumentError(`expected parts of ${PARTS.join(', ')}`)
  return names as NetworkBenchPart[]
}

export function registerNetworkCommand (program: Command): void {
  program
    .command('network')
    .description('loopback network: shard round trip vs raw TCP echo, upload throughput, N nodes settling and finding every capacity record')
    .option('--json', 'print {"network":{…}} to stdout instead of text')
    .option('--calls <n>', 'measured shard round trips', positiveInteger, DEFAULTS.calls)
    .option('--nodes <list>', 'comma-separated node counts of the scale runs', positiveIntegerList, [...DEFAULTS.nodes])
    .option('--processes <list>', 'comma-separated process counts of the scale runs', positiveIntegerList, [...DEFAULTS.processes])
    .option('--settle-limit-ms <ms>', 'time limit of one scale run', positiveInteger, DEFAULTS.settleLimitMs)
    .option('--idle-window-ms <ms>', 'idle window of the multi-process scale runs', positiveInteger, DEFAULTS.idleWindowMs)
    .option('--discovery-nodes <list>', 'comma-separated node counts of the discovery rows', positiveIntegerList, [...DEFAULTS.nodes])
    .option('--parts <list>', `comma-separated parts to run, of ${PARTS.join(', ')}`, parts, [...PARTS])
    .option('--layout <layout>', `bootstrap layout of the multi-process scale runs, ${LAYOUTS.join(' or ')}`, layout, 'spread')
    .option('--timeline-ms <ms>', 'print the hosts\' state at this period while a multi-process scale run settles', positiveInteger)
    .action(async (opts: { json?: boolean, calls: number, nodes: number[], processes: number[], settleLimitMs: number, idleWindowMs: number, discoveryNodes: number[], parts: NetworkBenchPart[], layout: ScaleLayout, timelineMs?: number }) => {
      const r = await runNetworkBench({ ...opts, onProgress: progressNote })
      const network = { ...r, rttP50Ms: round2(r.rttP50Ms), rttP95Ms: round2(r.rttP95Ms), streamPerCallP50Ms: round2(r.streamPerCallP50Ms), tcpEchoP50Ms: round2(r.tcpEchoP50Ms), libp2pEchoP50Ms: round2(r.libp2pEchoP50Ms), executorP50Ms: round2(r.executorP50Ms), uploadMiBps: round2(r.uploadMiBps) }
      if (opts.json === true) {
        process.stdout.write(JSON.stringify({ network }) + '\n')
        return
      }
      const lines = [
        ...(Number.isNaN(r.rttP50Ms) ? [] : [`shard round trip (${BATCH}×${ROWS} on ${ROWS}×${COLS}): p50 ${network.rttP50Ms} ms, p95 ${network.rttP95Ms} ms on a session, p50 ${network.streamPerCallP50Ms} ms with a stream per call; raw TCP echo p50 ${network.tcpEchoP50Ms} ms (${round2(r.rttP50Ms / r.tcpEchoP50Ms)}×); the same frames over libp2p p50 ${network.libp2pEchoP50Ms} ms, the executor alone p50 ${network.executorP50Ms} ms`,
        `upload of a 512×512 block: ${network.uploadMiBps} MiB/s`]),
        ...r.scale.map((s) => `${s.nodes} nodes in ${s.processes} process(es)${s.processes > 1 ? `, bootstrap nodes ${s.layout === 'spread' ? 'one per process' : 'in the first'}` : ''} (load ${s.loadAverage1m.toFixed(2)}): ${s.settleMs === null ? 'not settled' : `settled in ${s.settleMs} ms`}, ${s.recordsFound}/${s.recordsExpected} records` +
          (s.startup === null ? '' : `; all nodes started after ${s.startup.startedAfterMs} ms (CPU ${s.startup.startCpuMsPerNode} ms/node by then); until settled per node: CPU ${s.startup.cpuMsPerNode} ms, ${s.startup.dhtRequestsPerNode} DHT requests, ${s.startup.connectionsOpenedPerNode} connections opened, ${s.startup.publicationsPerNode} publications`) +
          (s.idle === null ? '' : `; idle ${s.idle.windowMs / 1000} s: RSS ${s.idle.rssPerNodeMiB} MiB/node (heap ${s.idle.heapPerNodeMiB}), ${s.idle.connectionsPerNode} connections/node, ${s.idle.dhtMessagesPerNodePerMinute} DHT messages/node/min, CPU ${s.idle.cpuMsPerNodePerMinute} ms/node/min; streams/node ${JSON.stringify(s.idle.streamsPerNode)}; handles/node ${JSON.stringify(s.idle.resourcesPerNode)}`)),
        ...r.discovery.map((d) => `discovery on ${d.nodes} nodes, ${d.design}: first round ${d.firstRoundMessages} DHT messages (${d.firstRoundReads} record reads), later rounds ${d.laterRoundMessages} (${d.laterRoundReads} reads); ${d.firstRoundMs} ms, then ${d.laterRoundMs} ms a round; ${d.recordsFound} records held`)
      ]
      process.stdout.write(lines.join('\n') + '\n')
    })
}
