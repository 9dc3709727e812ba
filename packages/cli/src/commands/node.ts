import { Option } from 'commander'
import { PRESET_NAMES } from '@tessera/crossbar'
import { availableParallelism } from 'node:os'
import { DEFAULT_DRAIN_TIMEOUT_MS, createTesseraNode } from '@tessera/peer'
import { startStatusFile } from '../status-file.js'
import { collectBootstrap, collectMultiaddr, defaultDataDir, emit, parsePositiveInt } from './options.js'
import type { TesseraNode } from '@tessera/peer'
import type { Command } from 'commander'
import type { PresetName } from '@tessera/crossbar'

interface NodeCommandOptions {
  listen?: string[]
  announce?: string[]
  bootstrap?: string[]
  dataDir: string
  device: PresetName
  tiles: number
  relayServer: boolean
  network: 'local' | 'public'
  json: boolean
  recordTtlMs?: number
  recordRefreshMs?: number
  relayDataLimitBytes?: number
  relayDurationLimitMs?: number
  dhtTimeoutMs?: number
  maxCpu: number
  maxMemoryMib?: number
  metricsListen?: string
  drainTimeoutMs: number
}

/** `tessera node`: run a volunteer node until SIGINT/SIGTERM. */
export function registerNodeCommand (program: Command): void {
  program.command('node')
    .description('run a tessera node: serve crossbar tiles to the network and publish its capacity in the DHT')
    .option('--listen <multiaddr>', 'address to listen on (repeatable; default /ip4/127.0.0.1/tcp/0 on local, /ip4/0.0.0.0/tcp/0 on public)', collectMultiaddr)
    .option('--announce <multiaddr>', 'extra address to announce, e.g. a port forward (repeatable)', collectMultiaddr)
    .option('--bootstrap <multiaddr>', 'peer to join the network through, ending in /p2p/<peerId> (repeatable)', collectBootstrap)
    .option('--data-dir <dir>', 'identity and datastore directory', defaultDataDir())
    .addOption(new Option('--device <preset>', 'emulated device').choices(PRESET_NAMES as string[]).default('pcm'))
    .option('--tiles <n>', 'number of crossbar tiles', parsePositiveInt, 32)
    .option('--relay-server', 'act as a circuit relay (limits raised to carry shards)', false)
    .option('--relay-data-limit-bytes <n>', 'relay server: bytes per relayed connection, both directions (default 1 GiB)', parsePositiveInt)
    .option('--relay-duration-limit-ms <ms>', 'relay server: lifetime of a relayed connection (default 30 min)', parsePositiveInt)
    .addOption(new Option('--network <mode>', 'local: loopback/LAN addresses are fine; public: only public ones').choices(['local', 'public']).default('public'))
    .option('--json', 'one JSON object per line on stdout', false)
    .option('--record-ttl-ms <ms>', 'capacity record lifetime', parsePositiveInt)
    .option('--record-refresh-ms <ms>', 'capacity record refresh period', parsePositiveInt)
    .option('--dht-timeout-ms <ms>', 'timeout of one DHT put, provide or get (default 30 s)', parsePositiveInt)
    .option('--max-cpu <cores>', 'executor worker threads the shards are spread over; the default is all cores but one, at least one', parsePositiveInt, defaultMaxCpu())
    .option('--max-memory-mib <n>', 'bound on what tiles, uploads and queued executes may take; a node whose tiles alone exceed it does not start (default: none)', parsePositiveInt)
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics on http://<host:port>/metrics (e.g. 127.0.0.1:9464)')
    .option('--drain-timeout-ms <ms>', 'on SIGINT/SIGTERM, how long calls in flight may take to finish before the node stops', parsePositiveInt, DEFAULT_DRAIN_TIMEOUT_MS)
    .action(async (opts: NodeCommandOptions) => { await runNode(opts) })
}

