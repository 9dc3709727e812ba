/**
 * Scenarios, declared as data (JSON files in `simulations/scenarios/`): the nodes of a loopback network with
 * their device preset, tile count and geometry, emulated compute rate, background load, emulated network delay
 * and whether they are reachable only through a relay; plus the workload's defaults.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PRESET_NAMES } from '@tessera/crossbar'
import { InvalidScenarioError } from './errors.js'

/** One node of a scenario. */
export interface ScenarioNode {
  /** Name in reports (`n1`, `relay`, …). */
  id: string
  /** Device preset (`ideal`, `pcm`, `rram-4bit`, `rram-hifi`). */
  preset: string
  /** Square tile size: 128, 256 or 512. */
  geometry: number
  tiles: number
  /** Emulated compute rate cap, MAC/s (a slower volunteer host). */
  macsPerSecond: number
  /** Emulated one-way network delay between the coordinator and this node, ms (loopback has none). */
  delayMs: number
  /** Fraction 0 … 1 of the time the node's tile pool is busy with work of its own (default 0). */
  backgroundLoad?: number
  /** Reachable only through the relay (listens on `/p2p-circuit` only, DHT client). */
  relayed?: boolean
  /** Serves as the network's bootstrap node and circuit relay (exactly one node). */
  relay?: boolean
  /** Not started with the network: a `join` event of the timeline starts it (a volunteer arriving mid-run). */
  standby?: boolean
}

/**
 * Which nodes an event hits: named ones, or the `busiest` n — the nodes that served the most shard calls of the
 * run so far (the relay excluded), so every policy is hit where its placement put the work.
 */
export type NodeSelector = string[] | { busiest: number }

/** Something that happens at a set time of a simulation run. */
export type ScenarioEvent =
  /** The nodes' compute rate drops to 1/`factor`. */
  | { atMs: number, kind: 'slowdown', nodes: NodeSelector, factor: number }
  /** The nodes stop (their shards are lost). */
  | { atMs: number, kind: 'leave', nodes: NodeSelector }
  /** Standby nodes start and publish their records. */
  | { atMs: number, kind: 'join', nodes: string[] }
  /**
   * One layer's load grows `factor`-fold: requests that need only that layer arrive at (factor − 1) × the job's
   * rate (closed loop: (factor − 1) × batchesInFlight more lanes through that layer).
   */
  | { atMs: number, kind: 'hotspot', layer: string, factor: number }

/** A scenario. */
export interface Scenario {
  name: string
  description: string
  seed: string
  requests: number
  batchSize: number
  batchesInFlight: number
  /** Copies per shard for the policies that replicate (default 1). */
  replicas?: number
  nodes: ScenarioNode[]
  /** Simulations: how long each policy streams requests, ms (`requests` then only caps them). */
  durationMs?: number
  /**
   * Simulations: requests arrive at this rate, requests/s (open loop; `batchesInFlight` caps the batches running
   * at once). Without it the stream is closed-loop: `batchesInFlight` batches always in flight.
   */
  arrivalRps?: number
  /** Simulations: what happens when, ms after the first batch. */
  timeline?: ScenarioEvent[]
}

function fail (why: string, cause?: unknown): never {
  throw new InvalidScenarioError(`scenario: ${why}`, cause === undefined ? undefined : { cause })
}

/** Checks a parsed scenario; throws {@link InvalidScenarioError} naming the first problem. */
export function validateScenario (value: unknown): Scenario {
  const s = value as Scenario
  if (typeof s !== 'object' || s === null) fail('not an object')
  if (typeof s.name !== 'string' || s.name === '') fail('name must be a non-empty string')
  if (typeof s.seed !== 'string' || s.seed === '') fail('seed must be a non-empty string')
  if (typeof s.description !== 'string') fail('description must be a string')
  for (const key of ['requests', 'batchSize', 'batchesInFlight'] as const) {
    if (!(Number.isSafeInteger(s[key]) && s[key] > 0)) fail(`${key} must be a positive integer`)
  }
  if (s.replicas !== undefined && !(Number.isSafeInteger(s.replicas) && s.replicas > 0)) fail('replicas must be a positive integer')
  if (!Array.isArray(s.nodes) || s.nodes.length < 1) fail('nodes must be a non-empty list')
  const ids = new Set<string>()
  let relays = 0
  for (const n of s.nodes) {
    if (typeof n.id !== 'string' || n.id === '' || ids.has(n.id)) fail(`node ids must be unique non-empty strings (${String(n.id)})`)
    ids.add(n.id)
    if (!(PRESET_NAMES as readonly string[]).includes(n.preset)) fail(`node ${n.id}: unknown preset ${String(n.preset)}`)
    if (!(Number.isSafeInteger(n.geometry) && n.geometry > 0)) fail(`node ${n.id}: geometry must be a positive integer`)
    if (!(Number.isSafeInteger(n.tiles) && n.tiles > 0)) fail(`node ${n.id}: tiles must be a positive integer`)
    if (!(Number.isFinite(n.macsPerSecond) && n.macsPerSecond > 0)) fail(`node ${n.id}: macsPerSecond must be positive`)
    if (!(Number.isFinite(n.delayMs) && n.delayMs >= 0)) fail(`node ${n.id}: delayMs must be non-negative`)
    if (n.backgroundLoad !== undefined && !(n.backgroundLoad >= 0 && n.backgroundLoad < 1)) fail(`node ${n.id}: backgroundLoad must be in [0, 1)`)
    if (n.relay === true) relays++
    if (n.relay === true && n.relayed === true) fail(`node ${n.id} cannot be the relay and relayed`)
  }
  if (relays > 1) fail('at most one node can be the relay')
  if (s.nodes.every((n) => n.standby === true)) fail('at least one node must start with the network')
  for (const n of s.nodes) {
    if (n.standby === true && n.relay === true) fail(`node ${n.id}: the relay cannot be on standby`)
    // A relayed node connects to the relay as it starts (its reservation): it could not wait unseen.
    if (n.standby === true && n.relayed === true) fail(`node ${n.id}: a relayed node cannot be on standby`)
  }
  if (s.durationMs !== undefined && !(Number.isSafeInteger(s.durationMs) && s.durationMs > 0)) fail('durationMs must be a positive integer')
  if (s.arrivalRps !== undefined && !(Number.isFinite(s.arrivalRps) && s.arrivalRps > 0)) fail('arrivalRps must be a positive number')
  if (s.timeline !== undefined) validateTimeline(s)
  return s
}

