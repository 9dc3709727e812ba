import { availableParallelism } from 'node:os'
import { Option } from 'commander'
import { PRESET_NAMES } from '@tessera/crossbar'
import {
  createTesseraNode, DEFAULT_DHT_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_RELAY_DATA_LIMIT_BYTES, DEFAULT_RELAY_DURATION_LIMIT_MS, DEFAULT_TILES, resolveRecordTiming
} from '@tessera/peer'
import {
  BYTES_PER_SECOND_RANGE, CONNECTIONS_RANGE, DRAIN_TIMEOUT_RANGE_MS, MAX_CPU_RANGE, MAX_MEMORY_RANGE_MIB, NETWORK_TIMEOUT_RANGE_MS, PER_PEER_COUNT_RANGE, RECORD_REFRESH_RANGE_MS, RECORD_TTL_RANGE_MS,
  RELAY_DATA_LIMIT_RANGE_BYTES, RELAY_DURATION_LIMIT_RANGE_MS, SHARD_LEASE_RANGE_MS, TILES_RANGE
} from './constants.js'
import { startStatusFile } from '../status-file.js'
import { collectBootstrap, collectMultiaddr, defaultDataDir, describeRange, emit, integerIn } from './options.js'
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
  maxTilesPerPeer?: number
  maxPendingUploadsPerPeer?: number
  maxStreamsPerPeer?: number
  maxExecutesPerPeer?: number
  maxBytesPerSecondPerPeer?: number
  shardLeaseMs?: number
  maxConnections?: number
  limitLoopback: boolean
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
    .option('--tiles <n>', `number of crossbar tiles, in ${describeRange(TILES_RANGE)}`, integerIn(TILES_RANGE), DEFAULT_TILES)
    .option('--relay-server', 'act as a circuit relay (limits raised to carry shards)', false)
    .option('--relay-data-limit-bytes <n>', `relay server: bytes per relayed connection, both directions, in ${describeRange(RELAY_DATA_LIMIT_RANGE_BYTES)} (default ${DEFAULT_RELAY_DATA_LIMIT_BYTES})`, integerIn(RELAY_DATA_LIMIT_RANGE_BYTES, 'bytes'))
    .option('--relay-duration-limit-ms <ms>', `relay server: lifetime of a relayed connection, in ${describeRange(RELAY_DURATION_LIMIT_RANGE_MS, 'ms')} (default ${DEFAULT_RELAY_DURATION_LIMIT_MS})`, integerIn(RELAY_DURATION_LIMIT_RANGE_MS, 'ms'))
    .addOption(new Option('--network <mode>', 'local: loopback/LAN addresses are fine; public: only public ones').choices(['local', 'public']).default('public'))
    .option('--json', 'one JSON object per line on stdout', false)
    .option('--record-ttl-ms <ms>', `capacity record lifetime, in ${describeRange(RECORD_TTL_RANGE_MS, 'ms')} (default 120000, or twice the refresh period)`, integerIn(RECORD_TTL_RANGE_MS, 'ms'))
    .option('--record-refresh-ms <ms>', `capacity record refresh period, in ${describeRange(RECORD_REFRESH_RANGE_MS, 'ms')} and shorter than the lifetime (default 60000, or half the lifetime)`, integerIn(RECORD_REFRESH_RANGE_MS, 'ms'))
    .option('--dht-timeout-ms <ms>', `timeout of one DHT put, provide or get, in ${describeRange(NETWORK_TIMEOUT_RANGE_MS, 'ms')} (default ${DEFAULT_DHT_TIMEOUT_MS})`, integerIn(NETWORK_TIMEOUT_RANGE_MS, 'ms'))
    .option('--max-tiles-per-peer <n>', `tiles one peer may hold, in ${describeRange(TILES_RANGE)} (default half the tiles on public, all on local)`, integerIn(TILES_RANGE))
    .option('--max-pending-uploads-per-peer <n>', `uploads one peer may have in progress, in ${describeRange(PER_PEER_COUNT_RANGE)} (default 2)`, integerIn(PER_PEER_COUNT_RANGE))
    .option('--max-streams-per-peer <n>', `shard streams one peer may have open, in ${describeRange(PER_PEER_COUNT_RANGE)} (default 8)`, integerIn(PER_PEER_COUNT_RANGE))
    .option('--max-executes-per-peer <n>', `executes of one peer running at once, in ${describeRange(PER_PEER_COUNT_RANGE)} (default 6)`, integerIn(PER_PEER_COUNT_RANGE))
    .option('--max-bytes-per-second-per-peer <n>', `bytes per second read from one peer before it is slowed down, in ${describeRange(BYTES_PER_SECOND_RANGE, 'bytes/s')} (default 64 MiB)`, integerIn(BYTES_PER_SECOND_RANGE, 'bytes/s'))
    .option('--shard-lease-ms <ms>', `a programmed shard is freed after this long without an execute or keep-alive of its owner, in ${describeRange(SHARD_LEASE_RANGE_MS, 'ms')} (default 5 min)`, integerIn(SHARD_LEASE_RANGE_MS, 'ms'))
    .option('--max-connections <n>', `open connections, in ${describeRange(CONNECTIONS_RANGE)} (default 128; 512 with --relay-server)`, integerIn(CONNECTIONS_RANGE))
    .option('--limit-loopback', 'apply the per-address connection limits to loopback peers too (on --network local they are exempt; for testing the limits on one machine)', false)
    .option('--max-cpu <cores>', `executor worker threads the shards are spread over, in ${describeRange(MAX_CPU_RANGE)}; the default is all cores but one, at least one`, integerIn(MAX_CPU_RANGE), defaultMaxCpu())
    .option('--max-memory-mib <n>', `bound on what tiles, uploads and queued executes may take, in ${describeRange(MAX_MEMORY_RANGE_MIB, 'MiB')}; a node whose tiles alone exceed it does not start (default: none)`, integerIn(MAX_MEMORY_RANGE_MIB, 'MiB'))
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics on http://<host:port>/metrics (e.g. 127.0.0.1:9464)')
    .option('--drain-timeout-ms <ms>', `on SIGINT/SIGTERM, how long calls in flight may take to finish before the node stops, in ${describeRange(DRAIN_TIMEOUT_RANGE_MS, 'ms')}`, integerIn(DRAIN_TIMEOUT_RANGE_MS, 'ms'), DEFAULT_DRAIN_TIMEOUT_MS)
    .action(async (opts: NodeCommandOptions) => { await runNode(opts) })
}

