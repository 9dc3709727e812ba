/**
 * `tessera paper` (`npm run paper`): the paper's claims measured over several scenarios and seeds — per scenario
 * K seeds × every policy, a closed-loop saturation run and open-loop runs at rising offered rates, on real
 * loopback networks — with 95% intervals, ratios paired by seed, the p95 at matched offered load and each
 * policy's fraction of the throughput bound (a linear program over the scenario's declared capacities, see
 * docs/paper-bound.md). A table per scenario on the terminal, `--json` on stdout, an HTML page with the curves.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { formatPercent, renderTerminalTable, writeReportPage } from '@tessera/report'
import type { ChartSeries, ReportSection, ReportTable } from '@tessera/report'
import {
  aggregatePaper, DEFAULT_SEEDS, FULL_PLAN, loadScenario, PAPER_FIGURES, PAPER_SCENARIOS, QUICK_PLAN, QUICK_SCENARIOS,
  QUICK_SEEDS, runPaper
} from '@tessera/sim'
import type { MeanCi, PaperReport, PaperScenarioRow } from '@tessera/sim'
import { describeRange, integerIn } from './options.js'
import { addReportOptions, policiesOption } from './report-options.js'
import { PAPER_CONCURRENCY_RANGE, PAPER_SEEDS_RANGE } from './constants.js'
import type { Command } from 'commander'

/**
 * Seeds measured at once by default: two, each network's libp2p nodes and coordinator on an event loop of their own
 * (a worker thread). One network's process used about half a core at tessera's peak (the emulated devices sleep
 * rather than spin), so two fit the two cores, and the full measurement (20 seeds × 6 policies) took 23 minutes
 * one seed at a time on a loaded host.
 */
export const DEFAULT_PAPER_CONCURRENCY = 2

/** Default report folder (relative to the working directory). */
export const DEFAULT_PAPER_OUT_DIR = join('reports', 'paper')

interface PaperCommandOptions {
  scenarios?: string[]
  seeds?: number
  policies: string[]
  quick: boolean
  concurrency: number
  json: boolean
  out: string
  cacheDir: string
  progress: boolean
}

