import { multiaddr } from '@multiformats/multiaddr'
import { describeError } from '@tessera/errors'
import { Option } from 'commander'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import { BootstrapUnreachableError } from '../errors.js'
import { NETWORK_TIMEOUT_RANGE_MS } from './constants.js'
import { collectBootstrap, describeRange, emit, guessNetwork, integerIn } from './options.js'
import type { Command } from 'commander'

/** Default time `tessera peers` waits for a first connection and for discovery. */
const DEFAULT_PEERS_TIMEOUT_MS = 20_000
const CONNECT_POLL_MS = 50
/** Timeout of the dial that finds out why a bootstrap peer cannot be reached. */
const LAST_DIAL_TIMEOUT_MS = 5_000

interface PeersCommandOptions {
  bootstrap?: string[]
  json: boolean
  network?: 'local' | 'public'
  timeoutMs: number
}

/** Each bootstrap address with why a last dial to it fails (the re-dials before it keep their errors to the debug log). */
async function dialFailures (node: TesseraNode, bootstrap: string[]): Promise<string[]> {
  return await Promise.all(bootstrap.map(async (address) => {
    try {
      await node.libp2p.dial(multiaddr(address), { signal: AbortSignal.timeout(LAST_DIAL_TIMEOUT_MS) })
      return `${address} (it answered only now)`
    } catch (err) {
      return `${address} (${describeError(err)})`
    }
  }))
}

/** `tessera peers`: join briefly as a DHT client and list the capacity records found. */
export function registerPeersCommand (program: Command): void {
  program.command('peers')
    .description('join the network briefly as a DHT client and list the capacity records it finds')
    .requiredOption('--bootstrap <multiaddr>', 'peer to join through, ending in /p2p/<peerId> (repeatable)', collectBootstrap)
    .option('--json', 'print {"peers":[…]} as JSON', false)
    .addOption(new Option('--network <mode>', 'address policy (default: local when every bootstrap address is private)').choices(['local', 'public']))
    .option('--timeout-ms <ms>', `how long to wait for the network, in ${describeRange(NETWORK_TIMEOUT_RANGE_MS, 'ms')}`, integerIn(NETWORK_TIMEOUT_RANGE_MS, 'ms'), DEFAULT_PEERS_TIMEOUT_MS)
    .action(async (opts: PeersCommandOptions) => { await runPeers(opts) })
}

async function runPeers (opts: PeersCommandOptions): Promise<void> {
  const bootstrap = opts.bootstrap ?? []
  const node = await createTesseraNode({
    serve: false,
    listen: [],
    bootstrap,
    network: opts.network ?? guessNetwork(bootstrap),
    redialIntervalMs: 1_000
  })
  try {
    const deadline = Date.now() + opts.timeoutMs
    while (node.libp2p.getConnections().length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, CONNECT_POLL_MS))
    }
    if (node.libp2p.getConnections().length === 0) {
      throw new BootstrapUnreachableError(`could not connect to ${(await dialFailures(node, bootstrap)).join(', ')} within ${opts.timeoutMs} ms`)
    }
    const found = await node.discoverPeers({ timeoutMs: Math.max(1_000, deadline - Date.now()) })
    const now = Date.now()
    const peers = found.map(({ record }) => ({
      peerId: record.peerId,
      reachability: record.reachability,
      natKind: record.natKind,
      device: record.device.preset,
      tilesFree: record.tilesFree,
      tilesTotal: record.tilesTotal,
      throughputGflops: record.throughputGflopPerSecond,
      queueDepth: record.queueDepth,
      recordAgeMs: Math.max(0, now - record.issuedAtMs),
      addresses: record.addresses
    }))
    if (opts.json) {
      emit(true, { peers }, '')
      return
    }
    if (peers.length === 0) {
      emit(false, {}, 'no capacity records found')
      return
    }
    const rows = [['peer', 'reachability', 'NAT', 'device', 'tiles free/total', 'GFLOP/s', 'record age']]
    for (const p of peers) {
      rows.push([p.peerId, p.reachability, p.natKind, p.device, `${p.tilesFree}/${p.tilesTotal}`, p.throughputGflops.toFixed(2), `${(p.recordAgeMs / 1000).toFixed(1)} s`])
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
    for (const r of rows) emit(false, {}, r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd())
  } finally {
    await node.stop()
  }
}
