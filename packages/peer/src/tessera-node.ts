import { logger } from '@libp2p/logger'
import { DEFAULT_METRICS_INTERVAL_MS } from '@tessera/wire'
import {
  capacityRecordKey, capacityRecordSelector, checkCapacityRecordReplacement, createCapacityRecordValidator, DHT_NAMESPACE
} from '@tessera/memory'
import { startBootstrapRedial } from './bootstrap-redial.js'
import { CapacityPublisher } from './capacity-publisher.js'
import { knownDhtPeers } from './closest-known-peers.js'
import {
  DEFAULT_DHT_TIMEOUT_MS, DEFAULT_LISTEN_LOCAL, DEFAULT_LISTEN_PUBLIC, DEFAULT_REDIAL_INTERVAL_MS, DHT_PROTOCOL, LATENCY_WINDOW_SIZE
} from './constants.js'
import { DhtStore } from './dht-store/index.js'
import { readCapacityRecord, readLocalCapacityRecord, storeLocalRecord } from './discovery.js'
import { directRecordPutter } from './direct-record-put.js'
import { discoverPeersByWalk } from './discover-peers.js'
import { directRecordReader } from './direct-record-read.js'
import { NodeNotStartedError } from './errors.js'
import { ExecutorPool } from './executor/executor-pool.js'
import { BudgetedExecutor, MemoryBudget } from './executor/memory-budget.js'
import { leaveGracefully } from './graceful-leave.js'
import { NodeMetrics, startMetricsServer } from './prometheus.js'
import { loadOrCreateIdentity } from './identity.js'
import { createTesseraLibp2p } from './libp2p.js'
import { listenFailure } from './listen-error.js'
import { waitForJoin } from './join-wait.js'
import type { JoinView } from './join-wait.js'
import type { SingleKadDHT } from '@libp2p/kad-dht'
import { LoadWindow } from './load-window.js'
import { MetricsService } from './metrics-service.js'
import { resolveNodeOptions } from './node-options.js'
import { classifyNat, inferReachability, NatClassifier, natClassifierComponents } from './reachability.js'
import { startRecordChangeWatch } from './record-change-watch.js'
import { heldRelays, listensOnCircuit, RelayFinder, relayFinderComponents } from './relay-finder.js'
import { ShardClient } from './shard-client.js'
import { defaultMaxTilesPerPeer } from './quotas.js'
import { ShardService } from './shard-service.js'
import { openStorage } from './storage.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { TcpHolePunchInit } from '@tessera/holepunch'
import type { BootstrapRedial } from './bootstrap-redial.js'
import type { CapacitySnapshot, PublishResult } from './capacity-publisher.js'
import type { DhtStoreLimits, DhtStoreRefusal, DhtStoreStats } from './dht-store/index.js'
import type { Misbehaviour } from './misbehaviour.js'
import type { DiscoverOptions, DiscoveredPeer } from './discovery.js'
import type { ConnectionLimits } from './connection-limits.js'
import type { KernelChoice } from './executor/messages.js'
import type { NodeExecutor } from './executor/node-executor.js'
import type { LeaveOptions, LeaveResult } from './graceful-leave.js'
import type { MetricsServer, NodeMetricsSource } from './prometheus.js'
import type { RecordChangeWatch } from './record-change-watch.js'
import type { RelayFinderInit } from './relay-finder.js'
import type { NetworkMode, RelayLimits, TesseraLibp2p } from './libp2p.js'
import type { PeerSample } from './metrics-service.js'
import type { ResolvedNodeOptions } from './node-options.js'
import type { ShardClientInit } from './shard-client.js'
import type { LeaseExpiry, ShardServiceInit } from './shard-service.js'
import type { NodeStorage } from './storage.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'
import type { DeviceProfile, PresetName } from '@tessera/crossbar'
import type { CapacityRecordValidator, NatKind, Reachability } from '@tessera/memory'
import type { MetricsSample } from '@tessera/wire'

const log = logger('tessera:peer:node')