/** `tessera paper`. */
export function registerPaperCommand (program: Command): void {
  const command = program.command('paper')
    .description('measure the paper\'s claims: every policy over several scenarios and seeds, with confidence intervals, a throughput–latency curve and the LP throughput bound')
    .option('--scenarios <list>', `scenario names or JSON files, comma-separated (default ${PAPER_SCENARIOS.join(',')})`, (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .option('--seeds <n>', `seeds per scenario, in ${describeRange(PAPER_SEEDS_RANGE)} (default ${DEFAULT_SEEDS})`, integerIn(PAPER_SEEDS_RANGE))
    .addOption(policiesOption())
    .option('--quick', `${QUICK_SEEDS} seeds, scenarios ${QUICK_SCENARIOS.join(' and ')}, shorter runs (for CI)`, false)
    .option('--concurrency <n>', `seeds measured at once, each in a worker thread, in ${describeRange(PAPER_CONCURRENCY_RANGE)}`, integerIn(PAPER_CONCURRENCY_RANGE), DEFAULT_PAPER_CONCURRENCY)
  addReportOptions(command, DEFAULT_PAPER_OUT_DIR)
    .action(async (opts: PaperCommandOptions) => { await runPaperCommand(opts) })
}

function fmt (x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—'
}

/** `mean ± ci` with `digits` decimals (percent when asked). */
function withCi (m: MeanCi, digits = 1, percent = false): string {
  const scale = percent ? 100 : 1
  const unit = percent ? '%' : ''
  if (!Number.isFinite(m.mean)) return '—'
  return m.ci95 === null ? `${fmt(m.mean * scale, digits)}${unit}` : `${fmt(m.mean * scale, digits)} ± ${fmt(m.ci95 * scale, digits)}${unit}`
}

function scenarioTable (s: PaperScenarioRow): ReportTable {
  return {
    columns: ['policy', 'throughput (req/s)', 'of bound', '÷ ray-like', 'tessera ÷ it', 'p50 (ms)', 'p95 (ms)', 'p95 ÷ ray-like at matched load', 'memory util.', 'resource util.', 'accuracy'],
    rows: s.policies.map((p) => [
      p.policy, withCi(p.throughputRps), withCi(p.fractionOfBound, 1, true), withCi(p.ratioToRayLike, 2), withCi(p.tesseraRatio, 2),
      withCi(p.latencyP50Ms, 0), withCi(p.latencyP95Ms, 0),
      p.p95AtMatchedLoad === null ? '—' : `${withCi(p.p95AtMatchedLoad.ratio, 2)} (${p.p95AtMatchedLoad.ratio.n} seeds)`,
      withCi(p.memoryUtilisation, 1, true), withCi(p.resourceUtilisation, 1, true), withCi(p.accuracy, 2, true)
    ]),
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']
  }
}

function goalsTable (report: PaperReport): ReportTable {
  const goals = report.scenarios[0]?.goals ?? []
  return {
    columns: ['goal', 'target', ...report.scenarios.map((s) => s.scenario)],
    rows: goals.map((g, i) => [g.goal, String(g.target), ...report.scenarios.map((s) => {
      const c = s.goals[i]
      return c === undefined || c.measured === null ? 'n/a' : `${fmt(c.measured, 3)} ${c.met ? 'met' : 'not met'}`
    })])
  }
}

function figuresTable (report: PaperReport): ReportTable {
  const f = report.paperFigures
  const cell = (v: MeanCi | number | null | undefined, digits: number, percent = false): string => {
    if (v === null || v === undefined) return '—'
    return typeof v === 'number' ? fmt(v, digits) : withCi(v, digits, percent)
  }
  const row = (name: string, paper: string, values: Record<string, MeanCi | number | null>, digits: number, percent = false): string[] =>
    [name, paper, ...report.scenarios.map((s) => cell(values[s.scenario], digits, percent))]
  return {
    columns: ['figure', 'paper', ...report.scenarios.map((s) => `tessera: ${s.scenario}`)],
    rows: [
      row('throughput ÷ Ray (ray-like)', `${f.throughputRatio.paper}× (${PAPER_FIGURES.throughputOpsPerSecond.tessera} vs ${PAPER_FIGURES.throughputOpsPerSecond.ray} ops/s)`, f.throughputRatio.tessera, 2),
      row('latency ÷ Ray (p95 at matched load)', `${f.latencyRatio.paper}× (${f.latencyRatio.paperLatencyMs} ms)`, f.latencyRatio.tessera, 2),
      row('resource utilisation', formatPercent(f.resourceUtilisation.paper), f.resourceUtilisation.tessera, 1, true),
      row('memory utilisation', `${formatPercent(f.memoryUtilisation.paper)} (Ray ${formatPercent(f.memoryUtilisation.paperRay)})`, f.memoryUtilisation.tessera, 1, true)
    ]
  }
}

function curveCharts (s: PaperScenarioRow): ReportSection[] {
  const x = s.offeredRps
  const series = (pick: (p: PaperScenarioRow['policies'][number], i: number) => MeanCi): ChartSeries[] => s.policies.flatMap((p) => {
    const mean: ChartSeries = { label: p.policy, values: x.map((_, i) => { const m = pick(p, i); return Number.isFinite(m.mean) ? m.mean : null }) }
    if (p.policy !== 'tessera' && p.policy !== 'ray-like') return [mean]
    // The 95% interval of tessera and ray-like as dashed lines (every policy's interval is in the tables).
    const edge = (sign: number): ChartSeries => ({ label: `${p.policy} ${sign > 0 ? 'upper' : 'lower'} 95%`, dashed: true, values: x.map((_, i) => { const m = pick(p, i); return m.ci95 === null || !Number.isFinite(m.mean) ? null : m.mean + sign * m.ci95 }) })
    return [mean, edge(-1), edge(1)]
  })
  return [
    { heading: `${s.scenario}: throughput kept up against offered load`, text: 'Open-loop runs: answers ÷ (first to last answer + one batch interval), mean over the seeds that ran the rate (a rate above a policy\'s saturation throughput, or after a rate it did not sustain, is not run).', chart: { x, xLabel: 'offered load (req/s)', yLabel: 'req/s', series: series((p, i) => p.curve[i].achievedRps) } },
    { heading: `${s.scenario}: p95 shard round trip against offered load`, chart: { x, xLabel: 'offered load (req/s)', yLabel: 'ms', series: series((p, i) => p.curve[i].latencyP95Ms) } }
  ]
}

function pageSections (report: PaperReport): ReportSection[] {
  const intro: ReportSection = {
    heading: 'How this was measured',
    text: [
      `Per scenario, ${report.scenarios[0]?.seeds.length ?? 0} seeds × every policy on a fresh loopback network per seed (node keys, request order, placement randomness and programming follow the seed). Each policy: a closed-loop saturation run (${report.plan.closedLoopBatchesInFlight} lanes of ${report.plan.closedLoopBatchSize} requests for ${report.plan.closedLoopMs / 1000} s), then open-loop runs (a batch every ${report.plan.openLoopBatchIntervalMs} ms, of at most ${report.plan.openLoopBatchSize} requests, ${report.plan.openLoopMs / 1000} s each) at ${report.plan.offeredFractions.map((f) => `${f * 100}%`).join(', ')} of the scenario's throughput bound.`,
      'Figures are means over seeds ± the half-width of the 95% t interval; ratios are paired by seed. Latency is the shard-call round trip (docs/metrics.md). The bound is the optimum of a linear program over the declared capacities (docs/paper-bound.md). A rate is sustained when nothing is lost and the rate kept up is ≥ 90% of the offered one; matched load is, per seed, the highest offered rate both policies sustained under that seed (seeds where they share none are left out).',
      `Float32 accuracy of the model on the held-out digits: ${formatPercent(report.floatAccuracy)}.`
    ]
  }
  const figures: ReportSection = { heading: 'The paper\'s figures beside tessera\'s', table: figuresTable(report) }
  const goals: ReportSection = { heading: 'Goals', table: goalsTable(report) }
  const perScenario = report.scenarios.flatMap((s) => [
    { heading: `Scenario ${s.scenario}: bound ${s.upperBoundRps.toFixed(1)} req/s (${s.bound.binding})`, text: s.description, table: scenarioTable(s) },
    ...curveCharts(s)
  ])
  return [intro, figures, goals, ...perScenario]
}

async function runPaperCommand (opts: PaperCommandOptions): Promise<void> {
  const say = (line: string): void => { if (opts.progress && !opts.json) process.stderr.write(`${line}\n`) }
  const names = opts.scenarios ?? [...(opts.quick ? QUICK_SCENARIOS : PAPER_SCENARIOS)]
  const scenarios = names.map((n) => loadScenario(n))
  const seeds = opts.seeds ?? (opts.quick ? QUICK_SEEDS : DEFAULT_SEEDS)
  const plan = opts.quick ? QUICK_PLAN : FULL_PLAN
  say(`paper: ${scenarios.map((s) => s.name).join(', ')}; ${seeds} seeds; ${opts.policies.length} policies; concurrency ${opts.concurrency}`)
  const runs = await runPaper({ scenarios, seeds, policies: opts.policies, plan, cacheDir: opts.cacheDir, concurrency: opts.concurrency, onPhase: say })
  const report = aggregatePaper(runs)
  const doc = { paper: report }
  await mkdir(opts.out, { recursive: true })
  await writeFile(join(opts.out, 'report.json'), `${JSON.stringify(doc, null, 2)}\n`)
  const page = await writeReportPage(opts.out, {
    title: 'tessera paper: the paper\'s claims over scenarios and seeds, with the LP throughput bound',
    subtitle: `tessera paper${opts.quick ? ' --quick' : ''} --seeds ${seeds} --scenarios ${names.join(',')}`,
    sections: pageSections(report)
  })
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc)}\n`)
    return
  }
  for (const s of report.scenarios) {
    process.stdout.write(`\n${s.scenario} — throughput bound ${s.upperBoundRps.toFixed(1)} req/s (${s.bound.binding}); seeds ${s.seeds.length}\n`)
    process.stdout.write(renderTerminalTable(scenarioTable(s)))
  }
  process.stdout.write('\nthe paper\'s figures beside tessera\'s\n')
  process.stdout.write(renderTerminalTable(figuresTable(report)))
  process.stdout.write('\ngoals\n')
  process.stdout.write(renderTerminalTable(goalsTable(report)))
  process.stdout.write(`\nreport: ${page} (JSON: ${join(opts.out, 'report.json')}); whole run ${(report.wallClock.totalMs / 1000).toFixed(1)} s\n`)
}
