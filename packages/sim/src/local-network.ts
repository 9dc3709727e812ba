/**
 * A scenario's network on 127.0.0.1, in this process: real libp2p nodes (createTesseraNode) with the scenario's
 * device presets, tile counts and geometries and emulated compute rates; a relay node that the relayed nodes
 * reach the network through (they listen on `/p2p-circuit` only, so every connection to them is relayed); nodes
 * with background load serve another client's work; and a client-only coordinator node. Node keys
 * derive from the scenario seed, so the same seed gives the same peer ids (and the same placements where those
 * depend on ids).
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { createDeviceProfile, createRng } from '@tessera/crossbar'
import type { PresetName } from '@tessera/crossbar'
import type { PrivateKey } from '@libp2p/interface'
import { createTesseraNode } from '@tessera/peer'
import type { TesseraNode, TesseraNodeInit } from '@tessera/peer'
import { multiaddr } from '@multiformats/multiaddr'
import { sleep } from './sleep.js'
import { InvalidRunOptionError } from '@tessera/coordinator'
import type { Scenario, ScenarioNode } from './scenario.js'

/** Shard id of a node's own background work. */
const BACKGROUND_SHARD = 'background-load'
/** Target duration of one background execute, ms. */
const BACKGROUND_CALL_MS = 100
/** Longest wait for a relayed node's reservation. */
const RESERVATION_TIMEOUT_MS = 15_000