/** Options of {@link createTesseraNode}; every field is optional. */
export interface TesseraNodeInit {
  /**
   * Directory for the persistent identity (`identity.key`, an Ed25519 key, mode 0600) and the LevelDB datastore
   * (DHT records, long-term memory). Same dir, same PeerId. Default: none — a fresh key and an in-memory store.
   */
  dataDir?: string
  /** A key to use instead of the data dir's (tests). */
  privateKey?: PrivateKey
  /** Address policy, see {@link NetworkMode} (default `'public'`). */
  network?: NetworkMode
  /** Listen addresses (default `/ip4/127.0.0.1/tcp/0` on `local`, `/ip4/0.0.0.0/tcp/0` on `public`). */
  listen?: string[]
  /** Extra addresses to announce (e.g. a port forward); treated as verified by libp2p. */
  announce?: string[]
  /** Multiaddrs (with `/p2p/<id>`) to bootstrap from; re-dialled while the node has no connection. */
  bootstrap?: string[]
  /** true: DHT client only (default: server on `local`, automatic on `public`). */
  dhtClientMode?: boolean
  /** Serve as a circuit relay with raised limits (default false). */
  relayServer?: boolean
  relayLimits?: RelayLimits
  /** Replaces single connection limits of the node's role (default `connection-limits.ts`). */
  connectionLimits?: Partial<ConnectionLimits>
  /**
   * TCP hole punching over relayed connections (the `holePunch` service; default on with its defaults on `public`,
   * off on `local`, where AutoNAT and DCUtR are not run either: `natTraversal` in libp2p.ts); `false` turns it off.
   */
  holePunch?: TcpHolePunchInit | false
  /**
   * How a serving node on a public network that was given no `/p2p-circuit` listen address finds out it is private
   * and reserves on relays it finds (default on); `false` turns the search off.
   */
  relaySearch?: RelayFinderInit | false
  /**
   * Run a tile pool and serve shards (default true). `false` gives a client-only node (e.g. `tessera peers`):
   * no executor, no shard service, no capacity record.
   */
  serve?: boolean
  /** Device preset or a full profile (default `'pcm'`). */
  device?: PresetName | DeviceProfile
  /** Tiles in the pool (default 32). */
  tiles?: number
  /**
   * Executor worker threads (cores) the tiles and shards are spread over (default 1; the CLI's default is all cores
   * but one).
   */
  maxCpu?: number
  /**
   * Bound, in MiB, on what the tiles, upload buffers and execute queue may take (`executor/memory-budget.ts`): a
   * node whose tiles alone exceed it does not start; uploads and executes over it are refused. Default: none.
   */
  maxMemoryMiB?: number
  /** MVM kernel of the pool (default WASM SIMD where available). */
  kernel?: KernelChoice
  /** Benchmark the kernel at start to seed the advertised throughput (default true). */
  calibrate?: boolean
  /** Emulates a slower host: caps the pool's compute rate at this many MAC/s (default none; simulations and the demo). */
  emulatedMacsPerSecond?: number
  /**
   * Capacity record lifetime (default 120 s, or twice `recordRefreshMs`); at most MAX_CAPACITY_RECORD_LIFETIME_MS
   * (10 min), the farthest expiry validators accept.
   */
  recordTtlMs?: number
  /** Capacity record refresh period (default 60 s, or half `recordTtlMs`); shorter than the lifetime. */
  recordRefreshMs?: number
  /**
   * Longest wait for the node to join the DHT before its first publication (default 10 s; `join-wait.ts`): it
   * publishes once kad-dht's self-query has run and its routing table stopped growing for 2 s. 0 publishes at once,
   * as does by default a node with no bootstrap address (the first node of a network: there is nothing to join).
   */
  joinWaitMs?: number
  /** Timeout of one DHT put/provide/get (default 30 s). */
  dhtTimeoutMs?: number
  /** Period of the metrics push (default 3 s, DEFAULT_METRICS_INTERVAL_MS of @tessera/wire). */
  metricsIntervalMs?: number
  /** Period of the bootstrap re-dial check (default 5 s). */
  redialIntervalMs?: number
  /**
   * Shard service quotas, lease and timeouts (`quotas.ts`, `leases.ts`). Tiles per peer default to half the pool
   * on `public` and the whole pool on `local`.
   */
  shard?: ShardServiceInit
  /**
   * `host:port` to serve Prometheus metrics on (`GET /metrics`: libp2p's and tessera's, see `prometheus.ts`);
   * port 0 picks a free one. Default: no metrics server.
   */
  metricsListen?: string
  /** Bounds of what the DHT stores for other peers (defaults: the MAX_DHT_* constants). */
  dhtStore?: Partial<DhtStoreLimits>
  /** Clock for records and their validation (default Date.now). */
  now?: () => number
  /**
   * FAULT INJECTION FOR SIMULATIONS ONLY (misbehaviour.ts): makes the node lie — tampered or dropped answers, an
   * inflated throughput claim — so verification can be measured. Never set on a real node.
   */
  misbehaviour?: Misbehaviour
}

