/**
 * A scenario's network on 127.0.0.1, in this process: real libp2p nodes (createTesseraNode) with the scenario's
 * device presets, tile counts and geometries and emulated compute rates; a relay node that the relayed nodes
 * reach the network through (they listen on `/p2p-circuit` only, so every connection to them is relayed); nodes
 * with background load serve another client's work (background-load.ts); and a client-only coordinator node.
 * Node keys derive from the scenario seed (node-options.ts).
 */
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode, TesseraNodeInit } from '@tessera/peer'
import { startBackgroundLoad } from './background-load.js'
import { SCENARIO_METRICS_INTERVAL_MS } from './constants.js'
import { RelayReservationTimeoutError, ScenarioNodeStateError } from './errors.js'
import { keyFor, nodeOptions } from './node-options.js'
import type { LieLog } from './liars.js'
import type { Scenario, ScenarioNode } from './scenario.js'
import { sleep } from './sleep.js'

const log = logger('tessera:sim:network')

/** Longest wait for a relayed node's reservation. */
const RESERVATION_TIMEOUT_MS = 15_000

/** Options of {@link startLocalNetwork}. */
export interface LocalNetworkInit {
  /** Metrics push period of every node, ms (default {@link SCENARIO_METRICS_INTERVAL_MS}). */
  metricsIntervalMs?: number
  /** Extra options for every node (tests shorten timers). */
  nodeInit?: Partial<TesseraNodeInit>
  /** Called as start-up phases finish (for progress messages). */
  onPhase?: (phase: string) => void
  /** Every node honest: the scenario's liars tell no lie (the reference run of the `liars` scenario). */
  honest?: boolean
}

/** A running scenario network. */
export interface LocalNetwork {
  scenario: Scenario
  /** Scenario node id → node. */
  nodes: Map<string, TesseraNode>
  /** The client-only node a coordinator runs on. */
  coordinatorNode: TesseraNode
  /** Scenario node id of a peer id. */
  nodeIdOf: (peerId: string) => string | undefined
  /** Emulated one-way delay per peer id, ms. */
  delayByPeerId: Record<string, number>
  /** Scenario node id of each liar → when it first lied (empty when the network is honest). */
  lieLogs: Map<string, LieLog>
  /**
   * When each of the network's record publications finished (published or failed), every node's, on the
   * coordinator's clock (`performance.timeOrigin + performance.now()`), in order: each is seconds of DHT work on
   * the process's one event loop (a node publishes at start, then 20 s and 40 s after its previous publication,
   * then every minute; twice as it joins).
   */
  publishedAtMs: readonly number[]
  /** Stops one node (a peer leaving mid-run). */
  stopNode: (id: string) => Promise<void>
  /**
   * A standby node of the scenario joins mid-run (it was started with the network, unconnected): it dials the
   * first node, publishes its record, and its delay is added to `delayByPeerId`. Resolves to its peer id.
   */
  startNode: (id: string) => Promise<string>
  /** Changes a running node's emulated compute rate, MAC/s (a host slowing down or speeding up). */
  setSpeed: (id: string, macsPerSecond: number) => Promise<void>
  /** Stops background load, every node and the coordinator node. */
  stop: () => Promise<void>
}

/** The nodes and loops of a network being started, so that a failure part-way stops everything started. */
class Started {
  /** Serving nodes in the network, by scenario node id. */
  readonly nodes = new Map<string, TesseraNode>()
  /** Standby nodes not joined yet. */
  readonly standby = new Map<string, TesseraNode>()
  /** When each publication of a serving or standby node finished (coordinator clock, ms). */
  readonly publishedAtMs: number[] = []
  private readonly all: TesseraNode[] = []
  private readonly loops: Array<Promise<void>> = []
  stopped = false

  /** Keeps `node` to stop with the network. */
  add (node: TesseraNode): TesseraNode {
    this.all.push(node)
    return node
  }

  /** Keeps a serving (or standby) node of the scenario, noting when its publications finish. */
  addServing (node: TesseraNode): TesseraNode {
    const note = (): void => { this.publishedAtMs.push(performance.timeOrigin + performance.now()) }
    node.addEventListener('record:published', note)
    node.addEventListener('record:error', note)
    return this.add(node)
  }

  addLoop (loop: Promise<void>): void {
    this.loops.push(loop)
  }

