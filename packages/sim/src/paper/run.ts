/**
 * The measurement of `tessera paper`: for each scenario its throughput bound, then every seed measured
 * ({@link measureSeed}), one or more seeds at a time, each in a worker thread of its own when more than one
 * runs at once. Returns the raw runs; `aggregate.ts` turns them into the report.
 */
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { describeError } from '@tessera/errors'
import { loadMnistWorkload } from '@tessera/coordinator'
import type { ModelJob } from '@tessera/coordinator'
import { applyOverrides } from '../scenario.js'
import type { Scenario } from '../scenario.js'
import { throughputBound } from './bound.js'
import type { ThroughputBound } from './bound.js'
import { InvalidPaperOptionError } from './errors.js'
import { measureSeed } from './measure.js'
import type { SeedRun } from './measure.js'
import { offeredRates, seedsOf } from './plan.js'
import type { PaperRunPlan } from './plan.js'

/** What one worker measures. */
export interface SeedJob {
  scenario: Scenario
  policies: string[]
  plan: PaperRunPlan
  offeredRps: number[]
  cacheDir: string
}

/** Messages from a worker. */
export type WorkerMessage = { kind: 'phase', line: string } | { kind: 'done', run: SeedRun } | { kind: 'failed', error: string }

/** Options of {@link runPaper}. */
export interface RunPaperInit {
  scenarios: readonly Scenario[]
  seeds: number
  policies: readonly string[]
  plan: PaperRunPlan
  /** Trained-model cache. */
  cacheDir: string
  /** Seeds measured at once (default 1; more run in worker threads). */
  concurrency?: number
  onPhase?: (line: string) => void
}

/** One scenario's measurement. */
export interface ScenarioRuns {
  scenario: Scenario
  bound: ThroughputBound
  offeredRps: number[]
  /** In seed order. */
  runs: SeedRun[]
}

/** The whole measurement. */
export interface PaperRuns {
  plan: PaperRunPlan
  policies: string[]
  scenarios: ScenarioRuns[]
  /** Float32 accuracy of the model on the held-out digits (the same for every seed: only their order changes). */
  floatAccuracy: number
  totalMs: number
}

/** The bound's input for a scenario and a job under the plan's closed loop. */
export async function scenarioBound (scenario: Scenario, job: Pick<ModelJob, 'layers'>, plan: PaperRunPlan): Promise<ThroughputBound> {
  return await throughputBound({
    nodes: scenario.nodes.filter((n) => n.standby !== true),
    layers: job.layers.map((l) => ({ id: l.id, inputs: l.inputs, outputs: l.outputs })),
    closedLoop: { batchSize: plan.closedLoopBatchSize, batchesInFlight: plan.closedLoopBatchesInFlight }
  })
}

function inWorker (job: SeedJob, onPhase: (line: string) => void): Promise<SeedRun> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job })
    let settled = false
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'phase') onPhase(m.line)
      else if (m.kind === 'done') { settled = true; resolve(m.run) } else { settled = true; reject(new InvalidPaperOptionError(`seed ${job.scenario.seed} of ${job.scenario.name} failed: ${m.error}`)) }
    })
    worker.on('error', (err) => { if (!settled) { settled = true; reject(err) } })
    worker.on('exit', (code) => { if (!settled) reject(new InvalidPaperOptionError(`the worker of seed ${job.scenario.seed} exited with code ${code} before reporting`)) })
  })
}

/** Runs the measurement. Throws {@link InvalidPaperOptionError} on bad options or a seed that failed. */
export async function runPaper (init: RunPaperInit): Promise<PaperRuns> {
  const t0 = performance.now()
  const concurrency = init.concurrency ?? 1
  if (!(Number.isSafeInteger(concurrency) && concurrency >= 1)) throw new InvalidPaperOptionError(`concurrency must be a positive integer, got ${concurrency}`)
  if (init.policies.length === 0) throw new InvalidPaperOptionError('no policies')
  const onPhase = init.onPhase ?? (() => {})
  // Trains the model once into the cache, before any worker reads it.
  const reference = await loadMnistWorkload({ cacheDir: init.cacheDir, seed: 'paper' })
  const scenarios: ScenarioRuns[] = []
  const jobs: Array<{ job: SeedJob, slot: SeedRun[], index: number }> = []
  for (const base of init.scenarios) {
    const bound = await scenarioBound(base, reference.job, init.plan)
    const offeredRps = offeredRates(bound.upperBoundRps, init.plan)
    const slot: SeedRun[] = []
    scenarios.push({ scenario: base, bound, offeredRps, runs: slot })
    seedsOf(base.seed, init.seeds).forEach((seed, index) => {
      jobs.push({ job: { scenario: applyOverrides(base, { seed }), policies: [...init.policies], plan: init.plan, offeredRps, cacheDir: init.cacheDir }, slot, index })
    })
  }
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const { job, slot, index } = jobs[next++]
      onPhase(`${job.scenario.name} seed ${job.scenario.seed}: starting`)
      const measure = async (): Promise<SeedRun> => concurrency === 1
        ? await measureSeed({ ...job, workload: await loadMnistWorkload({ cacheDir: init.cacheDir, seed: job.scenario.seed }), onPhase })
        : await inWorker(job, onPhase)
      try {
        slot[index] = await measure()
      } catch (err) {
        // A loopback network on a loaded host sometimes fails to start (a relayed node's reservation lost before a
        // dial): the seed is measured again on a fresh network once, and the whole measurement fails if it fails again.
        onPhase(`${job.scenario.name} seed ${job.scenario.seed}: failed (${describeError(err)}), measuring it again on a fresh network`)
        slot[index] = await measure()
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane))
  return { plan: init.plan, policies: [...init.policies], scenarios, floatAccuracy: reference.floatAccuracy, totalMs: performance.now() - t0 }
}