export interface TesseraNodeEvents {
  'record:published': CustomEvent<PublishResult>
  'record:error': CustomEvent<unknown>
  'metrics:sample': CustomEvent<PeerSample>
  /** The DHT store refused a write: an older record, a record too large, a bound with nothing to evict… */
  'dht:refused': CustomEvent<DhtStoreRefusal>
  /** A shard's lease ran out and its tiles were freed (docs/security.md). */
  'shard:lease-expired': CustomEvent<LeaseExpiry>
}

/** A running tessera peer. */
export interface TesseraNode {
  readonly peerId: PeerId
  readonly libp2p: TesseraLibp2p
  readonly network: NetworkMode
  /** The tile pool executor (absent on a client-only node). */
  readonly executor?: NodeExecutor
  /** Short-term metrics received from peers and pushed to them (absent on a client-only node). */
  readonly metrics?: MetricsService
  /** The DHT validator of capacity records (also used on reads). */
  readonly validator: CapacityRecordValidator
  /** What the DHT store holds, and how much it evicted and refused. */
  dhtStoreStats(): DhtStoreStats
  getMultiaddrs(): Multiaddr[]
  reachability(): Reachability
  /** NAT behaviour: `none` when public, else `cone`/`symmetric` from an observed mapping, or `unknown`. */
  natKind(): NatKind
  /** Publishes a fresh capacity record now (the refresh loop does this periodically). */
  publishCapacity(): Promise<PublishResult>
  /** The last successful publication. */
  lastPublished(): PublishResult | undefined
  /**
   * Other peers' valid capacity records: one walk of the capability bucket tree, each record read from its provider
   * (through the DHT when that fails), at most `options.limit` of them (default 256); below that many peers, all of
   * them (discover-peers.ts).
   */
  discoverPeers(options?: DiscoverOptions): Promise<DiscoveredPeer[]>
  /** One peer's valid capacity record from the DHT. */
  getCapacityRecord(peer: PeerId | string, options?: { timeoutMs?: number }): Promise<DiscoveredPeer | undefined>
  /** One peer's valid capacity record from this node's own datastore (no network). */
  readLocalCapacityRecord(peer: PeerId | string): Promise<DiscoveredPeer | undefined>
  /** Client of a peer's shard service. */
  shardClient(peer: PeerId | Multiaddr | Multiaddr[], init?: ShardClientInit): ShardClient
  /** This node's current short-term sample. */
  metricsSample(): MetricsSample
  addEventListener<K extends keyof TesseraNodeEvents>(type: K, listener: (evt: TesseraNodeEvents[K]) => void): void
  removeEventListener<K extends keyof TesseraNodeEvents>(type: K, listener: (evt: TesseraNodeEvents[K]) => void): void
  /** Stops services, libp2p, the executor worker and closes the datastore. Idempotent. */
  /**
   * Leaves the network cleanly: refuses new uploads and executes (`PeerLeavingError`), publishes a record with
   * `leaving: true`, waits for the calls in flight (bounded), then stops. See `graceful-leave.ts`.
   */
  leave(options?: LeaveOptions): Promise<LeaveResult>
  /** Whether the node is leaving or has left. */
  isLeaving(): boolean
  /** `host:port` of the Prometheus metrics server, when one runs. */
  metricsAddress(): string | undefined
  /** The node's datastore (LevelDB under the data dir): DHT records, and long-term memory kept by its user. */
  readonly datastore: Datastore
  stop(): Promise<void>
}