async function runNode (opts: NodeCommandOptions): Promise<void> {
  const json = opts.json
  // Handlers go in before anything is printed: whoever reads the listening line may signal at once.
  const signalled = onFirstSignal()
  const node = await createTesseraNode({
    dataDir: opts.dataDir,
    listen: opts.listen,
    announce: opts.announce,
    bootstrap: opts.bootstrap,
    device: opts.device,
    tiles: opts.tiles,
    relayServer: opts.relayServer,
    relayLimits: { dataLimitBytes: opts.relayDataLimitBytes, durationLimitMs: opts.relayDurationLimitMs },
    network: opts.network,
    recordTtlMs: opts.recordTtlMs,
    recordRefreshMs: opts.recordRefreshMs,
    dhtTimeoutMs: opts.dhtTimeoutMs,
    maxCpu: opts.maxCpu,
    maxMemoryMiB: opts.maxMemoryMib,
    metricsListen: opts.metricsListen
  })
  const addrs = node.getMultiaddrs().map((ma) => ma.toString())
  const peerId = node.peerId.toString()
  const metricsAddress = node.metricsAddress()
  emit(json, { event: 'listening', peerId, addrs, maxCpu: opts.maxCpu, ...(metricsAddress !== undefined ? { metricsAddress } : {}) }, [
    `tessera node ${peerId} (${opts.device}, ${opts.tiles} tiles on ${opts.maxCpu} worker thread(s), ${opts.network} network, data in ${opts.dataDir})`,
    ...(metricsAddress !== undefined ? [`metrics on http://${metricsAddress}/metrics`] : []),
    'listening on:',
    ...addrs.map((a) => `  ${a}`),
    ...(addrs.length > 0 ? ['bootstrap another node from it with:', `  tessera node --bootstrap ${addrs[0]}`] : [])
  ].join('\n'))
  const stopWatching = watch(node, json)
  const statusFile = startStatusFile(opts.dataDir, node, { maxCpu: opts.maxCpu })
  const signal = await signalled
  stopWatching()
  emit(json, { event: 'leaving', signal, drainTimeoutMs: opts.drainTimeoutMs },
    `${signal}: leaving — no new work taken, calls in flight get up to ${opts.drainTimeoutMs} ms (a second signal exits at once)`)
  try {
    const left = await node.leave({ drainTimeoutMs: opts.drainTimeoutMs })
    emit(json, { event: 'stopped', drained: left.drained, leavingPublished: left.published !== undefined, peersAcked: left.published?.peersAcked ?? 0 },
      `stopped (${left.drained ? 'every call finished' : 'calls still in flight were cut'}; leaving ${left.published !== undefined ? `announced to ${left.published.peersAcked} DHT peers` : 'not announced in time'})`)
  } finally {
    await statusFile.stop()
  }
}

/** All cores but one (the event loop and the operating system need one), at least one. */
export function defaultMaxCpu (): number {
  return Math.max(1, availableParallelism() - 1)
}

/** Resolves on the first SIGINT or SIGTERM; a second one while stopping exits at once (code 130). */
export async function onFirstSignal (): Promise<NodeJS.Signals> {
  return await new Promise((resolve) => {
    let received = false
    const handler = (signal: NodeJS.Signals): void => {
      if (received) process.exit(130)
      received = true
      resolve(signal)
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
  })
}

/** How often reachability and NAT kind are re-read: libp2p has no event for either. */
const REACHABILITY_POLL_MS = 1000

function watch (node: TesseraNode, json: boolean): () => void {
  let last = ''
  const reportReachability = (): void => {
    const reachability = node.reachability()
    const natKind = node.natKind()
    const addrs = node.getMultiaddrs().map((ma) => ma.toString())
    const key = JSON.stringify([reachability, natKind, addrs])
    if (key === last) return
    last = key
    emit(json, { event: 'reachability', reachability, natKind, addrs }, `reachability ${reachability}, NAT ${natKind}; addresses: ${addrs.join(' ')}`)
  }
  const poll = setInterval(reportReachability, REACHABILITY_POLL_MS)
  poll.unref()
  reportReachability()
  node.addEventListener('record:published', (evt) => {
    const { record, peersAcked, provided } = evt.detail
    emit(json, {
      event: 'record-published',
      sequence: record.sequence,
      tilesFree: record.tilesFree,
      tilesTotal: record.tilesTotal,
      reachability: record.reachability,
      natKind: record.natKind,
      throughputGflops: record.throughputGflopPerSecond,
      expiresAtMs: record.expiresAtMs,
      peersAcked,
      provided
    }, `capacity record ${record.sequence} published: ${record.tilesFree}/${record.tilesTotal} tiles free, ${record.reachability}, ${record.throughputGflopPerSecond.toFixed(2)} GFLOP/s, acked by ${peersAcked} peers`)
  })
  node.addEventListener('record:error', (evt) => {
    const message = evt.detail instanceof Error ? evt.detail.message : String(evt.detail)
    emit(json, { event: 'record-error', message }, `capacity record not published: ${message}`)
  })
  node.libp2p.addEventListener('peer:connect', (evt) => {
    emit(json, { event: 'peer-connect', peerId: evt.detail.toString() }, `connected to ${evt.detail.toString()}`)
  })
  node.libp2p.addEventListener('peer:disconnect', (evt) => {
    emit(json, { event: 'peer-disconnect', peerId: evt.detail.toString() }, `disconnected from ${evt.detail.toString()}`)
  })
  return () => { clearInterval(poll) }
}
