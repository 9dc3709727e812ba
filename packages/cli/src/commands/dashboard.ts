/**
 * `tessera dashboard --bootstrap <addr>`: joins a network as a client-only node and serves a live page of its
 * peers (state, device, tiles, load, reachability, path) on 127.0.0.1 until SIGINT or SIGTERM. A bootstrap peer
 * that does not answer is reported (and dialled again) rather than fatal: the page comes up and says so.
 */
import { Option } from 'commander'
import { multiaddr } from '@multiformats/multiaddr'
import { describeError } from '@tessera/errors'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode } from '@tessera/peer'
import { startDashboard } from '../dashboard/dashboard.js'
import type { Dashboard } from '../dashboard/dashboard.js'
import { parseDashboardPort } from '../dashboard/cli-options.js'
import { DEFAULT_DASHBOARD_HOST } from '../dashboard/constants.js'
import { onFirstSignal } from './node.js'
import { RETRY_PERIOD_RANGE_MS } from './constants.js'
import { collectBootstrap, describeRange, emit, guessNetwork, integerIn } from './options.js'
import type { Command } from 'commander'

/** Default time between dials of an unreachable bootstrap peer. */
const DEFAULT_BOOTSTRAP_RETRY_MS = 5_000
/** Timeout of one dial of a bootstrap peer. */
const BOOTSTRAP_DIAL_TIMEOUT_MS = 5_000

interface DashboardCommandOptions {
  bootstrap: string[]
  port: number
  host: string
  network?: 'local' | 'public'
  json: boolean
  retryMs: number
}

/** `tessera dashboard`. */
export function registerDashboardCommand (program: Command): void {
  program.command('dashboard')
    .description('join a tessera network as a client and serve a live web page of its peers on 127.0.0.1')
    .requiredOption('--bootstrap <multiaddr>', 'peer to join through, ending in /p2p/<peerId> (repeatable)', collectBootstrap)
    .option('--port <port>', 'TCP port of the page (0: any free port)', parseDashboardPort, 0)
    .option('--host <address>', 'address to serve the page on', DEFAULT_DASHBOARD_HOST)
    .addOption(new Option('--network <mode>', 'address policy (default: local when every bootstrap address is private)').choices(['local', 'public']))
    .option('--retry-ms <ms>', `time between dials of a bootstrap peer that does not answer, in ${describeRange(RETRY_PERIOD_RANGE_MS, 'ms')}`, integerIn(RETRY_PERIOD_RANGE_MS, 'ms'), DEFAULT_BOOTSTRAP_RETRY_MS)
    .option('--json', 'one JSON object per line on stdout (the address, then what happens)', false)
    .action(async (opts: DashboardCommandOptions) => { await runDashboard(opts) })
}

/** Prints the store's new notices (stdout: they are this command's output). */
function printNotices (dashboard: Dashboard, json: boolean): () => void {
  let printed = dashboard.store.noticesTotal
  return dashboard.store.subscribe(() => {
    const fresh = dashboard.store.noticesTotal - printed
    if (fresh <= 0) return
    printed = dashboard.store.noticesTotal
    for (const n of dashboard.store.notices.slice(-fresh)) emit(json, { event: 'notice', level: n.level, text: n.text }, `${n.level}: ${n.text}`)
  })
}

/**
 * Dials the bootstrap peers until one answers, telling the page and the terminal why it cannot; stops when
 * `signal` aborts. The node's own re-dial would connect just as well, but says nothing.
 */
async function reachBootstrap (node: TesseraNode, bootstrap: string[], dashboard: Dashboard, opts: DashboardCommandOptions, signal: AbortSignal): Promise<void> {
  let reported = ''
  while (!signal.aborted) {
    if (node.libp2p.getConnections().length > 0) {
      if (reported !== '') dashboard.notice('info', 'connected to the network')
      return
    }
    const failures: string[] = []
    for (const addr of bootstrap) {
      try {
        await node.libp2p.dial(multiaddr(addr), { signal: AbortSignal.any([signal, AbortSignal.timeout(BOOTSTRAP_DIAL_TIMEOUT_MS)]) })
      } catch (err) {
        if (signal.aborted) return
        failures.push(`${addr}: ${describeError(err)}`)
      }
    }
    if (node.libp2p.getConnections().length > 0) continue
    const text = `cannot reach the bootstrap peer${bootstrap.length > 1 ? 's' : ''} (${failures.join('; ')}); trying again every ${opts.retryMs / 1000} s`
    if (text !== reported) {
      reported = text
      dashboard.notice('error', text)
    }
    await new Promise((resolve) => { setTimeout(resolve, opts.retryMs).unref() })
  }
}

async function runDashboard (opts: DashboardCommandOptions): Promise<void> {
  const signalled = onFirstSignal()
  const dashboard = await startDashboard({ mode: 'watch', title: `network via ${opts.bootstrap[0]}`, port: opts.port, host: opts.host })
  const stopPrinting = printNotices(dashboard, opts.json)
  const stopReaching = new AbortController()
  let node: TesseraNode | undefined
  try {
    emit(opts.json, { event: 'dashboard', url: dashboard.url }, `dashboard: ${dashboard.url} (Ctrl-C to stop)`)
    node = await createTesseraNode({ serve: false, listen: [], bootstrap: opts.bootstrap, network: opts.network ?? guessNetwork(opts.bootstrap), redialIntervalMs: opts.retryMs })
    await dashboard.watchNode(node, { ownMetrics: true })
    void reachBootstrap(node, opts.bootstrap, dashboard, opts, stopReaching.signal)
    const signal = await signalled
    emit(opts.json, { event: 'stopping', signal }, `${signal}: stopping`)
  } finally {
    stopReaching.abort()
    dashboard.end()
    await dashboard.stop()
    stopPrinting()
    await node?.stop()
  }
}
