/**
 * Scenarios, declared as data (JSON files in `simulations/scenarios/`): the nodes of a loopback network with
 * their device preset, tile count and geometry, emulated compute rate, background load, emulated network delay
 * and whether they are reachable only through a relay; plus the workload's defaults.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PRESET_NAMES } from '@tessera/crossbar'
import { InvalidRunOptionError } from './errors.js'

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
}

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
}

function fail (why: string): never {
  throw new InvalidRunOptionError(`scenario: ${why}`)
}

/** Checks a parsed scenario; throws {@link InvalidRunOptionError} naming the first problem. */
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
  return s
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
    fail(`cannot read ${path}: ${(err as Error).message}`)
  }
  return validateScenario(parsed)
}
