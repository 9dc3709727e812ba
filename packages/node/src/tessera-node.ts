import { PRESET_NAMES, createDeviceProfile } from '@tessera/crossbar'
import { DEFAULT_METRICS_INTERVAL_MS } from '@tessera/wire'
import {
  capacityRecordKey, capacityRecordSelector, checkCapacityRecordReplacement, createCapacityRecordValidator, DHT_NAMESPACE
} from '@tessera/memory'
import { startBootstrapRedial } from './bootstrap-redial.js'
import { CapacityPublisher, resolveRecordTiming } from './capacity-publisher.js'
import {
  DEFAULT_DEVICE_PRESET, DEFAULT_LISTEN_LOCAL, DEFAULT_LISTEN_PUBLIC,
  DEFAULT_REDIAL_INTERVAL_MS, DEFAULT_TILES, LATENCY_WINDOW_SIZE, MAX_TIMER_MS, maxTilesFor
} from './constants.js'
import { DhtStore } from './dht-store/index.js'
import { discoverCapacityRecords, readCapacityRecord, readLocalCapacityRecord } from './discovery.js'
import { InvalidOptionError, NodeNotStartedError } from './errors.js'
import { WorkerExecutor } from './executor/worker-executor.js'
import { loadOrCreateIdentity } from './identity.js'
import { createTesseraLibp2p } from './libp2p.js'
import { listenFailure } from './listen-error.js'
import { LoadWindow } from './load-window.js'
import { MetricsService } from './metrics-service.js'
import { classifyNat, inferReachability, NatClassifier, natClassifierComponents } from './reachability.js'
import { ShardClient } from './shard-client.js'
import { ShardService } from './shard-service.js'
import { openStorage } from './storage.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { TcpHolePunchInit } from './holepunch/index.js'
import type { BootstrapRedial } from './bootstrap-redial.js'
import type { DhtStoreLimits, DhtStoreRefusal, DhtStoreStats } from './dht-store/index.js'
import type { CapacitySnapshot, PublishResult, RecordTiming } from './capacity-publisher.js'
import type { DiscoverOptions, DiscoveredPeer } from './discovery.js'
import type { KernelChoice } from './executor/messages.js'
import type { NetworkMode, RelayLimits, TesseraLibp2p } from './libp2p.js'
import type { PeerSample } from './metrics-service.js'
import type { ShardClientInit } from './shard-client.js'
import type { ShardServiceInit } from './shard-service.js'
import type { NodeStorage } from './storage.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { DeviceProfile, PresetName } from '@tessera/crossbar'
import type { CapacityRecordValidator, NatKind, Reachability } from '@tessera/memory'
import type { MetricsSample } from '@tessera/wire'

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
  /**
   * TCP hole punching over relayed connections (the `holePunch` service; default on with its defaults);
   * `false` turns it off.
   */
  holePunch?: TcpHolePunchInit | false
  /**
   * Run a tile pool and serve shards (default true). `false` gives a client-only node (e.g. `tessera peers`):
   * no executor, no shard service, no capacity record.
   */
  serve?: boolean
  /** Device preset or a full profile (default `'pcm'`). */
  device?: PresetName | DeviceProfile
  /** Tiles in the pool (default 32). */
  tiles?: number
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
  /** Timeout of one DHT put/provide/get (default 30 s). */
  dhtTimeoutMs?: number
  /** Period of the metrics push (default 3 s, DEFAULT_METRICS_INTERVAL_MS of @tessera/wire). */
  metricsIntervalMs?: number
  /** Period of the bootstrap re-dial check (default 5 s). */
  redialIntervalMs?: number
  /** Shard service limits and timeouts. */
  shard?: ShardServiceInit
  /** Bounds of what the DHT stores for other peers (defaults: the MAX_DHT_* constants). */
  dhtStore?: Partial<DhtStoreLimits>
  /** Clock for records and their validation (default Date.now). */
  now?: () => number
}

export interface TesseraNodeEvents {
  'record:published': CustomEvent<PublishResult>
  'record:error': CustomEvent<unknown>
  'metrics:sample': CustomEvent<PeerSample>
  /** The DHT store refused a write: an older record, a record too large, a bound with nothing to evict… */
  'dht:refused': CustomEvent<DhtStoreRefusal>
}

/** A running tessera peer. */
export interface TesseraNode {
  readonly peerId: PeerId
  readonly libp2p: TesseraLibp2p
  readonly network: NetworkMode
  /** The tile pool executor (absent on a client-only node). */
  readonly executor?: WorkerExecutor
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
  /** Every other peer's valid capacity record, via findProviders on the capability CID and DHT reads. */
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
  stop(): Promise<void>
}

function checkPositiveInt (value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidOptionError(`${what} must be a positive integer, got ${value}`)
  return value
}

/** A duration a timer will wait: positive and at most MAX_TIMER_MS (a longer one would fire after 1 ms). */
function checkDuration (value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS)) {
    throw new InvalidOptionError(`${what} must be in (0, ${MAX_TIMER_MS}] ms, got ${value}`)
  }
}

