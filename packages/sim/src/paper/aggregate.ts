/**
 * From the raw runs of `tessera paper` to its report: per scenario and policy the mean and 95% interval over
 * seeds of every figure, ratios to ray-like and tessera's ratio to each baseline paired by seed, the p95 at
 * matched offered load, the fraction of the throughput bound, and the goals of the measurement checked.
 */
import type { ThroughputBound } from './bound.js'
import type { OpenLoopPoint, PolicySeedRun, SeedRun } from './measure.js'
import type { PaperRuns } from './run.js'
import { binomialStdErr, meanCi, pairedRatio } from './stats.js'
import type { MeanCi } from './stats.js'

/** The paper's headline figures (tessera against Ray). */
export const PAPER_FIGURES = {
  throughputOpsPerSecond: { tessera: 142.5, ray: 98.7 },
  throughputRatio: 1.44,
  latencyMs: 171.2,
  latencyRatio: 0.70,
  resourceUtilisation: 0.827,
  memoryUtilisation: { tessera: 0.873, ray: 0.721 }
} as const

/** The goals the measurement checks in every scenario. */
export const PAPER_GOALS = {
  /** Lower end of the 95% interval of tessera / ray-like throughput. */
  throughputRatioLower: 1.44,
  /** tessera's p95 at matched offered load ÷ ray-like's. */
  p95RatioAtMatchedLoad: 0.70,
  resourceUtilisation: 0.83,
  memoryUtilisation: 0.95,
  fractionOfBound: 0.90,
  /** tessera's accuracy may be below the best baseline's by at most this many binomial standard errors. */
  accuracyStdErrs: 2
} as const

/** The baseline tessera's throughput and latency ratios are stated against. */
export const REFERENCE_POLICY = 'ray-like'

/** p95 at matched offered load: per seed, at the highest offered rate both this policy and ray-like sustained. */
export interface MatchedLoad {
  /** The matched rate of each seed, requests/s (null: the two sustained no common rate under that seed). */
  offeredRpsBySeed: Array<number | null>
  /** This policy's p95 ÷ ray-like's, paired by seed. */
  ratio: MeanCi
}

/** One point of a policy's throughput–latency curve. */
export interface CurvePoint {
  offeredRps: number
  /** Seeds whose run sustained the rate (of those that ran it; a run is skipped above the saturation throughput). */
  sustainedSeeds: number
  achievedRps: MeanCi
  latencyP95Ms: MeanCi
}

/** One policy's row of a scenario. */
export interface PaperPolicyRow {
  policy: string
  seeds: number
  throughputRps: MeanCi
  latencyP50Ms: MeanCi
  latencyP95Ms: MeanCi
  memoryUtilisation: MeanCi
  resourceUtilisation: MeanCi
  accuracy: MeanCi
  /** Binomial standard error of the accuracy pooled over seeds (answered requests as trials). */
  accuracyStdErr: number
  fractionOfBound: MeanCi
  /** This policy's throughput ÷ ray-like's, paired by seed. */
  ratioToRayLike: MeanCi
  /** tessera's throughput ÷ this policy's, paired by seed. */
  tesseraRatio: MeanCi
  /** This policy's p95 ÷ ray-like's at matched offered load (the ratio's mean); null when no rate matched. */
  p95AtMatchedLoadRatio: number | null
  p95AtMatchedLoad: MatchedLoad | null
  curve: CurvePoint[]
  /** How the plan cut the job, per seed (seed-dependent where the policy plans by what it finds). */
  plans: string[]
}

/** Whether one goal is met in one scenario. */
export interface GoalCheck {
  goal: string
  target: number
  measured: number | null
  met: boolean
}

/** One scenario of the report. */
export interface PaperScenarioRow {
  scenario: string
  description: string
  seeds: string[]
  upperBoundRps: number
  bound: ThroughputBound
  offeredRps: number[]
  policies: PaperPolicyRow[]
  goals: GoalCheck[]
}

/** Per scenario, tessera's figure beside the paper's. */
export interface PaperFigureRow {
  paper: number
  tessera: Record<string, MeanCi | number | null>
}

/** The `paper` object of `tessera paper --json`. */
export interface PaperReport {
  scenarios: PaperScenarioRow[]
  paperFigures: {
    throughputRatio: PaperFigureRow & { paperOpsPerSecond: { tessera: number, ray: number } }
    latencyRatio: PaperFigureRow & { paperLatencyMs: number }
    resourceUtilisation: PaperFigureRow
    memoryUtilisation: PaperFigureRow & { paperRay: number }
  }
  plan: PaperRuns['plan']
  floatAccuracy: number
  /** Figures that depend on the wall clock; the bound, offered rates, seeds and requests of open-loop runs follow the seed. */
  wallClock: { fields: string[], totalMs: number, networkStartMs: number[], runMs: Record<string, number> }
}