function validateSelector (s: Scenario, selector: NodeSelector, what: string): void {
  if (Array.isArray(selector)) {
    if (selector.length === 0) fail(`${what}: nodes must not be empty`)
    for (const id of selector) {
      const node = s.nodes.find((n) => n.id === id)
      if (node === undefined) fail(`${what}: unknown node ${JSON.stringify(id)}`)
      if (node.relay === true) fail(`${what}: the relay node cannot be hit (it is the network's bootstrap)`)
    }
    return
  }
  const n = (selector as { busiest?: unknown })?.busiest
  if (!(typeof n === 'number' && Number.isSafeInteger(n) && n > 0)) fail(`${what}: nodes must be a list of node ids or { "busiest": n }`)
}

function validateTimeline (s: Scenario): void {
  if (!Array.isArray(s.timeline)) fail('timeline must be a list')
  const joined = new Set<string>()
  for (const [i, e] of s.timeline.entries()) {
    const what = `timeline[${i}]`
    if (typeof e !== 'object' || e === null) fail(`${what}: not an object`)
    if (!(Number.isFinite(e.atMs) && e.atMs >= 0)) fail(`${what}: atMs must be a non-negative number`)
    if (s.durationMs !== undefined && e.atMs >= s.durationMs) fail(`${what}: atMs ${e.atMs} is not before durationMs ${s.durationMs}`)
    switch (e.kind) {
      case 'slowdown':
        validateSelector(s, e.nodes, what)
        if (!(Number.isFinite(e.factor) && e.factor > 0)) fail(`${what}: factor must be a positive number`)
        break
      case 'leave':
        validateSelector(s, e.nodes, what)
        break
      case 'join':
        if (!Array.isArray(e.nodes) || e.nodes.length === 0) fail(`${what}: nodes must be a non-empty list of standby node ids`)
        for (const id of e.nodes) {
          if (s.nodes.find((n) => n.id === id)?.standby !== true) fail(`${what}: ${JSON.stringify(id)} is not a standby node`)
          if (joined.has(id)) fail(`${what}: ${JSON.stringify(id)} joins twice`)
          joined.add(id)
        }
        break
      case 'hotspot':
        if (typeof e.layer !== 'string' || e.layer === '') fail(`${what}: layer must be a layer id`)
        if (!(Number.isFinite(e.factor) && e.factor >= 1)) fail(`${what}: factor must be at least 1`)
        break
      default: fail(`${what}: unknown kind ${JSON.stringify((e as { kind?: unknown }).kind)} (slowdown, leave, join, hotspot)`)
    }
  }
}

/** Overrides of a scenario's defaults (the demo's flags). */
export interface ScenarioOverrides {
  seed?: string
  requests?: number
  /** Use this many nodes: the first ones of the list, or the list repeated (ids suffixed) when more. */
  nodes?: number
}

/** Applies overrides; the relay node (if any) is always kept first so relayed nodes still have their relay. */
export function applyOverrides (scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  let nodes = scenario.nodes
  if (overrides.nodes !== undefined) {
    if (!(Number.isSafeInteger(overrides.nodes) && overrides.nodes > 0)) fail('nodes must be a positive integer')
    const relay = scenario.nodes.filter((n) => n.relay === true)
    const others = scenario.nodes.filter((n) => n.relay !== true)
    const wanted = overrides.nodes - relay.length
    const picked: ScenarioNode[] = []
    for (let i = 0; i < Math.max(0, wanted); i++) {
      const base = others[i % others.length]
      picked.push(i < others.length ? base : { ...base, id: `${base.id}-${Math.floor(i / others.length)}` })
    }
    nodes = [...relay, ...picked]
    if (nodes.length === 0) fail('no nodes left')
    if (relay.length === 0) nodes = nodes.map((n) => ({ ...n, relayed: false }))
  }
  return validateScenario({ ...scenario, seed: overrides.seed ?? scenario.seed, requests: overrides.requests ?? scenario.requests, nodes })
}

/** Where the repository's `simulations/scenarios` folder is, looking up from this file and the working dir. */
export function scenariosDir (): string | undefined {
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()]
  for (const start of starts) {
    let dir = start
    for (let i = 0; i < 8; i++) {
      const candidate = join(dir, 'simulations', 'scenarios')
      if (existsSync(candidate)) return candidate
      const up = dirname(dir)
      if (up === dir) break
      dir = up
    }
  }
  return undefined
}

/** Loads a scenario by name (`default` → simulations/scenarios/default.json) or by path to a JSON file. */
export function loadScenario (nameOrPath: string): Scenario {
  let path: string
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/') || isAbsolute(nameOrPath)) {
    path = resolve(nameOrPath)
  } else {
    const dir = scenariosDir()
    if (dir === undefined) fail(`cannot find the simulations/scenarios folder for ${JSON.stringify(nameOrPath)}; pass a path`)
    path = join(dir, `${nameOrPath}.json`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    fail(`cannot read ${path}: ${(err as Error).message}`, err)
  }
  return validateScenario(parsed)
}
