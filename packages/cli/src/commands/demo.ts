/**
 * `tessera demo` (`npm run demo`), the README's main job: starts a scenario's heterogeneous network of real
 * libp2p nodes on 127.0.0.1, runs the MNIST MLP through it under tessera's policy and under every baseline —
 * same run, same network, same requests — and reports one row per policy: a table on the terminal, `--json`
 * on stdout, and an HTML page with plots plus the JSON in the report folder.
 */
import { uploadProgressBar } from '../progress.js'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { formatPercent, renderTerminalTable, writeReportPage, roundTo } from '@tessera/report'
import type { ReportSection, ReportTable } from '@tessera/report'
import { describeRunError, describeUploadFailure } from '@tessera/coordinator'
import type { RunResult } from '@tessera/coordinator'
import { openScenario, scenarioRunOptions } from '@tessera/sim'
import { latencyQuantiles, throughputSeries } from '@tessera/coordinator'
import { applyOverrides, loadScenario } from '@tessera/sim'
import type { Scenario } from '@tessera/sim'
import { loadMnistWorkload } from '@tessera/coordinator'
import { THROUGHPUT_BUCKET_MS, THROUGHPUT_WINDOW_MS } from '@tessera/coordinator'
import { DISCOVERABLE_PEERS_RANGE, REQUESTS_RANGE } from './constants.js'
import { describeRange, integerIn } from './options.js'
import { dashboardRunOptions, saveDashboardScreenshot, trackRun, withDashboard } from '../dashboard/cli-options.js'
import { addPolicyComparisonOptions } from './comparison-options.js'
import type { PolicyComparisonOptions } from './comparison-options.js'
import type { Dashboard } from '../dashboard/dashboard.js'
import type { Command } from 'commander'

/** Default report folder (relative to the working directory). */
export const DEFAULT_DEMO_OUT_DIR = join('reports', 'demo')
/** Default scenario name (simulations/scenarios/default.json). */
export const DEFAULT_SCENARIO = 'default'

interface DemoCommandOptions extends PolicyComparisonOptions {
  nodes?: number
  requests?: number
}

/** One row of the `--json` document. */
export interface DemoPolicyRow {
  policy: string
  throughputRps: number
  latencyP50Ms: number
  latencyP95Ms: number
  memoryUtilisation: number
  resourceUtilisation: number
  accuracy: number | null
  requestsLost: number
}

/** The `--json` document. */
export interface DemoJson {
  scenario: string
  seed: string
  policies: DemoPolicyRow[]
  /** Figures that depend on the wall clock (they change from run to run; everything else follows the seed). */
  wallClock: {
    fields: string[]
    totalMs: number
    networkStartMs: number
    runMs: Record<string, number>
  }
}

/** `tessera demo`. */
export function registerDemoCommand (program: Command): void {
  const command = program.command('demo')
    .description('start a heterogeneous tessera network on 127.0.0.1 and run the MNIST MLP through it under tessera\'s policy and every baseline')
    .option('--scenario <name|path>', 'scenario name in simulations/scenarios, or a JSON file', DEFAULT_SCENARIO)
    .option('--seed <seed>', 'seed (node keys, request order, placement randomness, device programming)')
    .option('--nodes <n>', `number of nodes (the scenario's first ones, or its list repeated), in ${describeRange(DISCOVERABLE_PEERS_RANGE)}`, integerIn(DISCOVERABLE_PEERS_RANGE))
    .option('--requests <n>', `model requests per policy, in ${describeRange(REQUESTS_RANGE)}`, integerIn(REQUESTS_RANGE))
  addPolicyComparisonOptions(command, DEFAULT_DEMO_OUT_DIR)
    .action(async (opts: DemoCommandOptions) => {
      await withDashboard(opts.dashboard, 'demo', 'tessera demo: MNIST MLP, tessera vs baselines', async (dashboard) => { await runDemo(opts, dashboard) })
    })
}

function finite (x: number): number | null {
  return Number.isFinite(x) ? x : null
}


function rowOf (result: RunResult): DemoPolicyRow {
  const m = result.metrics
  return {
    policy: result.policy,
    throughputRps: roundTo(m.throughputRps, 2),
    latencyP50Ms: roundTo(m.latencyP50Ms, 2),
    latencyP95Ms: roundTo(m.latencyP95Ms, 2),
    memoryUtilisation: roundTo(m.memoryUtilisation, 4),
    resourceUtilisation: roundTo(m.resourceUtilisation, 4),
    accuracy: finite(roundTo(m.accuracy, 4)),
    requestsLost: m.requestsLost
  }
}