function checkRelayLimits (limits: RelayLimits | undefined): void {
  if (limits?.dataLimitBytes !== undefined) checkPositiveInt(limits.dataLimitBytes, 'relayLimits.dataLimitBytes')
  checkDuration(limits?.durationLimitMs, 'relayLimits.durationLimitMs')
  if (limits?.maxReservations !== undefined) checkPositiveInt(limits.maxReservations, 'relayLimits.maxReservations')
}

function resolveProfile (device: PresetName | DeviceProfile | undefined): DeviceProfile {
  if (device == null || typeof device === 'string') {
    const preset = (device ?? DEFAULT_DEVICE_PRESET) as PresetName
    if (!PRESET_NAMES.includes(preset)) {
      throw new InvalidOptionError(`unknown device preset ${JSON.stringify(preset)}; one of ${PRESET_NAMES.join(', ')}`)
    }
    return createDeviceProfile(preset)
  }
  return device
}

/**
 * Creates and starts a tessera node: libp2p v3 (TCP, noise, yamux, identify, ping, kad-dht with tessera's record
 * validator and selector, circuit relay transport and optional server, AutoNAT v2, DCUtR, bootstrap with re-dial),
 * a tile pool in a worker thread behind `/tessera/shard/1.0.0`, the `/tessera/metrics/1.0.0` push, and the signed
 * capacity record refreshed in the DHT.
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
  const network = init.network ?? 'public'
  if (network !== 'local' && network !== 'public') throw new InvalidOptionError(`network must be local or public, got ${String(network)}`)
  const serve = init.serve ?? true
  const tiles = checkPositiveInt(init.tiles ?? DEFAULT_TILES, 'tiles')
  for (const [v, what] of [[init.recordTtlMs, 'recordTtlMs'], [init.recordRefreshMs, 'recordRefreshMs'], [init.metricsIntervalMs, 'metricsIntervalMs'],
    [init.redialIntervalMs, 'redialIntervalMs'], [init.dhtTimeoutMs, 'dhtTimeoutMs']] as const) {
    checkDuration(v, what)
  }
  checkRelayLimits(init.relayLimits)
  const profile = serve ? resolveProfile(init.device) : undefined
  if (profile !== undefined && tiles > maxTilesFor(profile.geometry)) {
    throw new InvalidOptionError(`tiles must be in [1, ${maxTilesFor(profile.geometry)}] for ${profile.geometry.rows}×${profile.geometry.cols} tiles (what the kernel's memory holds), got ${tiles}`)
  }
  const now = init.now ?? Date.now
  const validator = createCapacityRecordValidator({ now })

  const recordTiming = resolveRecordTiming({ ttlMs: init.recordTtlMs, refreshMs: init.recordRefreshMs })
  const listen = init.listen ?? [network === 'local' ? DEFAULT_LISTEN_LOCAL : DEFAULT_LISTEN_PUBLIC]

  const privateKey = init.privateKey ?? (init.dataDir != null ? await loadOrCreateIdentity(init.dataDir) : await generateKeyPair('Ed25519'))
  const storage = await openStorage(init.dataDir)
  const events = new EventTarget()
  let libp2p: TesseraLibp2p | undefined
  let executor: WorkerExecutor | undefined
  let dhtStore: DhtStore
  try {
    const self = peerIdFromPrivateKey(privateKey)
    dhtStore = new DhtStore({
      datastore: storage.datastore,
      self,
      ownRecordKey: capacityRecordKey(self),
      limits: init.dhtStore,
      replacementRules: { [DHT_NAMESPACE]: (_key, stored, incoming) => checkCapacityRecordReplacement(stored, incoming, now()) },
      onRefused: (refusal) => { events.dispatchEvent(new CustomEvent('dht:refused', { detail: refusal })) }
    })
    await dhtStore.load()
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
      holePunch: init.holePunch,
      dhtValidators: { [DHT_NAMESPACE]: validator },
      dhtSelectors: { [DHT_NAMESPACE]: capacityRecordSelector }
    })
    if (serve && profile != null) {
      executor = await WorkerExecutor.start({ profile, tiles, kernel: init.kernel, calibrate: init.calibrate, emulatedMacsPerSecond: init.emulatedMacsPerSecond })
    }
    try {
      await libp2p.start()
    } catch (err) {
      throw listenFailure(err, listen) ?? err
    }
  } catch (err) {
    if (libp2p != null) await Promise.resolve(libp2p.stop()).catch(() => {})
    await executor?.stop().catch(() => {})
    await storage.close().catch(() => {})
    throw err
  }
  return await startNode(init, network, libp2p, executor, { storage, dhtStore, events }, validator, privateKey, recordTiming, now)
}

/** What a node owns besides libp2p and its executor. */
interface NodeParts {
  storage: NodeStorage
  dhtStore: DhtStore
  events: EventTarget
}