/**
 * Creates and starts a tessera node: libp2p v3 (TCP, noise, yamux, identify, ping, kad-dht with tessera's record
 * validator and selector, circuit relay transport and optional server, AutoNAT v2, DCUtR, bootstrap with re-dial),
 * a tile pool in a worker thread behind `/tessera/shard/1.0.0`, the `/tessera/metrics/1.0.0` push, and the signed
 * capacity record refreshed in the DHT. Throws {@link InvalidNodeOptionError} on a bad option, before starting
 * anything.
 *
 * @example
 * ```ts
 * const node = await createTesseraNode({ network: 'local', dataDir: './data', bootstrap: [addr], device: 'pcm' })
 * const peers = await node.discoverPeers()
 * const client = node.shardClient(peerIdFromString(peers[0].record.peerId))
 * await client.program({ shardId: 'w0', weights, rows: 256, cols: 256, seed: 1 })
 * const { output } = await client.execute({ shardId: 'w0', input, batch: 8 })
 * await node.stop()
 * ```
 */
export async function createTesseraNode (init: TesseraNodeInit = {}): Promise<TesseraNode> {
  const options = resolveNodeOptions(init)
  const { network, serve, profile } = options
  const now = init.now ?? Date.now
  const validator = createCapacityRecordValidator({ now })

  const privateKey = init.privateKey ?? (init.dataDir != null ? await loadOrCreateIdentity(init.dataDir) : await generateKeyPair('Ed25519'))
  const storage = await openStorage(init.dataDir)
  const events = new EventTarget()
  const listen = init.listen ?? [network === 'local' ? DEFAULT_LISTEN_LOCAL : DEFAULT_LISTEN_PUBLIC]
  let libp2p: TesseraLibp2p | undefined
  let executor: NodeExecutor | undefined
  const nodeMetrics = init.metricsListen !== undefined ? new NodeMetrics() : undefined
  let dhtStore: DhtStore
  try {
    dhtStore = await openDhtStore(storage, privateKey, init, events, now)
    libp2p = await createTesseraLibp2p({
      dhtStore,
      privateKey,
      datastore: storage.datastore,
      listen,
      announce: init.announce,
      bootstrap: init.bootstrap,
      network,
      dhtClientMode: init.dhtClientMode ?? (serve ? undefined : true),
      relayServer: init.relayServer,
      relayLimits: init.relayLimits,
      connectionLimits: init.connectionLimits,
      holePunch: init.holePunch,
      ...(nodeMetrics !== undefined ? { metrics: nodeMetrics.libp2pMetrics() } : {}),
      dhtValidators: { [DHT_NAMESPACE]: validator },
      dhtSelectors: { [DHT_NAMESPACE]: capacityRecordSelector }
    })
    if (serve && profile != null) {
      const pool = await ExecutorPool.start({ profile, tiles: options.tiles, threads: options.maxCpu, kernel: init.kernel, calibrate: init.calibrate, emulatedMacsPerSecond: init.emulatedMacsPerSecond })
      executor = options.workingMemoryBytes !== undefined ? new BudgetedExecutor(pool, new MemoryBudget(options.workingMemoryBytes)) : pool
    }
    try {
      await libp2p.start()
    } catch (err) {
      throw listenFailure(err, listen) ?? err
    }
  } catch (err) {
    // The start-up error is what the caller needs; a part that also fails to stop is only logged.
    const started = libp2p
    await releaseQuietly('libp2p', async () => { await started?.stop() })
    await releaseQuietly('the executor', async () => { await executor?.stop() })
    await releaseQuietly('the datastore', async () => { await storage.close() })
    throw err
  }
  return await startNode({ init, options, libp2p, executor, storage, dhtStore, events, validator, privateKey, now, nodeMetrics })
}

