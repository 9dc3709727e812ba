/**
 * A saved loopback run to validate against: the JSON report `tessera sim --scenario <name>` writes to
 * `<out>/<name>.json` (default reports/sim): its policy rows, the nodes each timeline event hit per policy, and
 * per policy the placement it ran on, when its nodes' record publications finished and how busy its event loop
 * was (reports written before these were saved have none).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SimPolicyRow } from '../sim-row.js'
import type { LoopUse } from '../loop-meter.js'
import type { RealPlacement } from './replay.js'
import { RealRunUnreadableError } from './errors.js'

/** What validation reads from a saved loopback run. */
export interface RealRun {
  scenario: string
  seed: string
  rows: Map<string, SimPolicyRow>
  /** Per policy, the nodes each timeline event hit, in timeline order. */
  timelineNodes: Map<string, string[][]>
  /** Per policy, the nodes in the order its coordinator listed them and each shard's copies after programming. */
  placements: Map<string, RealPlacement>
  /** Per policy, when the nodes' record publications finished, ms after the stream's start. */
  publications: Map<string, number[]>
  /** Per policy, the shared event loop's busy and CPU time over the stream (loop-meter.ts). */
  eventLoops: Map<string, LoopUse>
  path: string
}

/** The `placement` entry of a saved run, as written by `tessera sim`. */
interface SavedPlacement {
  peers?: unknown
  copies?: Record<string, unknown>
  replacements?: Record<string, unknown>
}

function isStringList (value: unknown): value is string[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'string')
}

/** A saved placement, or undefined when it is missing or not of that shape. */
function placementOf (saved: SavedPlacement | undefined): RealPlacement | undefined {
  if (saved === undefined || !isStringList(saved.peers) || typeof saved.copies !== 'object' || saved.copies === null) return undefined
  const copies = new Map<string, string[]>()
  for (const [shardId, nodes] of Object.entries(saved.copies)) {
    if (!isStringList(nodes)) return undefined
    copies.set(shardId, nodes)
  }
  const replacements = new Map<string, string[]>()
  for (const [shardId, nodes] of Object.entries(saved.replacements ?? {})) if (isStringList(nodes)) replacements.set(shardId, nodes)
  return { peers: saved.peers, copies, replacements }
}

/** Reads `<dir>/<scenario>.json`; throws {@link RealRunUnreadableError} when it is missing or not such a report. */
export function readRealRun (dir: string, scenario: string): RealRun {
  const path = join(dir, `${scenario}.json`)
  let doc: { scenario?: unknown, seed?: unknown, policies?: unknown, events?: Record<string, { scenario?: Array<{ nodes?: string[] }> }>, placement?: Record<string, SavedPlacement>, publications?: Record<string, unknown>, eventLoop?: Record<string, { activeMs?: unknown, cpuMs?: unknown }> }
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new RealRunUnreadableError(`cannot read the loopback run ${path} (run \`npm run sim -- --scenario ${scenario}\` first): ${(err as Error).message}`, { cause: err })
  }
  if (doc.scenario !== scenario || typeof doc.seed !== 'string' || !Array.isArray(doc.policies)) throw new RealRunUnreadableError(`${path} is not a \`tessera sim\` report of ${scenario}`)
  const rows = new Map<string, SimPolicyRow>()
  for (const r of doc.policies as SimPolicyRow[]) if (typeof r?.policy === 'string') rows.set(r.policy, r)
  const timelineNodes = new Map<string, string[][]>()
  for (const [policy, e] of Object.entries(doc.events ?? {})) timelineNodes.set(policy, (e.scenario ?? []).map((f) => Array.isArray(f.nodes) ? f.nodes : []))
  const placements = new Map<string, RealPlacement>()
  for (const [policy, saved] of Object.entries(doc.placement ?? {})) {
    const placement = placementOf(saved)
    if (placement !== undefined) placements.set(policy, placement)
  }
  const publications = new Map<string, number[]>()
  for (const [policy, times] of Object.entries(doc.publications ?? {})) {
    if (Array.isArray(times) && times.every((t) => Number.isFinite(t))) publications.set(policy, times as number[])
  }
  const eventLoops = new Map<string, LoopUse>()
  for (const [policy, use] of Object.entries(doc.eventLoop ?? {})) {
    if (typeof use?.activeMs === 'number' && typeof use.cpuMs === 'number' && use.cpuMs > 0) eventLoops.set(policy, { activeMs: use.activeMs, cpuMs: use.cpuMs })
  }
  return { scenario, seed: doc.seed, rows, timelineNodes, placements, publications, eventLoops, path }
}