async function startNode (init: TesseraNodeInit, network: NetworkMode, libp2p: TesseraLibp2p, executor: WorkerExecutor | undefined,
  { storage, dhtStore, events }: NodeParts, validator: CapacityRecordValidator, privateKey: PrivateKey, recordTiming: RecordTiming, now: () => number): Promise<TesseraNode> {
  const metricsIntervalMs = init.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS
  const window = new LoadWindow(LATENCY_WINDOW_SIZE)
  let shardService: ShardService | undefined
  let metrics: MetricsService | undefined
  let publisher: CapacityPublisher | undefined
  let redial: BootstrapRedial | undefined
  let stopped = false
  const reachability = (): Reachability => inferReachability(libp2p.getMultiaddrs(), network)
  // On a local network every peer dials every other directly: there is no NAT to learn about.
  const classifierComponents = network === 'public' ? natClassifierComponents(libp2p) : undefined
  const natClassifier = classifierComponents === undefined ? undefined : new NatClassifier(classifierComponents)
  const natKind = (): NatKind => network === 'local' ? 'none' : classifyNat(reachability(), natClassifier?.mapping())

  const metricsSample = (): MetricsSample => {
    const t = now()
    const s = window.summary(t, metricsIntervalMs)
    const status = executor?.cachedStatus()
    return {
      queueDepth: executor?.queueDepth() ?? 0,
      inFlight: shardService?.inFlight() ?? 0,
      mvmLatencyP50Ms: s.p50Ms,
      tilesFree: status?.tilesFree ?? 0,
      tilesTotal: status?.tilesTotal ?? 0,
      sampledAtMs: Math.floor(t),
      windowMs: metricsIntervalMs,
      executesInWindow: s.count
    }
  }

  const snapshot = (): CapacitySnapshot => {
    const ex = executor as WorkerExecutor
    const status = ex.cachedStatus()
    return {
      device: { preset: ex.profile.preset, geometry: { rows: ex.profile.geometry.rows, cols: ex.profile.geometry.cols }, noiseLevel: ex.profile.noiseLevel },
      tilesTotal: status.tilesTotal,
      tilesFree: status.tilesFree,
      throughputGflopPerSecond: ex.throughputGflops(),
      queueDepth: ex.queueDepth(),
      reachability: reachability(),
      natKind: natKind(),
      addresses: libp2p.getMultiaddrs().slice(0, 32).map((ma) => ma.toString())
    }
  }

  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    redial?.stop()
    natClassifier?.stop()
    publisher?.stop()
    await metrics?.stop().catch(() => {})
    await shardService?.stop().catch(() => {})
    await libp2p.stop()
    await executor?.stop()
    await storage.close()
  }

  try {
    natClassifier?.start(libp2p.getConnections())
    if (executor != null) {
      shardService = new ShardService(libp2p, executor, init.shard, (wallMs) => { window.record(now(), wallMs) })
      await shardService.start()
      metrics = new MetricsService(libp2p, metricsSample, { intervalMs: metricsIntervalMs })
      metrics.addEventListener('sample', (evt) => {
        events.dispatchEvent(new CustomEvent('metrics:sample', { detail: (evt as CustomEvent<PeerSample>).detail }))
      })
      await metrics.start()
      publisher = new CapacityPublisher({
        peerId: libp2p.peerId,
        privateKey,
        dht: libp2p.services.dht,
        validator,
        snapshot,
        onPublished: (result) => { events.dispatchEvent(new CustomEvent('record:published', { detail: result })) },
        onError: (err) => { events.dispatchEvent(new CustomEvent('record:error', { detail: err })) }
      }, { ...recordTiming, dhtTimeoutMs: init.dhtTimeoutMs, now })
      publisher.start()
    }
    redial = startBootstrapRedial(libp2p, init.bootstrap ?? [], { intervalMs: init.redialIntervalMs ?? DEFAULT_REDIAL_INTERVAL_MS })
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }

  return {
    peerId: libp2p.peerId,
    libp2p,
    network,
    executor,
    metrics,
    validator,
    dhtStoreStats: () => dhtStore.stats(),
    getMultiaddrs: () => libp2p.getMultiaddrs(),
    reachability,
    natKind,
    async publishCapacity () {
      if (stopped) throw new NodeNotStartedError()
      if (publisher == null) throw new NodeNotStartedError('a client-only node publishes no capacity record')
      return await publisher.publish()
    },
    lastPublished: () => publisher?.lastPublished(),
    async discoverPeers (options) {
      if (stopped) throw new NodeNotStartedError()
      return await discoverCapacityRecords(libp2p.services.dht, validator, libp2p.peerId, { timeoutMs: init.dhtTimeoutMs, ...options })
    },
    async getCapacityRecord (peer, options = {}) {
      if (stopped) throw new NodeNotStartedError()
      return await readCapacityRecord(libp2p.services.dht, validator, peer, AbortSignal.timeout(options.timeoutMs ?? init.dhtTimeoutMs ?? 30_000))
    },
    async readLocalCapacityRecord (peer) {
      if (stopped) throw new NodeNotStartedError()
      return await readLocalCapacityRecord(storage.datastore, validator, peer)
    },
    shardClient: (peer, clientInit) => new ShardClient(libp2p, peer, clientInit),
    metricsSample,
    addEventListener: (type, listener) => { events.addEventListener(type, listener as EventListener) },
    removeEventListener: (type, listener) => { events.removeEventListener(type, listener as EventListener) },
    stop
  }
}
