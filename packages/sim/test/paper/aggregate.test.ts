import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { aggregatePaper } from '../../src/paper/aggregate.js'
import { FULL_PLAN } from '../../src/paper/plan.js'
import type { OpenLoopPoint, PolicySeedRun, RunFigures, SeedRun } from '../../src/paper/measure.js'
import type { PaperRuns } from '../../src/paper/run.js'
import type { Scenario } from '../../src/scenario.js'
import type { ThroughputBound } from '../../src/paper/bound.js'

function figures (throughputRps: number, latencyP95Ms: number, answered = 100, correct = 97): RunFigures {
  return { requests: answered, answered, requestsLost: 0, throughputRps, latencyP50Ms: latencyP95Ms / 2, latencyP95Ms, memoryUtilisation: 0.9, resourceUtilisation: 0.5, accuracy: correct / answered, correct }
}

function point (offeredRps: number, latencyP95Ms: number, sustained: boolean): OpenLoopPoint {
  return { ...figures(offeredRps, latencyP95Ms), offeredRps, batchSize: 8, achievedRps: sustained ? offeredRps : offeredRps / 2, sustained }
}

function policy (name: string, throughputRps: number, open: Array<OpenLoopPoint | null>): PolicySeedRun {
  return { policy: name, closedLoop: figures(throughputRps, 100), openLoop: open, planDescription: 'plan' }
}

const bound: ThroughputBound = { upperBoundRps: 200, capacityBoundRps: 200, concurrencyBoundRps: null, leastBatchMs: null, binding: 'capacity', macsPerSecondByNode: {}, tilesByNode: {} }
const scenario = { name: 's', description: 'd', seed: 'x', requests: 1, batchSize: 1, batchesInFlight: 1, nodes: [] } as unknown as Scenario

function seedRun (seed: string, tessera: number, ray: number, rayP95: number): SeedRun {
  return {
    scenario: 's',
    seed,
    networkStartMs: 1,
    runMs: { tessera: 1, 'ray-like': 1 },
    policies: [
      // tessera sustains both rates; ray-like only the first under seed b.
      policy('tessera', tessera, [point(20, 50, true), point(40, 60, true)]),
      policy('ray-like', ray, [point(20, rayP95, true), seed === 'b' ? point(40, 500, false) : point(40, 2 * rayP95, true)])
    ]
  }
}

describe('aggregatePaper', () => {
  const data: PaperRuns = {
    plan: FULL_PLAN,
    policies: ['tessera', 'ray-like'],
    floatAccuracy: 0.97,
    totalMs: 1,
    scenarios: [{ scenario, bound, offeredRps: [20, 40], runs: [seedRun('a', 100, 50, 100), seedRun('b', 90, 60, 200)] }]
  }
  const report = aggregatePaper(data)
  const [tessera, ray] = report.scenarios[0].policies

  it('pairs throughput ratios by seed and states fractions of the bound', () => {
    // Ratios 2 and 1.5: mean 1.75, s = 0.353553, t(1) = 12.706205.
    assert.equal(tessera.ratioToRayLike.mean, 1.75)
    assert.ok(Math.abs((tessera.ratioToRayLike.ci95 ?? 0) - 12.706205 * 0.353553 / Math.SQRT2) < 1e-5)
    assert.equal(ray.ratioToRayLike.mean, 1)
    assert.equal(ray.tesseraRatio.mean, 1.75)
    assert.equal(tessera.fractionOfBound.mean, 95 / 200)
  })

  it('compares p95 per seed at the highest rate both sustain under that seed', () => {
    // Seed a: both sustain 40 req/s, 60 / 200. Seed b: ray-like does not sustain 40, so 20: 50 / 200.
    assert.deepEqual(tessera.p95AtMatchedLoad?.offeredRpsBySeed, [40, 20])
    assert.equal(tessera.p95AtMatchedLoadRatio, (0.3 + 0.25) / 2)
    assert.equal(ray.p95AtMatchedLoad, null)
    assert.deepEqual(tessera.curve.map((c) => c.sustainedSeeds), [2, 2])
    assert.deepEqual(ray.curve.map((c) => c.sustainedSeeds), [2, 1])
  })

  it('checks the goals against the paper\'s figures', () => {
    const goals = report.scenarios[0].goals
    const byName = (prefix: string): boolean | undefined => goals.find((g) => g.goal.startsWith(prefix))?.met
    // Lower end 1.75 − 3.18 < 1.44; p95 ratio 0.275 ≤ 0.70; memory 0.9 < 0.95; equal accuracies are within 2 SE.
    assert.equal(byName('tessera/ray-like throughput'), false)
    assert.equal(byName('tessera p95'), true)
    assert.equal(byName('tessera memory'), false)
    assert.equal(byName('tessera accuracy'), true)
  })

  it('gives the same report for the same runs', () => {
    assert.deepEqual(aggregatePaper(structuredClone(data)), report)
  })
})
