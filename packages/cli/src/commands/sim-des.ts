/**
 * `tessera sim --engine des`: the discrete-event simulator (packages/sim/src/des).
 *
 * - `--scenario <name>`: every policy through the scenario on modelled peers; prints the loopback command's JSON
 *   document (`{ scenario, seed, policies }`, the same row shape).
 * - `--scale`: validation — the loopback scenarios slowdown, churn and steady on the simulator beside the saved
 *   loopback runs `npm run sim -- --scenario X` wrote to `--real-dir` (it does not run them: they take minutes
 *   each) — and the scale runs of simulations/des/scale.json (1,000 and 10,000 peers for a simulated hour),
 *   with discovery's DHT messages per round against N; prints `{ des: { calibration, validation, scale } }` and
 *   writes an HTML page.
 *
 * The loopback network model is calibrated on this machine once (real nodes in this process: the stack under a
 * scenario's load, programming, record publications, the event loop's work per call; see calibration.ts) and saved to
 * `<out>/des-calibration.json`, so later runs with the same seed give the same result (`--recalibrate` measures
 * again).
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderTerminalTable, roundTo, writeReportPage } from '@tessera/report'
import type { ReportSection, ReportTable } from '@tessera/report'
import { loadMnistWorkload } from '@tessera/coordinator'
import {
  applyOverrides, desRowOf, discoveryCostAt, loadScaleSpec, loadScenario, loopbackNetwork, measureLoopbackStack, readRealRun,
  runDesPolicy, runScale, scenarioPeerIds, validateAgainstReal, wideAreaNetwork
} from '@tessera/sim'
import type { LoopbackCalibration, RoundCost, ScalePolicyRow, ScaleSpec, SimPolicyRow, ValidationRow } from '@tessera/sim'
import type { PolicyComparisonOptions } from './comparison-options.js'

/** Scenarios the validation compares (the loopback scenarios with a timeline and the steady reference). */
export const VALIDATION_SCENARIOS = ['slowdown', 'churn', 'steady'] as const

/** Options of the DES branch of `tessera sim`: the comparison's and the DES's own. */
export interface SimDesOptions extends PolicyComparisonOptions {
  scale: boolean
  realDir: string
  scaleSpec: string
  scalePeers?: number[]
  scaleSeconds?: number
  recalibrate: boolean
}

/** One network size of the scale runs. */
export interface ScaleJsonRow {
  peers: number
  simulatedSeconds: number
  /** Wall time of the slowest policy's run, s (each policy is one run). */
  wallSeconds: number
  /** Events of all policies' runs ÷ their wall time. */
  eventsPerSecond: number
  policies: Array<ScalePolicyRow & { wallSeconds: number, cpuSeconds: number, events: number, departures: number, endedAtSeconds: number }>
  discovery: { readEveryProvider: RoundCost, bucketedFirst: RoundCost, bucketedIncremental: RoundCost }
}

/** The `--scale --json` document. */
export interface SimDesJson {
  des: { calibration: LoopbackCalibration, validation: ValidationRow[], scale: ScaleJsonRow[] }
}