async function runNode (opts: NodeCommandOptions): Promise<void> {
  const json = opts.json
  // Checked together before anything starts: the refresh period must be shorter than the lifetime (exit 2 if not).
  const recordTiming = resolveRecordTiming({ ttlMs: opts.recordTtlMs, refreshMs: opts.recordRefreshMs })
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
    recordTtlMs: recordTiming.ttlMs,
    recordRefreshMs: recordTiming.refreshMs,
    dhtTimeoutMs: opts.dhtTimeoutMs,
    shard: {
      maxTilesPerPeer: opts.maxTilesPerPeer,
      maxPendingUploadsPerPeer: opts.maxPendingUploadsPerPeer,
      maxInFlightPerPeer: opts.maxStreamsPerPeer,
      maxExecutesInFlightPerPeer: opts.maxExecutesPerPeer,
      maxBytesPerSecondPerPeer: opts.maxBytesPerSecondPerPeer,
      leaseMs: opts.shardLeaseMs
    },
    connectionLimits: {
      ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
      ...(opts.limitLoopback ? { allow: [] } : {})
    },
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
  node.addEventListener('shard:lease-expired', (evt) => {
    const { owner, shardId, tilesFreed } = evt.detail
    emit(json, { event: 'lease-expired', owner, shardId, tilesFreed }, `the lease of shard ${shardId} of ${owner} ran out: ${tilesFreed} tiles freed`)
  })
  node.libp2p.addEventListener('peer:connect', (evt) => {
    emit(json, { event: 'peer-connect', peerId: evt.detail.toString() }, `connected to ${evt.detail.toString()}`)
  })
  node.libp2p.addEventListener('peer:disconnect', (evt) => {
    emit(json, { event: 'peer-disconnect', peerId: evt.detail.toString() }, `disconnected from ${evt.detail.toString()}`)
  })
  return () => { clearInterval(poll) }
}
