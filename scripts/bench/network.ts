/**
 * The `network` benchmark, over loopback (127.0.0.1):
 * - shard round trip: one execute of 64 input vectors on a 256×256 block (ideal device, so the figure is the
 *   protocol's, not the device physics') between two nodes in this process, p50 and p95 on an execute session
 *   (`rttP50Ms`, `rttP95Ms`) and p50 with a new stream per call (`streamPerCallP50Ms`), beside a raw TCP echo of
 *   the same request bytes on a plain socket in the same run (`tcpEchoP50Ms`; no encryption, no muxer);
 * - upload throughput of a 512×512 float32 block (1 MiB) through the chunked program exchange (`uploadMiBps`,
 *   median of the runs, including the remote node's programming of an ideal device);
 * - scale: N nodes (one process, or split over several child processes), all bootstrapped to the first; a separate
 *   DHT client joins and runs discovery until it has found all N capacity records (`settleMs` from the first node's
 *   start; `recordsFound` when the time limit hits first).
 */
import { spawn } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { InvalidArgumentError } from 'commander'
import type { Command } from 'commander'
import type { AddressInfo, Socket } from 'node:net'
import { createRng } from '@tessera/crossbar'
import { createTesseraNode } from '@tessera/node'
import type { TesseraNode } from '@tessera/node'

export interface NetworkScaleRow {
  nodes: number
  processes: number
  settleMs: number | null
  recordsFound: number
  recordsExpected: number
}

export interface NetworkBenchResult {
  /** Round trip of one execute on an open execute session (one stream for the whole run). */
  rttP50Ms: number
  rttP95Ms: number
  /** The same with a fresh stream per call (`ShardClient.execute`). */
  streamPerCallP50Ms: number
  tcpEchoP50Ms: number
  uploadMiBps: number
  scale: NetworkScaleRow[]
}

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
  onProgress?: (note: string) => void
}

const ROWS = 256
const COLS = 256
const BATCH = 64
const WARMUP_CALLS = 30
const DEFAULT_CALLS = 300
const DEFAULT_UPLOADS = 10
const DEFAULT_NODES = [10, 25, 50]
const DEFAULT_PROCESSES = [1, 2]
const DEFAULT_SETTLE_LIMIT_MS = 120_000
const LOCAL = { network: 'local' as const, device: 'ideal' as const, calibrate: false }

function floats (n: number, seed: string): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1
  return out
}

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