/** Options of {@link startLocalNetwork}. */
export interface LocalNetworkInit {
  /** Metrics push period of every node, ms (default 1000). */
  metricsIntervalMs?: number
  /** Extra options for every node (tests shorten timers). */
  nodeInit?: Partial<TesseraNodeInit>
  /** Called as start-up phases finish (for progress messages). */
  onPhase?: (phase: string) => void
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

async function keyFor (seed: string, id: string): Promise<PrivateKey> {
  const bytes = createHash('sha256').update(`${seed}/node-key/${id}`, 'utf8').digest()
  return await generateKeyPairFromSeed('Ed25519', new Uint8Array(bytes))
}

function nodeOptions (n: ScenarioNode, metricsIntervalMs: number, extra: Partial<TesseraNodeInit>): TesseraNodeInit {
  return {
    network: 'local',
    device: createDeviceProfile(n.preset as PresetName, { rows: n.geometry, cols: n.geometry }),
    tiles: n.tiles,
    emulatedMacsPerSecond: n.macsPerSecond,
    // The emulated rate is the node's speed: a start-up benchmark on shared cores would only add noise to it.
    calibrate: false,
    metricsIntervalMs,
    ...extra
  }
}

/**
 * Background load: another user's work on a node, sent over the shard protocol by a client node of its own so
 * the node sees (and gossips) it like any other load. The loader keeps the node busy `load` of the time.
 */
async function startBackgroundLoad (client: TesseraNode, node: TesseraNode, n: ScenarioNode, seed: string, stopped: () => boolean): Promise<{ loop: Promise<void> }> {
  const load = n.backgroundLoad ?? 0
  if (!(load > 0)) return { loop: Promise.resolve() }
  const g = n.geometry
  const rng = createRng(`${seed}/background/${n.id}`)
  const weights = new Float32Array(g * g)
  for (let i = 0; i < weights.length; i++) weights[i] = rng.nextFloat() * 2 - 1
  const shards = client.shardClient(node.peerId)
  await shards.program({ shardId: BACKGROUND_SHARD, weights, rows: g, cols: g, seed: `${seed}/background/${n.id}` })
  const batch = Math.max(1, Math.round((BACKGROUND_CALL_MS / 1000) * n.macsPerSecond / (g * g)))
  const x = new Float32Array(batch * g)
  for (let i = 0; i < x.length; i++) x[i] = rng.nextFloat()
  const loop = (async () => {
    while (!stopped()) {
      const start = performance.now()
      let reply
      try {
        reply = await shards.execute({ shardId: BACKGROUND_SHARD, input: x, batch })
      } catch {
        if (stopped()) return
        await sleep(BACKGROUND_CALL_MS) // the node left or is stopping; try again later
        continue
      }
      // Busy `load` of the device's time: one call's device time per deviceMs ÷ load, whatever the overhead.
      const deviceMs = reply.deviceTimeNs / 1e6
      await sleep(deviceMs / load - (performance.now() - start))
    }
  })()
  return { loop }
}

async function waitForReservation (id: string, node: TesseraNode, deadlineMs: number): Promise<void> {
  while (!node.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit'))) {
    if (Date.now() > deadlineMs) throw new Error(`node ${id} got no relay reservation within ${RESERVATION_TIMEOUT_MS} ms`)
    await sleep(50)
  }
}

/** Starts a scenario's network. Stop it with `stop()` (also on failure, everything started is stopped). */
export async function startLocalNetwork (scenario: Scenario, init: LocalNetworkInit = {}): Promise<LocalNetwork> {
  const metricsIntervalMs = init.metricsIntervalMs ?? 1000
  const extra = init.nodeInit ?? {}
  const timing = init.onPhase
  const nodes = new Map<string, TesseraNode>()
  const started: TesseraNode[] = []
  let stopped = false
  const loops: Array<Promise<void>> = []
  const stopEverything = async (): Promise<void> => {
    stopped = true
    await Promise.allSettled(loops)
    await Promise.allSettled(started.map(async (n) => { await n.stop() }))
  }
  try {
    const initial = scenario.nodes.filter((n) => n.standby !== true)
    const first = initial.find((n) => n.relay === true) ?? initial[0]
    const firstNode = await createTesseraNode({ ...nodeOptions(first, metricsIntervalMs, extra), privateKey: await keyFor(scenario.seed, first.id), relayServer: first.relay === true })
    started.push(firstNode)
    nodes.set(first.id, firstNode)
    const bootstrap = [firstNode.getMultiaddrs()[0].toString()]
    const startMember = async (n: ScenarioNode): Promise<TesseraNode> => {
      const node = await createTesseraNode({
        ...nodeOptions(n, metricsIntervalMs, extra),
        privateKey: await keyFor(scenario.seed, n.id),
        bootstrap,
        ...(n.relayed === true ? { listen: [`${bootstrap[0]}/p2p-circuit`], dhtClientMode: true } : {})
      })
      started.push(node)
      nodes.set(n.id, node)
      return node
    }
    await Promise.all(initial.filter((n) => n !== first).map(startMember))
    // Standby nodes start now, unconnected (no bootstrap: nobody knows them), so that joining mid-run costs what a
    // volunteer's join costs the network — a dial and a record — and not this shared host's process start-up.
    const standby = new Map<string, TesseraNode>()
    await Promise.all(scenario.nodes.filter((n) => n.standby === true).map(async (n) => {
      const node = await createTesseraNode({ ...nodeOptions(n, metricsIntervalMs, extra), privateKey: await keyFor(scenario.seed, n.id) })
      started.push(node)
      standby.set(n.id, node)
    }))
    timing?.('nodes started')
    const coordinatorNode = await createTesseraNode({ network: 'local', serve: false, privateKey: await keyFor(scenario.seed, 'coordinator'), bootstrap, ...extra })
    started.push(coordinatorNode)

    // Relayed nodes publish relay addresses only once their reservation is up.
    const deadline = Date.now() + RESERVATION_TIMEOUT_MS
    for (const n of initial.filter((s) => s.relayed === true)) await waitForReservation(n.id, nodes.get(n.id) as TesseraNode, deadline)
    timing?.('reservations up')
    let backgroundClient: Promise<TesseraNode> | undefined
    const startBackground = async (n: ScenarioNode): Promise<void> => {
      if (!((n.backgroundLoad ?? 0) > 0)) return
      backgroundClient ??= (async () => {
        const client = await createTesseraNode({ network: 'local', serve: false, privateKey: await keyFor(scenario.seed, 'background-client'), bootstrap, ...extra })
        started.push(client)
        return client
      })()
      loops.push((await startBackgroundLoad(await backgroundClient, nodes.get(n.id) as TesseraNode, n, scenario.seed, () => stopped)).loop)
    }
    await Promise.all(initial.map(startBackground))
    // Fresh records: tiles taken by background work, relay addresses.
    // Every node publishes again now that all are connected (a record put while a node's routing table was
    // still empty reached nobody), with its current snapshot (tiles taken by background work, relay addresses).
    // publishCapacity joins a publication already in flight, possibly of an older snapshot, hence twice.
    await Promise.all([...nodes.values()].map(async (node) => {
      await node.publishCapacity()
      await node.publishCapacity()
    }))

    timing?.('records published')
    const idByPeer = new Map<string, string>()
    const delayByPeerId: Record<string, number> = {}
    const register = (n: ScenarioNode): string => {
      const peerId = (nodes.get(n.id) as TesseraNode).peerId.toString()
      idByPeer.set(peerId, n.id)
      delayByPeerId[peerId] = n.delayMs
      return peerId
    }
    for (const n of initial) register(n)
    const nodeOf = (id: string): TesseraNode => {
      const node = nodes.get(id)
      if (node === undefined) throw new InvalidRunOptionError(`scenario node ${JSON.stringify(id)} is not running`)
      return node
    }
    return {
      scenario,
      nodes,
      coordinatorNode,
      nodeIdOf: (peerId) => idByPeer.get(peerId),
      delayByPeerId,
      stopNode: async (id) => { await nodes.get(id)?.stop() },
      startNode: async (id) => {
        const n = scenario.nodes.find((x) => x.id === id)
        const node = standby.get(id)
        if (n?.standby !== true || node === undefined) throw new InvalidRunOptionError(`scenario node ${JSON.stringify(id)} is not a standby node`)
        if (nodes.has(id)) throw new InvalidRunOptionError(`scenario node ${JSON.stringify(id)} already joined`)
        await node.libp2p.dial(multiaddr(bootstrap[0]))
        nodes.set(id, node)
        await startBackground(n)
        const peerId = register(n)
        // As at start: the first put may go out before the node's routing table has filled.
        await node.publishCapacity()
        await node.publishCapacity()
        return peerId
      },
      setSpeed: async (id, macsPerSecond) => {
        const executor = nodeOf(id).executor
        if (executor === undefined) throw new InvalidRunOptionError(`scenario node ${JSON.stringify(id)} has no executor`)
        await executor.setEmulatedMacsPerSecond(macsPerSecond)
      },
      stop: stopEverything
    }
  } catch (err) {
    await stopEverything()
    throw err
  }
}
