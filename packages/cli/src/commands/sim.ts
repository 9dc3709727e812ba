/**
 * `tessera sim` (`npm run sim -- --scenario <name>`): runs a simulation scenario — a loopback network of real
 * nodes with a timeline of slowdowns, departures, joins or hotspots — once per policy, each on a fresh network,
 * and reports how each policy's throughput and latency held up: a table on the terminal, `--json` on stdout,
 * and an HTML page with throughput and p95 latency over time, the scenario's events and every reconfiguration
 * decision marked.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderTerminalTable, writeReportPage, roundTo } from '@tessera/report'
import type { ChartSeries, ReportSection, ReportTable } from '@tessera/report'
import type { ReconfigureEvent } from '@tessera/scheduler'
import { describeRunError, describeUploadFailure, latencySeries, throughputSeries } from '@tessera/coordinator'
import { applyOverrides, loadScenario } from '@tessera/sim'
import type { Scenario } from '@tessera/sim'
import { disruptionOf, simRowOf, simulatePolicy } from '@tessera/sim'
import type { SimPolicyRow, SimRowComparisons, SimulateInit, SimulationRun } from '@tessera/sim'
import { RECOVERY_BASELINE_MS, RECOVERY_WINDOW_MS } from '@tessera/sim'
import { loadMnistWorkload } from '@tessera/coordinator'
import { integerIn } from './options.js'
import { addPolicyComparisonOptions } from './comparison-options.js'
import type { PolicyComparisonOptions } from './comparison-options.js'
import { withDashboard } from '../dashboard/cli-options.js'
import type { Dashboard } from '../dashboard/dashboard.js'
import { describeError } from '@tessera/errors'
import { runSimDes } from './sim-des.js'
import type { SimDesOptions } from './sim-des.js'
import { InvalidCliOptionError } from '../errors.js'
import { SCALE_PEERS_RANGE, SCALE_SECONDS_RANGE } from './constants.js'
import type { Command } from 'commander'

/** Default report folder (relative to the working directory); each scenario writes `<name>.json` and `<name>.html`. */
export const DEFAULT_SIM_OUT_DIR = join('reports', 'sim')
/** Default scenario of `tessera sim`. */
export const DEFAULT_SIM_SCENARIO = 'slowdown'

/** Throughput plots: one point per this, ms. */
const SERIES_BUCKET_MS = 500
/** Throughput plots average over this trailing window, ms. */
const SERIES_WINDOW_MS = 2000
interface SimCommandOptions extends PolicyComparisonOptions, Omit<SimDesOptions, 'scalePeers' | keyof PolicyComparisonOptions> {
  engine: 'loopback' | 'des'
  scalePeers?: string
}

/** The `--json` document. */
export interface SimJson {
  scenario: string
  seed: string
  policies: SimPolicyRow[]
}

/** `tessera sim`. */
export function registerSimCommand (program: Command): void {
  const command = program.command('sim')
    .description('run a simulation scenario (slowdown, churn, hotspot, steady) on a fresh loopback network per policy and compare how tessera and the baselines hold up')
    .option('--scenario <name|path>', 'scenario name in simulations/scenarios, or a JSON file with a timeline', DEFAULT_SIM_SCENARIO)
    .option('--seed <seed>', 'seed (node keys, request order, placement randomness, device programming)')
  addPolicyComparisonOptions(command, DEFAULT_SIM_OUT_DIR)
    .option('--engine <engine>', 'loopback (real nodes on 127.0.0.1) or des (the discrete-event simulator)', 'loopback')
    .option('--scale', 'with --engine des: validation against saved loopback runs and the scale runs (1,000 and 10,000 peers)', false)
    .option('--real-dir <dir>', 'with --scale: where the loopback runs to validate against were saved', DEFAULT_SIM_OUT_DIR)
    .option('--scale-spec <name|path>', 'with --scale: scale specification in simulations/des, or a JSON file', 'scale')
    .option('--scale-peers <list>', 'with --scale: network sizes, comma-separated (default: the spec\'s)')
    .option('--scale-seconds <s>', 'with --scale: simulated seconds per run (default: the spec\'s)', integerIn(SCALE_SECONDS_RANGE, 's'))
    .option('--recalibrate', 'with --engine des: measure the loopback stack again', false)
    .action(async (opts: SimCommandOptions) => {
      if (opts.engine === 'des') {
        await runSimDes({ ...opts, scalePeers: opts.scalePeers?.split(',').map(integerIn(SCALE_PEERS_RANGE)) })
        return
      }
      if (opts.engine !== 'loopback') throw new InvalidCliOptionError(`--engine must be loopback or des, got ${JSON.stringify(opts.engine)}`)
      await withDashboard(opts.dashboard, 'sim', `tessera sim --scenario ${opts.scenario}`, async (dashboard) => { await runSim(opts, dashboard) })
    })
}