/**
 * The DHT store kad-dht writes through (./dht-store): the node's own record pinned, capacity records replaced only
 * by newer ones, refusals reported as `dht:refused` events; loaded (and trimmed to its bounds) before libp2p starts.
 */
async function openDhtStore (storage: NodeStorage, privateKey: PrivateKey, init: TesseraNodeInit, events: EventTarget, now: () => number): Promise<DhtStore> {
  const self = peerIdFromPrivateKey(privateKey)
  const store = new DhtStore({
    datastore: storage.datastore,
    self,
    ownRecordKey: capacityRecordKey(self),
    limits: init.dhtStore,
    replacementRules: { [DHT_NAMESPACE]: (_key, stored, incoming) => checkCapacityRecordReplacement(stored, incoming, now()) },
    onRefused: (refusal) => { events.dispatchEvent(new CustomEvent('dht:refused', { detail: refusal })) }
  })
  await store.load()
  return store
}

/** Runs `release`, logging (not throwing) a failure: for clean-up on a path that already has an error to report. */
async function releaseQuietly (what: string, release: () => Promise<void>): Promise<void> {
  try {
    await release()
  } catch (err) {
    log.error('stopping %s failed - %e', what, err)
  }
}

/** What a node is made of once libp2p runs; every helper below reads it. */
interface NodeContext {
  init: TesseraNodeInit
  options: ResolvedNodeOptions
  libp2p: TesseraLibp2p
  executor?: NodeExecutor
  storage: NodeStorage
  dhtStore: DhtStore
  /** The node's events; created before libp2p, as the DHT store reports refusals on it. */
  events: EventTarget
  validator: CapacityRecordValidator
  privateKey: PrivateKey
  now: () => number
  /** Set once the node starts leaving: its records say so. */
  leaving?: boolean
  /** The Prometheus registry, with `metricsListen`. */
  nodeMetrics?: NodeMetrics
}

/** The node's long-running parts; each is set once started, so stopping after a partial start stops what ran. */
interface NodeServices {
  /** Aborts the wait before the first publication. */
  joinWait?: AbortController
  natClassifier?: NatClassifier
  shardService?: ShardService
  metrics?: MetricsService
  publisher?: CapacityPublisher
  redial?: BootstrapRedial
  relayFinder?: RelayFinder
  recordWatch?: RecordChangeWatch
  metricsServer?: MetricsServer
}

/** Reachability and NAT kind as the node's capacity record reports them. */
interface NatView {
  reachability: () => Reachability
  natKind: () => NatKind
}

async function startNode (ctx: NodeContext): Promise<TesseraNode> {
  const { init, libp2p, executor, events } = ctx
  const services: NodeServices = {}
  const nat = natView(ctx, services)
  const window = new LoadWindow(LATENCY_WINDOW_SIZE)
  const metricsIntervalMs = init.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS
  const metricsSample = metricsSampler(ctx, services, window, metricsIntervalMs)
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await stopNode(ctx, services)
  }
  try {
    services.natClassifier?.start(libp2p.getConnections())
    services.relayFinder?.start()
    if (executor != null) await startServing(ctx, executor, services, { events, window, nat, metricsSample, metricsIntervalMs })
    services.redial = startBootstrapRedial(libp2p, init.bootstrap ?? [], { intervalMs: init.redialIntervalMs ?? DEFAULT_REDIAL_INTERVAL_MS })
    if (ctx.nodeMetrics !== undefined && init.metricsListen !== undefined) {
      ctx.nodeMetrics.watch(metricsSource(ctx, services, nat))
      services.metricsServer = await startMetricsServer(ctx.nodeMetrics.registry, init.metricsListen)
    }
  } catch (err) {
    await releaseQuietly('the partly started node', stop)
    throw err
  }
  return nodeApi(ctx, services, { events, nat, metricsSample, stop, isStopped: () => stopped })
}