async function calibration (opts: SimDesOptions, say: (line: string) => void): Promise<LoopbackCalibration> {
  const path = join(opts.out, 'des-calibration.json')
  if (!opts.recalibrate && existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as LoopbackCalibration
  say('calibrating the loopback network model: ten real nodes under a scenario\'s load, programming per preset, the steady scenario\'s record publications and event-loop work per call (~3 min)')
  const scenario = loadScenario('steady')
  const c = await measureLoopbackStack({ scenario, workload: await loadMnistWorkload({ cacheDir: opts.cacheDir, seed: scenario.seed }) })
  await mkdir(opts.out, { recursive: true })
  await writeFile(path, `${JSON.stringify(c, null, 2)}\n`)
  return c
}

/** Runs the DES branch. */
export async function runSimDes (opts: SimDesOptions): Promise<void> {
  const say = (line: string): void => { if (opts.progress && !opts.json) process.stderr.write(`${line}\n`) }
  const cal = await calibration(opts, say)
  say(`loopback model: ${cal.callOverheadMs.toFixed(2)} ms stack cost per call, ping ${cal.pingRttMs} ms`)
  if (opts.scale) {
    await runScaleReport(opts, cal, say)
    return
  }
  const scenario = applyOverrides(loadScenario(opts.scenario), { seed: opts.seed })
  const workload = await loadMnistWorkload({ cacheDir: opts.cacheDir, seed: scenario.seed })
  const peerIds = await scenarioPeerIds(scenario)
  const rows: SimPolicyRow[] = []
  for (const policy of opts.policies) {
    const run = runDesPolicy({ scenario, policy, network: loopbackNetwork(cal, undefined, policy), peerIds, workload })
    rows.push(desRowOf(run))
    say(`${policy}: ${run.eventsProcessed} events, ${run.invariantChecks} invariant checks`)
  }
  const doc = { scenario: scenario.name, seed: scenario.seed, policies: rows }
  if (opts.json) process.stdout.write(`${JSON.stringify(doc)}\n`)
  else process.stdout.write(`${renderTerminalTable(policyTable(rows))}\n`)
}

function policyTable (rows: SimPolicyRow[]): ReportTable {
  return {
    columns: ['policy', 'throughput (req/s)', 'latency p95 (ms)', 'lost', 'duplicated', 'recovery (ms)', 'migrations'],
    rows: rows.map((r) => [r.policy, r.throughputRps.toFixed(1), r.latencyP95Ms.toFixed(1), r.requestsLost, r.requestsDuplicated, r.recoveryMs ?? '—', r.migrations])
  }
}

async function runValidation (opts: SimDesOptions, cal: LoopbackCalibration, say: (line: string) => void): Promise<{ rows: ValidationRow[], missing: string[] }> {
  const rows: ValidationRow[] = []
  const missing: string[] = []
  for (const name of VALIDATION_SCENARIOS) {
    let real
    try {
      real = readRealRun(opts.realDir, name)
    } catch (err) {
      missing.push((err as Error).message)
      continue
    }
    const scenario = applyOverrides(loadScenario(name), { seed: real.seed })
    const workload = await loadMnistWorkload({ cacheDir: opts.cacheDir, seed: scenario.seed })
    const policies = opts.policies.filter((p) => real.rows.has(p))
    say(`validation: ${name} (${policies.join(', ')}) against ${real.path}`)
    rows.push(...(await validateAgainstReal({ scenario, real, policies, calibration: cal, workload })).rows)
  }
  return { rows, missing }
}

async function runScaleReport (opts: SimDesOptions, cal: LoopbackCalibration, say: (line: string) => void): Promise<void> {
  const { rows: validation, missing } = await runValidation(opts, cal, say)
  const loaded = loadScaleSpec(opts.scaleSpec)
  const spec: ScaleSpec = { ...loaded, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.scalePeers !== undefined ? { peers: opts.scalePeers } : {}), ...(opts.scaleSeconds !== undefined ? { simulatedSeconds: opts.scaleSeconds } : {}) }
  // Off loopback: the scheduler's stated wide-area figures, and this machine's measured stack cost per call.
  const network = wideAreaNetwork({ requestOverheadMs: cal.callOverheadMs / 2, replyOverheadMs: cal.callOverheadMs / 2, pingRttMs: cal.pingRttMs })
  const scale: ScaleJsonRow[] = []
  for (const peers of spec.peers) {
    const policies: ScaleJsonRow['policies'] = []
    let events = 0
    let wall = 0
    for (const policy of opts.policies) {
      say(`scale: ${peers} peers, ${policy}, ${spec.simulatedSeconds} simulated s`)
      const r = runScale(spec, peers, policy, network)
      policies.push({ ...roundRow(r.row), wallSeconds: roundTo(r.wallSeconds, 2), cpuSeconds: roundTo(r.cpuSeconds, 2), events: r.events, departures: r.departures, endedAtSeconds: roundTo(r.endedAtMs / 1000, 1) })
      events += r.events
      wall += r.wallSeconds
      say(`  ${roundTo(r.wallSeconds, 1)} s wall (${roundTo(r.cpuSeconds, 1)} s CPU), ${Math.round(r.eventsPerSecond)} events/s, ${r.row.throughputRps.toFixed(1)} req/s, p95 ${r.row.latencyP95Ms.toFixed(1)} ms`)
    }
    const cost = discoveryCostAt(spec, peers)
    scale.push({ peers, simulatedSeconds: spec.simulatedSeconds, wallSeconds: roundTo(Math.max(...policies.map((p) => p.wallSeconds)), 2), eventsPerSecond: Math.round(events / Math.max(wall, 1e-9)), policies, discovery: { readEveryProvider: cost.readEveryProvider, bucketedFirst: cost.bucketedFirst, bucketedIncremental: cost.bucketedIncremental } })
  }
  const doc: SimDesJson = { des: { calibration: cal, validation, scale } }
  await mkdir(opts.out, { recursive: true })
  await writeFile(join(opts.out, 'des-scale.json'), `${JSON.stringify({ ...doc, missingRealRuns: missing }, null, 2)}\n`)
  const discoveryCurve = [100, 300, 1000, 3000, 10000].map((n) => discoveryCostAt(spec, n))
  const page = await writeReportPage(opts.out, {
    title: 'tessera sim --engine des --scale',
    subtitle: `tessera sim --engine des --scale --policies ${opts.policies.join(',')} (seed ${spec.seed})`,
    sections: scaleSections(spec, cal, validation, missing, scale, discoveryCurve)
  }, 'des-scale.html')
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc)}\n`)
    return
  }
  process.stdout.write(`${renderTerminalTable(validationTable(validation))}\n\n`)
  process.stdout.write(`${renderTerminalTable(scaleTable(scale))}\n`)
  process.stdout.write(`\nreport: ${page}\n`)
}

function roundRow (r: ScalePolicyRow): ScalePolicyRow {
  return { ...r, throughputRps: roundTo(r.throughputRps, 2), latencyP95Ms: roundTo(r.latencyP95Ms, 2), memoryUtilisation: roundTo(r.memoryUtilisation, 4), resourceUtilisation: roundTo(r.resourceUtilisation, 4), dhtMessagesPerRound: roundTo(r.dhtMessagesPerRound, 1) }
}

/** What the validation's network model was calibrated from, in words. */
function calibrationText (cal: LoopbackCalibration): string {
  const loop = cal.loopCpuPerCallMsByPolicy === undefined
    ? `${cal.callOverheadMs.toFixed(2)} ms stack cost per call (median of ${cal.calls} executes under a scenario's load; each call draws from their distribution)`
    : `the harness's event loop a server of ${Object.entries(cal.loopCpuPerCallMsByPolicy).map(([p, ms]) => `${ms.toFixed(2)} ms CPU per call (${p})`).join(', ')} and ${(cal.publicationCpuMs ?? 0).toFixed(0)} ms per record publication, stretched as much as each real run's loop was (busy ÷ CPU time)`
  return `Network model calibrated on this machine: ${loop}, ping ${cal.pingRttMs} ms; each call group's cost measured by executing it on the real MNIST inputs. Each real run's placement, discovery order, re-placements and publications are replayed.`
}

