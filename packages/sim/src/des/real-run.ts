/**
 * A saved loopback run to validate against: the JSON report `tessera sim --scenario <name>` writes to
 * `<out>/<name>.json` (default reports/sim): its policy rows, and the nodes each timeline event hit per policy.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SimPolicyRow } from '../sim-row.js'
import { RealRunUnreadableError } from './errors.js'

/** What validation reads from a saved loopback run. */
export interface RealRun {
  scenario: string
  seed: string
  rows: Map<string, SimPolicyRow>
  /** Per policy, the nodes each timeline event hit, in timeline order. */
  timelineNodes: Map<string, string[][]>
  path: string
}

/** Reads `<dir>/<scenario>.json`; throws {@link RealRunUnreadableError} when it is missing or not such a report. */
export function readRealRun (dir: string, scenario: string): RealRun {
  const path = join(dir, `${scenario}.json`)
  let doc: { scenario?: unknown, seed?: unknown, policies?: unknown, events?: Record<string, { scenario?: Array<{ nodes?: string[] }> }> }
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
  return { scenario, seed: doc.seed, rows, timelineNodes, path }
}