function column (runs: readonly SeedRun[], policy: string): PolicySeedRun[] {
  return runs.map((r) => r.policies.find((p) => p.policy === policy)).filter((p): p is PolicySeedRun => p !== undefined)
}

function matchedLoad (mine: PolicySeedRun[], reference: PolicySeedRun[], offeredRps: readonly number[]): MatchedLoad | null {
  if (mine.length === 0 || mine.length !== reference.length) return null
  // Per seed, the highest offered rate both policies sustained in that seed's runs (paired by seed: the two ran
  // on the same network one after the other); seeds where they share none are left out.
  const rates: Array<number | null> = []
  const ratios: number[] = []
  mine.forEach((m, s) => {
    for (let i = offeredRps.length - 1; i >= 0; i--) {
      const a = m.openLoop[i]
      const b = reference[s].openLoop[i]
      if (a?.sustained === true && b?.sustained === true) {
        rates.push(offeredRps[i])
        ratios.push(a.latencyP95Ms / b.latencyP95Ms)
        return
      }
    }
    rates.push(null)
  })
  if (ratios.length === 0) return null
  return { offeredRpsBySeed: rates, ratio: meanCi(ratios) }
}

function curveOf (runs: PolicySeedRun[], offeredRps: readonly number[]): CurvePoint[] {
  return offeredRps.map((rate, i) => {
    const points = runs.map((r) => r.openLoop[i]).filter((p): p is OpenLoopPoint => p !== null && p !== undefined)
    return {
      offeredRps: rate,
      sustainedSeeds: points.filter((p) => p.sustained).length,
      achievedRps: meanCi(points.map((p) => p.achievedRps)),
      latencyP95Ms: meanCi(points.map((p) => p.latencyP95Ms))
    }
  })
}

function policyRow (policy: string, runs: readonly SeedRun[], offeredRps: readonly number[], boundRps: number): PaperPolicyRow {
  const mine = column(runs, policy)
  const reference = column(runs, REFERENCE_POLICY)
  const tessera = column(runs, 'tessera')
  const closed = mine.map((r) => r.closedLoop)
  const pick = (f: (r: PolicySeedRun) => number): number[] => mine.map(f)
  const answered = closed.reduce((a, r) => a + r.answered, 0)
  const pooledAccuracy = answered > 0 ? closed.reduce((a, r) => a + r.correct, 0) / answered : Number.NaN
  const throughput = pick((r) => r.closedLoop.throughputRps)
  const matched = policy === REFERENCE_POLICY ? null : matchedLoad(mine, reference, offeredRps)
  return {
    policy,
    seeds: mine.length,
    throughputRps: meanCi(throughput),
    latencyP50Ms: meanCi(pick((r) => r.closedLoop.latencyP50Ms)),
    latencyP95Ms: meanCi(pick((r) => r.closedLoop.latencyP95Ms)),
    memoryUtilisation: meanCi(pick((r) => r.closedLoop.memoryUtilisation)),
    resourceUtilisation: meanCi(pick((r) => r.closedLoop.resourceUtilisation)),
    accuracy: meanCi(pick((r) => r.closedLoop.accuracy)),
    accuracyStdErr: binomialStdErr(pooledAccuracy, answered),
    fractionOfBound: meanCi(throughput.map((t) => t / boundRps)),
    ratioToRayLike: reference.length === mine.length ? pairedRatio(throughput, reference.map((r) => r.closedLoop.throughputRps)) : meanCi([]),
    tesseraRatio: tessera.length === mine.length ? pairedRatio(tessera.map((r) => r.closedLoop.throughputRps), throughput) : meanCi([]),
    p95AtMatchedLoadRatio: matched === null ? null : matched.ratio.mean,
    p95AtMatchedLoad: matched,
    curve: curveOf(mine, offeredRps),
    plans: mine.map((r) => r.planDescription)
  }
}

function pooledAccuracyOf (row: PaperPolicyRow, runs: readonly SeedRun[]): { accuracy: number, answered: number } {
  const closed = column(runs, row.policy).map((r) => r.closedLoop)
  const answered = closed.reduce((a, r) => a + r.answered, 0)
  return { accuracy: answered > 0 ? closed.reduce((a, r) => a + r.correct, 0) / answered : Number.NaN, answered }
}