function resultsTable (rows: DemoPolicyRow[]): ReportTable {
  return {
    columns: ['policy', 'throughput (req/s)', 'latency p50 (ms)', 'latency p95 (ms)', 'memory util.', 'resource util.', 'accuracy', 'lost'],
    rows: rows.map((r) => [r.policy, r.throughputRps.toFixed(1), r.latencyP50Ms.toFixed(1), r.latencyP95Ms.toFixed(1),
      formatPercent(r.memoryUtilisation), formatPercent(r.resourceUtilisation), r.accuracy === null ? '—' : formatPercent(r.accuracy), String(r.requestsLost)]),
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right']
  }
}

function reportSections (scenario: Scenario, rows: DemoPolicyRow[], results: RunResult[], nodeIdOf: (peerId: string) => string | undefined, floatAccuracy: number): ReportSection[] {
  const nodes: ReportTable = {
    columns: ['node', 'device', 'tiles', 'emulated MAC/s', 'emulated delay (ms)', 'background load', 'path'],
    rows: scenario.nodes.map((n) => [n.id, `${n.preset} ${n.geometry}×${n.geometry}`, String(n.tiles), `${(n.macsPerSecond / 1e6).toFixed(1)} M`,
      String(n.delayMs), n.backgroundLoad !== undefined ? formatPercent(n.backgroundLoad) : '—', n.relayed === true ? 'relayed' : n.relay === true ? 'direct (relay)' : 'direct'])
  }
  const series = results.map((r) => throughputSeries(r.recorder, THROUGHPUT_BUCKET_MS, THROUGHPUT_WINDOW_MS))
  const longest = series.reduce((a, b) => (b.tSeconds.length > a.tSeconds.length ? b : a), series[0])
  const levels = Array.from({ length: 99 }, (_, i) => (i + 1) / 100)
  const callsTable: ReportTable = {
    columns: ['policy', 'plan', 'failed calls', 're-placements', ...scenario.nodes.map((n) => n.id)],
    rows: results.map((r) => {
      const byNode: Record<string, number> = {}
      for (const [peer, calls] of Object.entries(r.metrics.callsByPeer)) {
        const id = nodeIdOf(peer)
        if (id !== undefined) byNode[id] = calls
      }
      return [r.policy, r.planDescription, String(r.metrics.failedCalls), String(r.metrics.replacements), ...scenario.nodes.map((n) => String(byNode[n.id] ?? 0))]
    })
  }
  const failures = results.flatMap((r) => [
    ...r.recorder.uploadFailures.map((f) => `${r.policy}: upload ${describeUploadFailure(f)}`),
    ...r.recorder.calls.filter((c) => !c.ok).slice(0, 5).map((c) => `${r.policy}: call on ${nodeIdOf(c.peerId) ?? c.peerId} failed: ${c.error ?? 'unknown'}`),
    ...r.errors.map((e) => `${r.policy}: ${e.kind === 'batch' ? 'batch failed: ' : ''}${describeRunError(e)}`)
  ].map((line) => line.replace(/12D3KooW\w+/g, (id) => nodeIdOf(id) ?? id)))
  return [
    { heading: 'Scenario', text: [scenario.description, 'Emulation: every node is a real libp2p node in this process; its compute rate is capped (the executor thread blocks for the rest of each MVM\'s emulated time, reported as device time), background load comes from another client over the shard protocol, and the per-node network delay is applied at the coordinator before each request and after each reply, since loopback has none.', `Seed ${scenario.seed}; ${scenario.requests} MNIST-subset requests per policy, ${scenario.batchSize} per batch, ${scenario.batchesInFlight} batches in flight, ${scenario.replicas ?? 1} cop${(scenario.replicas ?? 1) === 1 ? 'y' : 'ies'} per shard for the policies that replicate. Float32 accuracy of the model on the same requests: ${formatPercent(floatAccuracy)}.`], table: nodes },
    { heading: 'Results', text: 'Definitions: throughput = requests answered ÷ streaming time; latency = round trips of shard calls at the coordinator (emulated delays included); memory utilisation = cells holding weights ÷ cells of the tiles allocated (time-averaged); resource utilisation = device time of the job\'s executes ÷ (peers holding shards × streaming time); accuracy on the MNIST subset requests answered.', table: resultsTable(rows) },
    { heading: 'Throughput over time', chart: { x: longest.tSeconds, xLabel: 'time since the first batch (s)', yLabel: 'requests/s', series: results.map((r, i) => ({ label: r.policy, values: longest.tSeconds.map((_, k) => series[i].rps[k] ?? null) })) } },
    { heading: 'Shard round-trip latency distribution', chart: { x: levels.map((q) => q * 100), xLabel: 'percentile', yLabel: 'ms', series: results.map((r) => ({ label: r.policy, values: latencyQuantiles(r.recorder, levels).map((v) => finite(v)) })) } },
    { heading: 'Utilisation per policy', chart: { x: rows.map((_, i) => i + 1), xTicks: rows.map((r, i) => ({ value: i + 1, label: r.policy })), xLabel: 'policy', yFormat: 'percent', yRange: [0, 1], series: [{ label: 'memory utilisation', values: rows.map((r) => r.memoryUtilisation) }, { label: 'resource utilisation', values: rows.map((r) => r.resourceUtilisation) }] } },
    { heading: 'Shard calls per node', text: 'Successful shard calls each node served under each policy; failed calls were retried on a replica or after a re-placement.', table: callsTable },
    { heading: 'Failures and recovery', text: failures.length > 0 ? failures.slice(0, 40) : 'No upload or shard call failed.' }
  ]
}