function resultsTable (rows: SimPolicyRow[], runs: SimulationRun[]): ReportTable {
  return {
    columns: ['policy', 'throughput (req/s)', 'latency p95 (ms)', 'lost', 'duplicated', 'recovery', 'migrations', 'replications', 're-placements', 'evictions', 'flagged'],
    rows: rows.map((r, i) => {
      const count = (type: ReconfigureEvent['type']): string => String(runs[i].result.events.filter((e) => e.type === type).length)
      return [r.policy, r.throughputRps.toFixed(1), r.latencyP95Ms.toFixed(1), String(r.requestsLost), String(r.requestsDuplicated),
        r.recoveryMs === null ? (disruptionOf(runs[i]) === undefined ? '—' : 'never') : `${(r.recoveryMs / 1000).toFixed(2)} s`,
        r.migrations.toString(), count('replicate'), String(runs[i].result.metrics.replacements), count('evict'), r.flagged === null ? '—' : String(r.flagged)]
    }),
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']
  }
}

/** The verification figures of a scenario with liars (docs/metrics.md). */
function liarsTable (rows: SimPolicyRow[]): ReportTable {
  const show = (x: number | null | undefined, unit = ''): string => x === null || x === undefined ? '—' : `${x}${unit}`
  return {
    columns: ['policy', 'cheaters', 'detected', 'detection p50', 'false alarms', 'wrong answers', 'verification overhead'],
    rows: rows.map((r) => [r.policy, show(r.cheaters), show(r.cheatersDetected), show(r.detectionMsP50, ' ms'), show(r.falseAlarms), show(r.wrongAnswers),
      r.verificationOverhead === null || r.verificationOverhead === undefined ? '—' : `${(r.verificationOverhead * 100).toFixed(1)} %`]),
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right']
  }
}

function nameOf (run: SimulationRun, peerId: string | undefined): string {
  return peerId === undefined ? '—' : run.nodeIdOf(peerId) ?? peerId.slice(-8)
}

/** Peer ids in a text (a shard id names the device it was planned for; reasons name peers) as node names. */
function withNames (run: SimulationRun, text: string): string {
  return text.replace(/12D3Koo\w+/g, (id) => nameOf(run, id))
}

function eventLabel (run: SimulationRun, e: ReconfigureEvent): string {
  if (e.type === 'admit') return `admit ${nameOf(run, e.to)}`
  const gain = e.predictedGain === null ? '' : ` ×${e.predictedGain.toFixed(2)}`
  return `${e.type} ${withNames(run, e.shardId)}${e.from !== undefined ? ` ${nameOf(run, e.from)}` : ''}${e.to !== undefined ? ` → ${nameOf(run, e.to)}` : ''}${gain}`
}