/** On a local network every peer dials every other directly: there is no NAT to learn about, so no classifier. */
function natView (ctx: NodeContext, services: NodeServices): NatView {
  const { libp2p } = ctx
  const { network } = ctx.options
  const classifierComponents = network === 'public' ? natClassifierComponents(libp2p) : undefined
  if (classifierComponents !== undefined) services.natClassifier = new NatClassifier(classifierComponents)
  services.relayFinder = relayFinderFor(ctx, services)
  const reachability = (): Reachability => {
    const inferred = inferReachability(libp2p.getMultiaddrs(), network)
    // Private from the moment the node decided to look for relays, not only once a reservation holds.
    return inferred === 'unknown' && services.relayFinder?.reachability() === 'private' ? 'private' : inferred
  }
  const natKind = (): NatKind => network === 'local' ? 'none' : classifyNat(reachability(), services.natClassifier?.mapping())
  return { reachability, natKind }
}

/**
 * The relay search of a serving node on a public network with no circuit address of its own; a relay server, a
 * client-only node (which dials out and needs no reservation) and a node told where to reserve have none.
 */
function relayFinderFor (ctx: NodeContext, services: NodeServices): RelayFinder | undefined {
  const { init, options, libp2p } = ctx
  if (options.network !== 'public' || !options.serve || init.relayServer === true || init.relaySearch === false) return undefined
  if (listensOnCircuit(init.listen ?? [])) return undefined
  const components = relayFinderComponents(libp2p, () => services.natClassifier?.mapping(), ctx.now)
  return components === undefined ? undefined : new RelayFinder(components, init.relaySearch ?? {})
}

/** What the Prometheus gauges read at each scrape. */
function metricsSource (ctx: NodeContext, services: NodeServices, nat: NatView): NodeMetricsSource {
  return {
    tiles: () => {
      const s = ctx.executor?.cachedStatus()
      return { total: s?.tilesTotal ?? 0, free: s?.tilesFree ?? 0, shardsHeld: s?.shardsHeld ?? 0 }
    },
    queueDepth: () => ctx.executor?.queueDepth() ?? 0,
    reservations: () => heldRelays(ctx.libp2p.getMultiaddrs()).size,
    reachability: nat.reachability,
    natKind: nat.natKind,
    connections: () => {
      const relayed = ctx.libp2p.getConnections().filter((c) => c.remoteAddr.getComponents().some((p) => p.name === 'p2p-circuit')).length
      return { direct: ctx.libp2p.getConnections().length - relayed, relayed }
    },
    leaving: () => ctx.leaving === true
  }
}

/** This node's short-term load sample, as pushed to its peers. */
function metricsSampler (ctx: NodeContext, services: NodeServices, window: LoadWindow, metricsIntervalMs: number): () => MetricsSample {
  return () => {
    const t = ctx.now()
    const s = window.summary(t, metricsIntervalMs)
    const status = ctx.executor?.cachedStatus()
    return {
      queueDepth: ctx.executor?.queueDepth() ?? 0,
      inFlight: services.shardService?.inFlight() ?? 0,
      mvmLatencyP50Ms: s.p50Ms,
      tilesFree: status?.tilesFree ?? 0,
      tilesTotal: status?.tilesTotal ?? 0,
      sampledAtMs: Math.floor(t),
      windowMs: metricsIntervalMs,
      executesInWindow: s.count
    }
  }
}

/** What a serving node advertises in its capacity record now. */
function capacitySnapshot (ctx: NodeContext, executor: NodeExecutor, nat: NatView): () => CapacitySnapshot {
  return () => {
    const status = executor.cachedStatus()
    const { profile } = executor
    return {
      device: { preset: profile.preset, geometry: { rows: profile.geometry.rows, cols: profile.geometry.cols }, noiseLevel: profile.noiseLevel },
      tilesTotal: status.tilesTotal,
      tilesFree: status.tilesFree,
      throughputGflopPerSecond: executor.throughputGflops() * (ctx.init.misbehaviour?.throughputClaimFactor ?? 1),
      queueDepth: executor.queueDepth(),
      reachability: nat.reachability(),
      natKind: nat.natKind(),
      addresses: ctx.libp2p.getMultiaddrs().slice(0, 32).map((ma) => ma.toString()),
      ...(ctx.leaving === true ? { leaving: true } : {})
    }
  }
}