function goalsOf (rows: PaperPolicyRow[], runs: readonly SeedRun[]): GoalCheck[] {
  const tessera = rows.find((r) => r.policy === 'tessera')
  if (tessera === undefined) return []
  const check = (goal: string, target: number, measured: number | null, atLeast: boolean): GoalCheck => ({
    goal, target, measured, met: measured !== null && Number.isFinite(measured) && (atLeast ? measured >= target : measured <= target)
  })
  const lower = tessera.ratioToRayLike.ci95 === null ? null : tessera.ratioToRayLike.mean - tessera.ratioToRayLike.ci95
  const own = pooledAccuracyOf(tessera, runs)
  const baselines = rows.filter((r) => r.policy !== 'tessera').map((r) => pooledAccuracyOf(r, runs).accuracy).filter((a) => Number.isFinite(a))
  const best = baselines.length > 0 ? Math.max(...baselines) : Number.NaN
  // Accuracy goal: tessera's pooled accuracy minus the best baseline's, in tessera's binomial standard errors.
  const gapInStdErrs = Number.isFinite(best) && own.answered > 0 ? (own.accuracy - best) / binomialStdErr(own.accuracy, own.answered) : null
  return [
    check('tessera/ray-like throughput, lower end of the 95% interval', PAPER_GOALS.throughputRatioLower, lower, true),
    check('tessera p95 ÷ ray-like p95 at matched offered load', PAPER_GOALS.p95RatioAtMatchedLoad, tessera.p95AtMatchedLoadRatio, false),
    check('tessera resource utilisation', PAPER_GOALS.resourceUtilisation, tessera.resourceUtilisation.mean, true),
    check('tessera memory utilisation', PAPER_GOALS.memoryUtilisation, tessera.memoryUtilisation.mean, true),
    check('tessera fraction of the throughput bound', PAPER_GOALS.fractionOfBound, tessera.fractionOfBound.mean, true),
    check('tessera accuracy − best baseline\'s, in binomial standard errors', -PAPER_GOALS.accuracyStdErrs, gapInStdErrs, true)
  ]
}

function perScenario (rows: PaperScenarioRow[], f: (tessera: PaperPolicyRow) => MeanCi | number | null): Record<string, MeanCi | number | null> {
  return Object.fromEntries(rows.map((s) => {
    const tessera = s.policies.find((p) => p.policy === 'tessera')
    return [s.scenario, tessera === undefined ? null : f(tessera)]
  }))
}

/** Builds the report from the raw runs. */
export function aggregatePaper (data: PaperRuns): PaperReport {
  const scenarios: PaperScenarioRow[] = data.scenarios.map((s) => {
    const policies = data.policies.map((p) => policyRow(p, s.runs, s.offeredRps, s.bound.upperBoundRps))
    return {
      scenario: s.scenario.name,
      description: s.scenario.description,
      seeds: s.runs.map((r) => r.seed),
      upperBoundRps: s.bound.upperBoundRps,
      bound: s.bound,
      offeredRps: s.offeredRps,
      policies,
      goals: goalsOf(policies, s.runs)
    }
  })
  const runMs: Record<string, number> = {}
  for (const s of data.scenarios) {
    for (const r of s.runs) {
      for (const [policy, ms] of Object.entries(r.runMs)) runMs[policy] = (runMs[policy] ?? 0) + ms
    }
  }
  return {
    scenarios,
    paperFigures: {
      throughputRatio: { paper: PAPER_FIGURES.throughputRatio, paperOpsPerSecond: { ...PAPER_FIGURES.throughputOpsPerSecond }, tessera: perScenario(scenarios, (t) => t.ratioToRayLike) },
      latencyRatio: { paper: PAPER_FIGURES.latencyRatio, paperLatencyMs: PAPER_FIGURES.latencyMs, tessera: perScenario(scenarios, (t) => t.p95AtMatchedLoad?.ratio ?? null) },
      resourceUtilisation: { paper: PAPER_FIGURES.resourceUtilisation, tessera: perScenario(scenarios, (t) => t.resourceUtilisation) },
      memoryUtilisation: { paper: PAPER_FIGURES.memoryUtilisation.tessera, paperRay: PAPER_FIGURES.memoryUtilisation.ray, tessera: perScenario(scenarios, (t) => t.memoryUtilisation) }
    },
    plan: data.plan,
    floatAccuracy: data.floatAccuracy,
    wallClock: {
      fields: ['throughputRps', 'latencyP50Ms', 'latencyP95Ms', 'resourceUtilisation', 'fractionOfBound', 'ratioToRayLike', 'tesseraRatio', 'p95AtMatchedLoad', 'curve', 'accuracy', 'memoryUtilisation', 'goals'],
      totalMs: data.totalMs,
      networkStartMs: data.scenarios.flatMap((s) => s.runs.map((r) => r.networkStartMs)),
      runMs
    }
  }
}
