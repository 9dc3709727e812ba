/**
 * A live dashboard: the store, its HTTP server, a network watch per node it looks through and a run watch for
 * the coordinator's runs. Commands start one, hand it the node and the coordinator hooks, and end it when they
 * finish.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ mode: 'run', title: 'tessera run', port: 0 })
 * console.error(`dashboard: ${dashboard.url}`)
 * await dashboard.watchNode(node)
 * const coordinator = createCoordinator({ node, onPeerSample: dashboard.hooks.onPeerSample })
 * const result = await coordinator.run({ ...job, onLiveRun: dashboard.hooks.onLiveRun, onReconfigureEvent: dashboard.hooks.onReconfigureEvent })
 * dashboard.runFinished(result)
 * await dashboard.stop()
 * ```
 */
import type { FlaggedPeer, LiveRun, RunResult } from '@tessera/coordinator'
import type { PeerSample, TesseraNode } from '@tessera/peer'
import type { ReconfigureEvent } from '@tessera/scheduler'
import { NetworkWatch } from './network-watch.js'
import type { NetworkWatchInit } from './network-watch.js'
import { dashboardPage } from './page.js'
import { RunWatch } from './run-watch.js'
import { startDashboardServer } from './server.js'
import { DashboardStore } from './store.js'
import type { DashboardNotice, DashboardState } from './types.js'

/** Where the figures come from, as the page's footer says. */
export const DASHBOARD_SOURCES = [
  'peers: signed capacity records from the DHT, connections and pings of this dashboard\'s node',
  'load and tiles in use: the /tessera/metrics/1.0.0 gossip',
  'job: the coordinator\'s run recorder (the numbers its report uses)',
  'no Prometheus endpoint yet'
]

/** Options of {@link startDashboard}. */
export interface DashboardInit {
  mode: DashboardState['mode']
  title: string
  /** TCP port (default 0: a free one). */
  port?: number
  /** Address to listen on (default 127.0.0.1). */
  host?: string
  /** Options of every network watch (tests shorten the rounds). */
  watch?: Partial<Omit<NetworkWatchInit, 'node' | 'store'>>
  /** Time between two reads of a running job, ms. */
  runPollMs?: number
}

/** The coordinator hooks that feed a dashboard (pass them to `createCoordinator` and `run`). */
export interface DashboardHooks {
  onPeerSample: (sample: PeerSample) => void
  onLiveRun: (run: LiveRun) => void
  onReconfigureEvent: (event: ReconfigureEvent) => void
  onPeerFlagged: (flag: FlaggedPeer) => void
}

/** A running dashboard. */
export interface Dashboard {
  readonly url: string
  readonly store: DashboardStore
  readonly hooks: DashboardHooks
  /**
   * Watches the network through `node` (instead of the node watched so far). `ownMetrics`: start a metrics
   * service on it (a node with no coordinator; see `NetworkWatchInit`).
   */
  watchNode: (node: TesseraNode, options?: { names?: (peerId: string) => string | undefined, ownMetrics?: boolean }) => Promise<void>
  /** A run returned. */
  runFinished: (result: RunResult) => void
  /** A run threw. */
  runFailed: (err: unknown) => void
  notice: (level: DashboardNotice['level'], text: string) => void
  /** Browsers holding the event stream open. */
  clients: () => number
  /** The command has finished: browsers are told and keep the last state. The server keeps serving. */
  end: () => void
  /** Stops the watches and the server. */
  stop: () => Promise<void>
}

/** Starts a dashboard server; rejects with `DashboardPortInUseError` when the port is taken. */
export async function startDashboard (init: DashboardInit): Promise<Dashboard> {
  const store = new DashboardStore({ title: init.title, mode: init.mode, sources: DASHBOARD_SOURCES })
  const server = await startDashboardServer({ store, page: dashboardPage, port: init.port, host: init.host })
  const runs = new RunWatch(store, init.runPollMs)
  let watch: NetworkWatch | undefined
  const stopWatch = async (): Promise<void> => {
    const previous = watch
    watch = undefined
    await previous?.stop()
  }
  return {
    url: server.url,
    store,
    hooks: {
      onPeerSample: (sample) => { watch?.observeSample(sample) },
      onLiveRun: (run) => { runs.started(run) },
      onReconfigureEvent: (event) => { runs.decision(event) },
      onPeerFlagged: (flag) => { store.flag(flag.peerId, flag.reason) }
    },
    async watchNode (node, options = {}) {
      await stopWatch()
      const next = new NetworkWatch({ ...init.watch, ...options, node, store })
      watch = next
      await next.start()
    },
    runFinished: (result) => { runs.finished(result) },
    runFailed: (err) => { runs.failed(err) },
    notice: (level, text) => { store.notice(level, text) },
    clients: server.clients,
    end: () => {
      runs.stop()
      store.ended = true
      server.end()
    },
    async stop () {
      runs.stop()
      await stopWatch()
      await server.stop()
    }
  }
}