function reportSections (scenario: Scenario, rows: SimPolicyRow[], runs: SimulationRun[]): ReportSection[] {
  const seconds = (run: SimulationRun, atMs: number): number => roundTo((atMs - run.startMs) / 1000, 2)
  const scenarioMarkers = (run: SimulationRun): Array<{ x: number, label: string, color: string, dashed: boolean }> =>
    run.fired.map((e) => ({ x: seconds(run, e.atMs), label: e.label, color: '#c0392b', dashed: true }))
  const throughput = runs.map((r) => throughputSeries(r.result.recorder, SERIES_BUCKET_MS, SERIES_WINDOW_MS))
  const p95 = runs.map((r) => latencySeries(r.result.recorder, SERIES_BUCKET_MS * 2, 0.95))
  const longest = (list: Array<{ tSeconds: number[] }>): number[] => list.reduce((a, b) => (b.tSeconds.length > a.tSeconds.length ? b : a), list[0]).tSeconds
  /** One chart of every policy's series over the longest time axis among them, the scenario's events marked. */
  const everyPolicy = (heading: string, text: string, x: number[], yLabel: string, valuesOf: (i: number) => Array<number | null>): ReportSection => ({
    heading,
    text,
    chart: {
      x,
      xLabel: 'time since the first batch (s)',
      yLabel,
      series: runs.map((r, i): ChartSeries => ({ label: r.policy, values: x.map((_, k) => valuesOf(i)[k] ?? null) })),
      markers: runs.length > 0 ? scenarioMarkers(runs[0]) : []
    }
  })
  const sections: ReportSection[] = [
    {
      heading: 'Scenario',
      text: [
        scenario.description,
        `Seed ${scenario.seed}; ${scenario.nodes.length} nodes (${scenario.nodes.filter((n) => n.standby === true).length} on standby); each policy ran on a fresh network, ${scenario.arrivalRps !== undefined ? `offered ${scenario.arrivalRps} requests/s for ${(scenario.durationMs ?? 0) / 1000} s (a policy that falls behind works off its backlog after that)` : `streaming for ${(scenario.durationMs ?? 0) / 1000} s`}.`,
        `Recovery: throughput is counted in ${RECOVERY_WINDOW_MS / 1000} s windows; from the first disruptive event, the time until the first window after the lowest one that is back within 10% of the ${RECOVERY_BASELINE_MS / 1000} s before the event (0: it never fell below that; never: it did not come back).`
      ]
    },
    { heading: 'Results', table: resultsTable(rows, runs) },
    ...(rows.some((r) => r.cheaters !== undefined)
      ? [{
          heading: 'Verification against liars',
          text: 'Detection counts from each liar\'s first lie to its flag; wrong answers compare each request\'s predicted class with the same request through the same network with every node honest; the overhead compares the steady phase (second half) with the same policy run without verification.',
          table: liarsTable(rows)
        }]
      : []),
    everyPolicy('Throughput over time', `Requests answered per second (trailing ${SERIES_WINDOW_MS / 1000} s), every policy; the scenario's events are marked.`,
      longest(throughput), 'requests/s', (i) => throughput[i].rps),
    everyPolicy('Shard-call latency p95 over time', `p95 of the shard calls that ended in each ${(SERIES_BUCKET_MS * 2) / 1000} s, every policy.`,
      longest(p95), 'ms', (i) => p95[i].ms)
  ]
  runs.forEach((run, i) => {
    const events = run.result.events.filter((e) => e.type !== 'admit' || run.fired.some((f) => f.kind === 'join'))
    sections.push({
      heading: `${run.policy}: throughput and reconfiguration`,
      text: events.length > 0
        ? `${events.length} reconfiguration decision(s); scenario events in red.`
        : run.result.events.length === 0 && run.policy !== 'tessera' ? 'No reconfiguration loop: this baseline only re-places copies that are lost.' : 'No reconfiguration decision.',
      chart: {
        x: throughput[i].tSeconds,
        xLabel: 'time since the first batch (s)',
        yLabel: 'requests/s',
        series: [{ label: run.policy, values: throughput[i].rps }],
        markers: [...scenarioMarkers(run), ...events.map((e) => ({ x: seconds(run, e.atMs), label: eventLabel(run, e), color: '#2c7fb8' }))]
      },
      ...(events.length > 0
        ? {
            table: {
              columns: ['t (s)', 'decision', 'shard', 'from', 'to', 'predicted gain', 'reason'],
              rows: events.map((e) => [seconds(run, e.atMs).toFixed(2), e.type, e.type === 'admit' ? '—' : withNames(run, e.shardId), e.type === 'admit' ? '—' : nameOf(run, e.from),
                nameOf(run, e.to), e.predictedGain === null ? '—' : e.predictedGain.toFixed(2), withNames(run, e.reason)]),
              align: ['right', 'left', 'left', 'left', 'left', 'right', 'left']
            }
          }
        : {})
    })
  })
  const failures = runs.flatMap((r) => [...r.result.errors.map((e) => `${r.policy}: ${describeRunError(e)}`), ...r.result.recorder.uploadFailures.map((f) => `${r.policy}: upload ${describeUploadFailure(f)}`), ...r.fired.filter((f) => f.error !== undefined).map((f) => `${r.policy}: event ${f.label}: ${f.error ?? ''}`)])
  sections.push({ heading: 'Failures', text: failures.length > 0 ? failures.slice(0, 60) : 'No batch, upload or scenario event failed.' })
  return sections
}