async function runDemo (opts: DemoCommandOptions, dashboard: Dashboard | undefined): Promise<void> {
  const startedAt = performance.now()
  const say = (line: string): void => { if (opts.progress && !opts.json) process.stderr.write(`${line}\n`) }
  const scenario = applyOverrides(loadScenario(opts.scenario), { seed: opts.seed, requests: opts.requests, nodes: opts.nodes })
  say(`scenario ${scenario.name} (seed ${scenario.seed}): ${scenario.nodes.length} nodes, ${scenario.requests} requests per policy`)
  const workload = await loadMnistWorkload({ cacheDir: opts.cacheDir, seed: scenario.seed })
  say(`MNIST MLP ${workload.model.layerSizes.join('-')} ${workload.fromCache ? 'from the cache' : 'trained'}; float accuracy ${formatPercent(workload.floatAccuracy)}`)
  const netStart = performance.now()
  const session = await openScenario(scenario, {
    network: { onPhase: (phase) => { say(`network: ${phase} (${((performance.now() - netStart) / 1000).toFixed(1)} s)`) } },
    coordinator: { uploadProgress: uploadProgressBar(opts.progress && !opts.json), ...(dashboard !== undefined ? { onPeerSample: dashboard.hooks.onPeerSample } : {}) },
    ...(dashboard !== undefined ? { onNetwork: async (started) => { await dashboard.watchNode(started.coordinatorNode, { names: started.nodeIdOf }) } } : {})
  })
  const { net, coordinator, targets } = session
  const networkStartMs = session.discoveredAfterMs
  say(`discovered ${targets.length} of ${scenario.nodes.length} nodes: ${targets.map((t) => `${net.nodeIdOf(t.peerId) ?? t.peerId} (${t.path})`).join(', ')}`)
  const results: RunResult[] = []
  const runMs: Record<string, number> = {}
  try {
    for (const policy of opts.policies) {
      const t0 = performance.now()
      const result = await trackRun(dashboard, coordinator.run({ ...scenarioRunOptions(scenario, workload, policy), requests: scenario.requests, runId: `${scenario.seed}/${policy}`, ...dashboardRunOptions(dashboard) }))
      runMs[policy] = roundTo(performance.now() - t0, 1)
      results.push(result)
      const m = result.metrics
      say(`${policy}: ${m.throughputRps.toFixed(1)} req/s, p50 ${m.latencyP50Ms.toFixed(1)} ms, p95 ${m.latencyP95Ms.toFixed(1)} ms, memory ${formatPercent(m.memoryUtilisation)}, resource ${formatPercent(m.resourceUtilisation)}, accuracy ${formatPercent(m.accuracy)}, lost ${m.requestsLost}, failed calls ${m.failedCalls}, re-placements ${m.replacements}${result.errors.length > 0 ? ` (${describeRunError(result.errors[0])})` : ''}`)
    }
    // The picture shows the network as the last run left it, before it stops.
    if (dashboard !== undefined) await saveDashboardScreenshot(dashboard, opts.out, say)
  } finally {
    await session.stop()
  }
  const rows = results.map(rowOf)
  const doc: DemoJson = {
    scenario: scenario.name,
    seed: scenario.seed,
    policies: rows,
    wallClock: {
      fields: ['throughputRps', 'latencyP50Ms', 'latencyP95Ms', 'resourceUtilisation'],
      totalMs: roundTo(performance.now() - startedAt, 1),
      networkStartMs: roundTo(networkStartMs, 1),
      runMs
    }
  }
  await mkdir(opts.out, { recursive: true })
  await writeFile(join(opts.out, 'report.json'), `${JSON.stringify(doc, null, 2)}\n`)
  const page = await writeReportPage(opts.out, {
    title: 'tessera demo: MNIST MLP through a heterogeneous network, tessera vs baselines',
    subtitle: `tessera demo --scenario ${scenario.name} --seed ${scenario.seed} --requests ${scenario.requests}`,
    sections: reportSections(scenario, rows, results, net.nodeIdOf, workload.floatAccuracy)
  })
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc)}\n`)
  } else {
    process.stdout.write(renderTerminalTable(resultsTable(rows)))
    process.stdout.write(`\nreport: ${page} (JSON: ${join(opts.out, 'report.json')}); whole demo ${(doc.wallClock.totalMs / 1000).toFixed(1)} s\n`)
  }
}