  async stop (): Promise<void> {
    this.stopped = true
    await Promise.allSettled(this.loops)
    await Promise.allSettled(this.all.map(async (n) => { await n.stop() }))
  }
}

/** Options every node of one network shares. */
interface Shared {
  scenario: Scenario
  metricsIntervalMs: number
  extra: Partial<TesseraNodeInit>
  started: Started
  /** Where each lying node stamps its first lie; absent when the network is honest. */
  lieLogs?: Map<string, LieLog>
}

/** The lie log of `n` if it lies in this network (a fresh one per node), else undefined. */
function lieLogOf (shared: Shared, n: ScenarioNode): LieLog | undefined {
  if (n.lie === undefined || shared.lieLogs === undefined) return undefined
  const log: LieLog = {}
  shared.lieLogs.set(n.id, log)
  return log
}

/**
 * Starts the first node (the relay, if the scenario has one), the other starting nodes bootstrapping from it, and
 * the standby nodes unconnected; resolves to the first node's address, everyone's bootstrap.
 */
async function startServingNodes (shared: Shared): Promise<string> {
  const { scenario, metricsIntervalMs, extra, started } = shared
  const initial = scenario.nodes.filter((n) => n.standby !== true)
  const first = initial.find((n) => n.relay === true) ?? initial[0]
  const firstNode = started.addServing(await createTesseraNode({ ...nodeOptions(first, metricsIntervalMs, extra, lieLogOf(shared, first)), privateKey: await keyFor(scenario.seed, first.id), relayServer: first.relay === true }))
  started.nodes.set(first.id, firstNode)
  const bootstrap = firstNode.getMultiaddrs()[0].toString()
  await Promise.all(initial.filter((n) => n !== first).map(async (n) => {
    const node = started.addServing(await createTesseraNode({
      ...nodeOptions(n, metricsIntervalMs, extra, lieLogOf(shared, n)),
      privateKey: await keyFor(scenario.seed, n.id),
      bootstrap: [bootstrap],
      ...(n.relayed === true ? { listen: [`${bootstrap}/p2p-circuit`], dhtClientMode: true } : {})
    }))
    started.nodes.set(n.id, node)
  }))
  // Standby nodes start now, unconnected (no bootstrap: nobody knows them), so that joining mid-run costs what a
  // volunteer's join costs the network — a dial and a record — and not this shared host's process start-up.
  await Promise.all(scenario.nodes.filter((n) => n.standby === true).map(async (n) => {
    started.standby.set(n.id, started.addServing(await createTesseraNode({ ...nodeOptions(n, metricsIntervalMs, extra, lieLogOf(shared, n)), privateKey: await keyFor(scenario.seed, n.id) })))
  }))
  return bootstrap
}

/** A client-only node of the network (the coordinator's, the background load's). */
async function startClientNode ({ scenario, extra, started }: Shared, id: string, bootstrap: string): Promise<TesseraNode> {
  return started.add(await createTesseraNode({ network: 'local', serve: false, privateKey: await keyFor(scenario.seed, id), bootstrap: [bootstrap], ...extra }))
}

/** Waits until every relayed starting node has a relay address (it publishes relay addresses only then). */
async function waitForReservations ({ scenario, started }: Shared): Promise<void> {
  const deadline = Date.now() + RESERVATION_TIMEOUT_MS
  for (const n of scenario.nodes.filter((s) => s.relayed === true && s.standby !== true)) {
    const node = started.nodes.get(n.id) as TesseraNode
    while (!node.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit'))) {
      if (Date.now() > deadline) throw new RelayReservationTimeoutError(`node ${n.id} got no relay reservation within ${RESERVATION_TIMEOUT_MS} ms`)
      await sleep(50)
    }
  }
}

/** Starts background load on a node that has some; one client node, started on first need, sends it all. */
function backgroundStarter (shared: Shared, bootstrap: string): (n: ScenarioNode) => Promise<void> {
  let client: Promise<TesseraNode> | undefined
  return async (n) => {
    if (!((n.backgroundLoad ?? 0) > 0)) return
    client ??= startClientNode(shared, 'background-client', bootstrap)
    const { loop } = await startBackgroundLoad(await client, shared.started.nodes.get(n.id) as TesseraNode, n, shared.scenario.seed, () => shared.started.stopped)
    shared.started.addLoop(loop)
  }
}