interface ServingHooks {
  events: EventTarget
  window: LoadWindow
  nat: NatView
  metricsSample: () => MetricsSample
  metricsIntervalMs: number
}

/** Starts what only a serving node runs: the shard service, the metrics push and the capacity record's refresh. */
async function startServing (ctx: NodeContext, executor: NodeExecutor, services: NodeServices, hooks: ServingHooks): Promise<void> {
  const { init, libp2p, now } = ctx
  const { events } = hooks
  const answerTamper = init.misbehaviour?.answer
  const shardInit = {
    ...init.shard,
    maxTilesPerPeer: init.shard?.maxTilesPerPeer ?? defaultMaxTilesPerPeer(executor.tilesTotal, ctx.options.network),
    ...(answerTamper !== undefined ? { answerTamper } : {})
  }
  services.shardService = new ShardService(libp2p, executor, shardInit, {
    onExecute: (wallMs) => {
      hooks.window.record(now(), wallMs)
      ctx.nodeMetrics?.observeExecute(wallMs)
    },
    onLeaseExpired: (expiry) => { events.dispatchEvent(new CustomEvent('shard:lease-expired', { detail: expiry })) }
  })
  await services.shardService.start()
  // A volunteer pushes its samples to the peers that push theirs (coordinators, dashboards), not to every peer.
  const metrics = services.metrics = new MetricsService(libp2p, hooks.metricsSample, { intervalMs: hooks.metricsIntervalMs, pushTo: 'listeners' })
  metrics.addEventListener('sample', (evt) => {
    events.dispatchEvent(new CustomEvent('metrics:sample', { detail: (evt as CustomEvent<PeerSample>).detail }))
  })
  await metrics.start()
  services.publisher = new CapacityPublisher({
    peerId: libp2p.peerId,
    privateKey: ctx.privateKey,
    dht: libp2p.services.dht,
    validator: ctx.validator,
    snapshot: capacitySnapshot(ctx, executor, hooks.nat),
    knownPeers: knownDhtPeers(libp2p.peerStore, libp2p.peerId, DHT_PROTOCOL),
    directPut: directRecordPutter(libp2p),
    storeLocally: async (key, value) => { await storeLocalRecord(ctx.dhtStore, key, value) },
    onPublished: (result) => { events.dispatchEvent(new CustomEvent('record:published', { detail: result })) },
    onError: (err) => { events.dispatchEvent(new CustomEvent('record:error', { detail: err })) }
  }, { ...ctx.options.recordTiming, dhtTimeoutMs: init.dhtTimeoutMs, now })
  const publisher = services.publisher
  const joinWait = services.joinWait = new AbortController()
  void waitForJoin(joinView(libp2p), { maxWaitMs: joinWaitBoundMs(init) }, joinWait.signal).then((outcome) => {
    if (outcome !== 'aborted') publisher.start()
  })
  const nat = hooks.nat
  services.recordWatch = startRecordChangeWatch({
    key: () => JSON.stringify([nat.reachability(), nat.natKind(), libp2p.getMultiaddrs().map((ma) => ma.toString()).sort()]),
    publish: async () => await publisher.publishFresh()
  })
}

/** The longest wait before a node's first publication: as configured, else none without a bootstrap address. */
export function joinWaitBoundMs (init: Pick<TesseraNodeInit, 'joinWaitMs' | 'bootstrap'>): number | undefined {
  if (init.joinWaitMs !== undefined) return init.joinWaitMs
  return (init.bootstrap ?? []).length === 0 ? 0 : undefined
}

/** What join-wait.ts watches on a node: kad-dht's routing table and its self-query event. */
function joinView (libp2p: TesseraLibp2p): JoinView {
  // kad-dht's single DHT exposes its routing table's size (SingleKadDHT); the event is on libp2p's event bus.
  const dht = libp2p.services.dht as Partial<SingleKadDHT>
  const events = libp2p as unknown as EventTarget
  return {
    routingTableSize: () => dht.routingTable?.size ?? 0,
    onSelfQuery: (listener) => {
      const handler = (): void => { listener() }
      events.addEventListener('kad-dht:query:self', handler, { once: true })
      return () => { events.removeEventListener('kad-dht:query:self', handler) }
    }
  }
}