/** p50 of a raw TCP echo of `bytes` bytes: one socket, the same payload each time. */
async function tcpEchoP50 (bytes: number, calls: number): Promise<number> {
  const server = createServer((socket) => { socket.pipe(socket) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const socket: Socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  const payload = new Uint8Array(bytes)
  const times: number[] = []
  try {
    for (let i = 0; i < WARMUP_CALLS + calls; i++) {
      const start = performance.now()
      await new Promise<void>((resolve) => {
        let received = 0
        const onData = (chunk: Buffer): void => {
          received += chunk.byteLength
          if (received >= bytes) {
            socket.off('data', onData)
            resolve()
          }
        }
        socket.on('data', onData)
        socket.write(payload)
      })
      if (i >= WARMUP_CALLS) times.push(performance.now() - start)
    }
  } finally {
    socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return quantile(times.sort((a, b) => a - b), 0.5)
}

async function shardRoundTrips (calls: number, uploads: number): Promise<Omit<NetworkBenchResult, 'scale' | 'tcpEchoP50Ms'>> {
  const server = await createTesseraNode({ ...LOCAL, tiles: 8 })
  const client = await createTesseraNode({ ...LOCAL, serve: false })
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

/** Joins as a DHT client and runs discovery until `expected` records are found or the limit passes. */
async function observe (bootstrap: string, expected: number, startedAt: number, limitMs: number): Promise<{ settleMs: number | null, recordsFound: number }> {
  const observer = await createTesseraNode({ ...LOCAL, serve: false, bootstrap: [bootstrap], redialIntervalMs: 500 })
  let found = 0
  try {
    while (Date.now() - startedAt < limitMs) {
      const remaining = limitMs - (Date.now() - startedAt)
      found = (await observer.discoverPeers({ timeoutMs: Math.max(1_000, Math.min(15_000, remaining)) })).length
      if (found >= expected) return { settleMs: Date.now() - startedAt, recordsFound: found }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    return { settleMs: null, recordsFound: found }
  } finally {
    await observer.stop()
  }
}

async function scaleInProcess (n: number, limitMs: number): Promise<NetworkScaleRow> {
  const startedAt = Date.now()
  const nodes: TesseraNode[] = []
  try {
    nodes.push(await createTesseraNode({ ...LOCAL, tiles: 2 }))
    const bootstrap = nodes[0].getMultiaddrs()[0].toString()
    for (let i = 1; i < n; i++) nodes.push(await createTesseraNode({ ...LOCAL, tiles: 2, bootstrap: [bootstrap] }))
    return { nodes: n, processes: 1, ...await observe(bootstrap, n, startedAt, limitMs), recordsExpected: n }
  } finally {
    await Promise.allSettled(nodes.map(async (node) => { await node.stop() }))
  }
}

function hostEntry (): string[] {
  const fromSource = import.meta.url.endsWith('.ts')
  const file = fileURLToPath(new URL(fromSource ? './network-host.ts' : './network-host.js', import.meta.url))
  return fromSource ? ['--conditions=development', '--import', 'tsx', file] : [file]
}

async function startHost (nodes: number, bootstrap?: string): Promise<{ addrs: string[], stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...hostEntry(), '--nodes', String(nodes), ...(bootstrap == null ? [] : ['--bootstrap', bootstrap])], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  const addrs = await new Promise<string[]>((resolve, reject) => {
    let buffer = ''
    child.stdout.on('data', (d) => {
      buffer += String(d)
      const nl = buffer.indexOf('\n')
      if (nl >= 0) resolve((JSON.parse(buffer.slice(0, nl)) as { addrs: string[] }).addrs)
    })
    child.once('exit', (code) => { reject(new Error(`a benchmark host exited with code ${code} before starting`)) })
  }).catch(async (err) => { await stop(); throw err })
  return { addrs, stop }
}

async function scaleMultiProcess (n: number, processes: number, limitMs: number): Promise<NetworkScaleRow> {
  const startedAt = Date.now()
  const hosts: Array<{ addrs: string[], stop: () => Promise<void> }> = []
  try {
    const share = (i: number): number => Math.floor(n / processes) + (i < n % processes ? 1 : 0)
    hosts.push(await startHost(share(0)))
    const bootstrap = hosts[0].addrs[0]
    hosts.push(...await Promise.all(Array.from({ length: processes - 1 }, async (_, i) => await startHost(share(i + 1), bootstrap))))
    return { nodes: n, processes, ...await observe(bootstrap, n, startedAt, limitMs), recordsExpected: n }
  } finally {
    await Promise.allSettled(hosts.map(async (h) => { await h.stop() }))
  }
}

export async function runNetworkBench (options: NetworkBenchOptions = {}): Promise<NetworkBenchResult> {
  const progress = options.onProgress ?? (() => {})
  const calls = options.calls ?? DEFAULT_CALLS
  progress(`shard round trips (${calls} executes of ${BATCH}×${ROWS} on ${ROWS}×${COLS}) and uploads`)
  const rtt = await shardRoundTrips(calls, options.uploads ?? DEFAULT_UPLOADS)
  progress('raw TCP echo of the same bytes')
  const tcpEchoP50Ms = await tcpEchoP50(BATCH * ROWS * 4, calls)
  const scale: NetworkScaleRow[] = []
  for (const processes of options.processes ?? DEFAULT_PROCESSES) {
    for (const n of options.nodes ?? DEFAULT_NODES) {
      progress(`scale: ${n} nodes in ${processes} process(es)`)
      const limitMs = options.settleLimitMs ?? DEFAULT_SETTLE_LIMIT_MS
      scale.push(processes === 1 ? await scaleInProcess(n, limitMs) : await scaleMultiProcess(n, processes, limitMs))
    }
  }
  return { ...rtt, tcpEchoP50Ms, scale }
}

function round2 (x: number): number {
  return Math.round(x * 100) / 100
}

function positiveInteger (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer')
  return n
}

function list (value: string): number[] {
  return value.split(',').map((part) => positiveInteger(part.trim()))
}

export function registerNetworkCommand (program: Command): void {
  program
    .command('network')
    .description('loopback network: shard round trip vs raw TCP echo, upload throughput, N nodes settling and finding every capacity record')
    .option('--json', 'print {"network":{…}} to stdout instead of text')
    .option('--calls <n>', 'measured shard round trips', positiveInteger, DEFAULT_CALLS)
    .option('--nodes <list>', 'comma-separated node counts of the scale runs', list, [...DEFAULT_NODES])
    .option('--processes <list>', 'comma-separated process counts of the scale runs', list, [...DEFAULT_PROCESSES])
    .option('--settle-limit-ms <ms>', 'time limit of one scale run', positiveInteger, DEFAULT_SETTLE_LIMIT_MS)
    .action(async (opts: { json?: boolean, calls: number, nodes: number[], processes: number[], settleLimitMs: number }) => {
      const r = await runNetworkBench({
        calls: opts.calls,
        nodes: opts.nodes,
        processes: opts.processes,
        settleLimitMs: opts.settleLimitMs,
        onProgress: (note) => { process.stderr.write(`  ${note}\n`) }
      })
      const network = { ...r, rttP50Ms: round2(r.rttP50Ms), rttP95Ms: round2(r.rttP95Ms), streamPerCallP50Ms: round2(r.streamPerCallP50Ms), tcpEchoP50Ms: round2(r.tcpEchoP50Ms), uploadMiBps: round2(r.uploadMiBps) }
      if (opts.json === true) {
        process.stdout.write(JSON.stringify({ network }) + '\n')
        return
      }
      const lines = [
        `shard round trip (${BATCH}×${ROWS} on ${ROWS}×${COLS}): p50 ${network.rttP50Ms} ms, p95 ${network.rttP95Ms} ms on a session, p50 ${network.streamPerCallP50Ms} ms with a stream per call; raw TCP echo p50 ${network.tcpEchoP50Ms} ms (${round2(r.rttP50Ms / r.tcpEchoP50Ms)}×)`,
        `upload of a 512×512 block: ${network.uploadMiBps} MiB/s`,
        ...r.scale.map((s) => `${s.nodes} nodes in ${s.processes} process(es): ${s.settleMs === null ? 'not settled' : `settled in ${s.settleMs} ms`}, ${s.recordsFound}/${s.recordsExpected} records`)
      ]
      process.stdout.write(lines.join('\n') + '\n')
    })
}