/**
 * Publishes the node's capacity record with its current snapshot (tiles taken by background work, relay
 * addresses). A record put while the node's routing table was still empty reached nobody, and publishCapacity
 * joins a publication already in flight, possibly of an older snapshot: hence twice.
 */
async function publishTwice (node: TesseraNode): Promise<void> {
  await node.publishCapacity()
  await node.publishCapacity()
}

/** The running network's handle. */
function networkHandle (shared: Shared, coordinatorNode: TesseraNode, bootstrap: string, startBackground: (n: ScenarioNode) => Promise<void>): LocalNetwork {
  const { scenario, started } = shared
  const idByPeer = new Map<string, string>()
  const delayByPeerId: Record<string, number> = {}
  const register = (n: ScenarioNode): string => {
    const peerId = (started.nodes.get(n.id) as TesseraNode).peerId.toString()
    idByPeer.set(peerId, n.id)
    delayByPeerId[peerId] = n.delayMs
    return peerId
  }
  for (const n of scenario.nodes) if (n.standby !== true) register(n)
  const nodeOf = (id: string): TesseraNode => {
    const node = started.nodes.get(id)
    if (node === undefined) throw new ScenarioNodeStateError(`scenario node ${JSON.stringify(id)} is not running`)
    return node
  }
  return {
    scenario,
    nodes: started.nodes,
    coordinatorNode,
    nodeIdOf: (peerId) => idByPeer.get(peerId),
    delayByPeerId,
    publishedAtMs: started.publishedAtMs,
    lieLogs: shared.lieLogs ?? new Map(),
    stopNode: async (id) => {
      log('stopping %s', id)
      await started.nodes.get(id)?.stop()
    },
    startNode: async (id) => {
      const n = scenario.nodes.find((x) => x.id === id)
      const node = started.standby.get(id)
      if (n?.standby !== true || node === undefined) throw new ScenarioNodeStateError(`scenario node ${JSON.stringify(id)} is not a standby node`)
      if (started.nodes.has(id)) throw new ScenarioNodeStateError(`scenario node ${JSON.stringify(id)} already joined`)
      log('%s joins', id)
      await node.libp2p.dial(multiaddr(bootstrap))
      started.nodes.set(id, node)
      await startBackground(n)
      const peerId = register(n)
      // As at start: the first put may go out before the node's routing table has filled.
      await publishTwice(node)
      return peerId
    },
    setSpeed: async (id, macsPerSecond) => {
      const executor = nodeOf(id).executor
      if (executor === undefined) throw new ScenarioNodeStateError(`scenario node ${JSON.stringify(id)} has no executor`)
      log('%s runs at %d MAC/s', id, macsPerSecond)
      await executor.setEmulatedMacsPerSecond(macsPerSecond)
    },
    stop: async () => { await started.stop() }
  }
}

/** Starts a scenario's network. Stop it with `stop()` (also on failure, everything started is stopped). */
export async function startLocalNetwork (scenario: Scenario, init: LocalNetworkInit = {}): Promise<LocalNetwork> {
  const shared: Shared = { scenario, metricsIntervalMs: init.metricsIntervalMs ?? SCENARIO_METRICS_INTERVAL_MS, extra: init.nodeInit ?? {}, started: new Started(), ...(init.honest === true ? {} : { lieLogs: new Map<string, LieLog>() }) }
  const phase = (name: string): void => {
    log('%s: %s', scenario.name, name)
    init.onPhase?.(name)
  }
  try {
    const bootstrap = await startServingNodes(shared)
    phase('nodes started')
    const coordinatorNode = await startClientNode(shared, 'coordinator', bootstrap)
    await waitForReservations(shared)
    phase('reservations up')
    const startBackground = backgroundStarter(shared, bootstrap)
    await Promise.all(scenario.nodes.filter((n) => n.standby !== true).map(startBackground))
    // Every node publishes again now that all are connected, with its current snapshot.
    await Promise.all([...shared.started.nodes.values()].map(publishTwice))
    phase('records published')
    return networkHandle(shared, coordinatorNode, bootstrap, startBackground)
  } catch (err) {
    log.error('starting the network of %s failed: %e', scenario.name, err)
    await shared.started.stop()
    throw err
  }
}