/** What `simulatePolicy` needs to feed a dashboard: each policy's fresh network is watched in turn. */
function simDashboardHooks (dashboard: Dashboard | undefined): Pick<SimulateInit, 'onNetwork' | 'onPeerSample' | 'onLiveRun' | 'onPeerFlagged'> {
  if (dashboard === undefined) return {}
  return {
    // Awaited before discovery, so the page sees the peers join; a watch that fails to start does not stop the simulation.
    onNetwork: async (net) => {
      try {
        await dashboard.watchNode(net.coordinatorNode, { names: net.nodeIdOf })
      } catch (err) {
        dashboard.notice('error', `cannot watch the network: ${describeError(err)}`)
      }
    },
    onPeerSample: dashboard.hooks.onPeerSample,
    onLiveRun: dashboard.hooks.onLiveRun,
    onPeerFlagged: dashboard.hooks.onPeerFlagged
  }
}

/**
 * Per shard, the nodes that answered its calls besides its first copies, in the order of their first answer: where
 * its lost copies were placed again (what the simulator's validation replays for a policy without a loop).
 */
function laterHolders (run: SimulationRun): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const calls = run.result.recorder.calls.filter((c) => c.ok).sort((a, b) => a.startMs - b.startMs)
  for (const call of calls) {
    const first = run.result.placement[call.shardId] ?? []
    const node = run.nodeIdOf(call.peerId) ?? call.peerId
    const later = out[call.shardId] ?? []
    if (first.includes(call.peerId) || later.includes(node)) continue
    later.push(node)
    out[call.shardId] = later
  }
  return out
}

/** Runs one policy in a variant of the scenario (verification off, or every node honest). */
type SimulateVariant = (policy: string, variant: Pick<SimulateInit, 'verify' | 'honest'>, label: string) => Promise<SimulationRun>

/**
 * With liars in the scenario, the runs the verification figures compare with (docs/metrics.md): one honest
 * reference run (tessera, every node honest), the reference of every policy's wrongAnswers; and each verified run
 * again without verification, for its overhead.
 */
async function liarComparisons (scenario: Scenario, runs: SimulationRun[], simulate: SimulateVariant): Promise<Map<SimulationRun, SimRowComparisons>> {
  const comparisons = new Map<SimulationRun, SimRowComparisons>()
  if (!scenario.nodes.some((n) => n.lie !== undefined) || runs.length === 0) return comparisons
  const reference = await simulate('tessera', { honest: true }, 'reference (every node honest)')
  for (const run of runs) {
    const unverified = run.result.verification === undefined ? undefined : await simulate(run.policy, { verify: false }, `${run.policy} without verification`)
    comparisons.set(run, { reference, ...(unverified !== undefined ? { unverified } : {}) })
  }
  return comparisons
}