const mark = (ok: boolean | null): string => ok === null ? '—' : ok ? 'yes' : 'no'

function validationTable (rows: ValidationRow[]): ReportTable {
  return {
    columns: ['scenario', 'policy', 'real req/s', 'DES req/s', 'real p95 (ms)', 'DES p95 (ms)', 'real recovery (ms)', 'DES recovery (ms)', '±10% req/s', '±10% p95', '±1 s recovery'],
    rows: rows.map((r) => [r.scenario, r.policy, r.realRps ?? '—', r.desRps, r.realP95Ms ?? '—', r.desP95Ms, r.realRecoveryMs ?? '—', r.desRecoveryMs ?? '—', mark(r.withinGoals.throughput), mark(r.withinGoals.p95), mark(r.withinGoals.recovery)])
  }
}

function scaleTable (rows: ScaleJsonRow[]): ReportTable {
  return {
    columns: ['peers', 'policy', 'jobs', 'req/s', 'p95 (ms)', 'lost', 'memory util.', 'resource util.', 're-placements', 'migrations', 'discovery rounds', 'DHT msgs/round', 'departures', 'ended (s)', 'wall (s)', 'CPU (s)'],
    rows: rows.flatMap((s) => s.policies.map((p) => [s.peers, p.policy, p.jobs, p.throughputRps.toFixed(1), p.latencyP95Ms.toFixed(1), p.requestsLost, p.memoryUtilisation.toFixed(3), p.resourceUtilisation.toFixed(3), p.replacements, p.migrations, p.discoveryRounds, p.dhtMessagesPerRound.toFixed(1), p.departures, p.endedAtSeconds.toFixed(0), p.wallSeconds.toFixed(1), p.cpuSeconds.toFixed(1)]))
  }
}

function scaleSections (spec: ScaleSpec, cal: LoopbackCalibration, validation: ValidationRow[], missing: string[], scale: ScaleJsonRow[], curve: Array<ReturnType<typeof discoveryCostAt>>): ReportSection[] {
  return [
    {
      heading: 'Validation: loopback runs beside the simulator',
      text: [
        'Each row: a saved loopback run (`npm run sim -- --scenario X`, real nodes on 127.0.0.1) and the simulator on the same scenario, the same policy and the nodes that run\'s events hit. Goals: throughput and p95 within 10%, recovery within 1 s.',
        calibrationText(cal),
        ...missing
      ],
      table: validationTable(validation)
    },
    { heading: 'Scale runs', text: [spec.description, `Each policy is one run on one core: requests arrive for ${spec.simulatedSeconds} simulated s; a policy that falls behind works off its backlog after that (ended), while the network keeps churning. Wall time includes whatever else the machine runs; CPU time is this process's.`], table: scaleTable(scale) },
    {
      heading: 'Discovery cost against N',
      text: 'DHT messages of one discovery round on the Kademlia model (k = 20, α = 3): the current design (capability CID and 8 buckets, then every provider\'s record; it never sees more than 180 providers) and the bucketed design (buckets of ~20 providers, read until the candidates wanted; later rounds read only newcomers).',
      chart: {
        x: curve.map((c) => c.peers),
        xScale: 'log',
        xLabel: 'peers',
        yLabel: 'DHT messages per round',
        series: [
          { label: 'read every provider', values: curve.map((c) => c.readEveryProvider.messages) },
          { label: 'bucketed, first round', values: curve.map((c) => c.bucketedFirst.messages) },
          { label: 'bucketed, incremental round', values: curve.map((c) => c.bucketedIncremental.messages) }
        ]
      },
      table: {
        columns: ['peers', 'read every provider: msgs (records)', 'bucketed first: msgs (records)', 'bucketed incremental: msgs (records)'],
        rows: curve.map((c) => [c.peers, `${c.readEveryProvider.messages} (${c.readEveryProvider.recordsRead})`, `${c.bucketedFirst.messages} (${c.bucketedFirst.recordsRead})`, `${c.bucketedIncremental.messages} (${c.bucketedIncremental.recordsRead})`])
      }
    }
  ]
}