/**
 * Stops the services, libp2p, the executor and the datastore, in that order. The services' stops are best effort
 * (logged): libp2p, the executor and the datastore must stop whatever happened to them.
 */
async function stopNode (ctx: NodeContext, services: NodeServices): Promise<void> {
  services.joinWait?.abort()
  services.redial?.stop()
  await releaseQuietly('the metrics server', async () => { await services.metricsServer?.close() })
  services.natClassifier?.stop()
  services.relayFinder?.stop()
  services.recordWatch?.stop()
  services.publisher?.stop()
  await releaseQuietly('the metrics service', async () => { await services.metrics?.stop() })
  await releaseQuietly('the shard service', async () => { await services.shardService?.stop() })
  await ctx.libp2p.stop()
  await ctx.executor?.stop()
  await ctx.storage.close()
}

interface NodeApiParts {
  events: EventTarget
  nat: NatView
  metricsSample: () => MetricsSample
  stop: () => Promise<void>
  isStopped: () => boolean
}

/** The {@link TesseraNode} surface over a started node. */
function nodeApi (ctx: NodeContext, services: NodeServices, parts: NodeApiParts): TesseraNode {
  const { init, libp2p, validator } = ctx
  const { events } = parts
  const running = (): void => {
    if (parts.isStopped()) throw new NodeNotStartedError('the tessera node has been stopped')
  }
  return {
    peerId: libp2p.peerId,
    libp2p,
    network: ctx.options.network,
    executor: ctx.executor,
    metrics: services.metrics,
    validator,
    dhtStoreStats: () => ctx.dhtStore.stats(),
    getMultiaddrs: () => libp2p.getMultiaddrs(),
    reachability: parts.nat.reachability,
    natKind: parts.nat.natKind,
    async publishCapacity () {
      running()
      if (services.publisher == null) throw new NodeNotStartedError('a client-only node publishes no capacity record')
      return await services.publisher.publish()
    },
    lastPublished: () => services.publisher?.lastPublished(),
    async discoverPeers (options) {
      running()
      return await discoverPeersByWalk(libp2p.services.dht, validator, libp2p.peerId, directRecordReader(libp2p, validator), { timeoutMs: init.dhtTimeoutMs, ...options })
    },
    async getCapacityRecord (peer, options = {}) {
      running()
      return await readCapacityRecord(libp2p.services.dht, validator, peer, AbortSignal.timeout(options.timeoutMs ?? init.dhtTimeoutMs ?? DEFAULT_DHT_TIMEOUT_MS))
    },
    async readLocalCapacityRecord (peer) {
      running()
      return await readLocalCapacityRecord(ctx.storage.datastore, validator, peer)
    },
    shardClient: (peer, clientInit) => new ShardClient(libp2p, peer, clientInit),
    metricsSample: parts.metricsSample,
    datastore: ctx.storage.datastore,
    isLeaving: () => ctx.leaving === true,
    metricsAddress: () => services.metricsServer?.address,
    async leave (options) {
      running()
      const publisher = services.publisher
      return await leaveGracefully({
        startLeaving: () => {
          ctx.leaving = true
          services.shardService?.startLeaving()
        },
        drained: async (timeoutMs) => await (services.shardService?.drained(timeoutMs) ?? Promise.resolve(true)),
        // With no connection the record can reach nobody: a lone node does not wait for a put that cannot land.
        ...(publisher !== undefined && libp2p.getConnections().length > 0 ? { publish: async () => await publisher.publishFresh() } : {}),
        stop: parts.stop
      }, options)
    },
    addEventListener: (type, listener) => { events.addEventListener(type, listener as EventListener) },
    removeEventListener: (type, listener) => { events.removeEventListener(type, listener as EventListener) },
    stop: parts.stop
  }
}