async function runSim (opts: SimCommandOptions, dashboard: Dashboard | undefined): Promise<void> {
  const say = (line: string): void => { if (opts.progress && !opts.json) process.stderr.write(`${line}\n`) }
  const scenario = applyOverrides(loadScenario(opts.scenario), { seed: opts.seed })
  const workload = await loadMnistWorkload({ cacheDir: opts.cacheDir, seed: scenario.seed })
  say(`scenario ${scenario.name} (seed ${scenario.seed}): ${scenario.nodes.length} nodes, ${(scenario.durationMs ?? 0) / 1000} s per policy, policies ${opts.policies.join(', ')}`)
  const simulate = async (policy: string, variant: Pick<SimulateInit, 'verify' | 'honest'>, label: string): Promise<SimulationRun> => {
    say(`${label}: starting a fresh network`)
    const run = await simulatePolicy({
      scenario,
      policy,
      workload,
      ...variant,
      onPhase: (phase) => {
        say(`  ${phase}`)
        dashboard?.notice('info', `${label}: ${phase}`)
      },
      onReconfigureEvent: (e) => {
        dashboard?.hooks.onReconfigureEvent(e)
        if (e.type !== 'admit') say(`  ${e.type} ${e.shardId}: ${e.reason}`)
      },
      ...simDashboardHooks(dashboard)
    }).catch((err: unknown) => {
      dashboard?.runFailed(err)
      throw err
    })
    dashboard?.runFinished(run.result)
    return run
  }
  const runs: SimulationRun[] = []
  for (const policy of opts.policies) {
    const run = await simulate(policy, opts.verify ? {} : { verify: false }, policy)
    runs.push(run)
    const row = simRowOf(run)
    say(`${policy}: ${row.throughputRps.toFixed(1)} req/s, p95 ${row.latencyP95Ms.toFixed(1)} ms, lost ${row.requestsLost}, duplicated ${row.requestsDuplicated}, recovery ${row.recoveryMs === null ? 'never/none' : `${row.recoveryMs} ms`}, migrations ${row.migrations}, flagged ${row.flagged ?? '—'}`)
  }
  const comparisons = await liarComparisons(scenario, runs, simulate)
  const rows = runs.map((run) => simRowOf(run, comparisons.get(run) ?? {}))
  const doc: SimJson = { scenario: scenario.name, seed: scenario.seed, policies: rows }
  await mkdir(opts.out, { recursive: true })
  const jsonPath = join(opts.out, `${scenario.name}.json`)
  await writeFile(jsonPath, `${JSON.stringify({
    ...doc,
    events: Object.fromEntries(runs.map((r) => [r.policy, {
      scenario: r.fired.map((f) => ({ tMs: Math.round(f.atMs - r.startMs), kind: f.kind, label: f.label, nodes: f.nodes, ...(f.error !== undefined ? { error: f.error } : {}) })),
      reconfiguration: r.result.events.map((e) => ({ ...e, atMs: undefined, tMs: Math.round(e.atMs - r.startMs) }))
    }])),
    // What the simulator's validation replays (packages/sim/src/des/real-run.ts): the peers in the order the
    // coordinator listed them when placing, and each shard's copies once programmed, by node id.
    placement: Object.fromEntries(runs.map((r) => [r.policy, {
      peers: r.result.peers.map((v) => r.nodeIdOf(v.peerId) ?? v.peerId),
      copies: Object.fromEntries(Object.entries(r.result.placement).map(([shardId, peers]) => [shardId, peers.map((p) => r.nodeIdOf(p) ?? p)])),
      replacements: laterHolders(r)
    }])),
    // When the nodes' record publications finished during the stream, ms after its start (work on the harness's event loop).
    publications: Object.fromEntries(runs.map((r) => [r.policy, r.publishedAtMs.map((atMs) => Math.round(atMs - r.startMs)).filter((t) => t >= 0)])),
    // The shared event loop's busy and CPU time over the stream: how much the host's other load stretched its work.
    eventLoop: Object.fromEntries(runs.map((r) => [r.policy, { activeMs: Math.round(r.eventLoop.activeMs), cpuMs: Math.round(r.eventLoop.cpuMs) }])),
    series: Object.fromEntries(runs.map((r) => {
      const t = throughputSeries(r.result.recorder, SERIES_BUCKET_MS, SERIES_WINDOW_MS)
      return [r.policy, { tSeconds: t.tSeconds, throughputRps: t.rps.map((x) => roundTo(x, 2)) }]
    }))
  }, null, 2)}\n`)
  const page = await writeReportPage(opts.out, {
    title: `tessera sim: ${scenario.name}`,
    subtitle: `tessera sim --scenario ${scenario.name} --seed ${scenario.seed} --policies ${opts.policies.join(',')}`,
    sections: reportSections(scenario, rows, runs)
  }, `${scenario.name}.html`)
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc)}\n`)
  } else {
    process.stdout.write(renderTerminalTable(resultsTable(rows, runs)))
    process.stdout.write(`\nreport: ${page} (JSON: ${jsonPath})\n`)
  }
}
