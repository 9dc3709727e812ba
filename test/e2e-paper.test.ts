// `tessera paper --quick` end to end, as CI runs it (the compiled CLI in a child process): two scenarios × two
// seeds × every policy on real loopback networks. Checks the --json contract, that the seed-dependent figures
// (bound, offered rates, seeds) are the ones the seed and the scenario file determine, that no policy beats the
// LP bound, and that the report folder gets the page and the JSON.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { POLICIES, runTessera } from './cli-process.js'
import { after, before, describe, it } from 'node:test'
import { loadScenario, offeredRates, QUICK_PLAN, QUICK_SCENARIOS, QUICK_SEEDS, seedsOf, throughputBound } from '@tessera/sim'
import type { PaperReport } from '@tessera/sim'

/** The quick run takes a few minutes on two loaded cores; this only stops a hung one. */
const TIMEOUT_MS = 12 * 60_000
/** The MNIST MLP's weight matrices (crossbar orientation). */
const LAYERS = [{ id: 'dense0', inputs: 784, outputs: 256 }, { id: 'dense1', inputs: 256, outputs: 128 }, { id: 'dense2', inputs: 128, outputs: 10 }]

async function runPaper (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await runTessera(['paper', ...args], TIMEOUT_MS)
}

describe('tessera paper --quick --json', { timeout: TIMEOUT_MS + 60_000 }, () => {
  let out: string
  let result: { code: number | null, stdout: string, stderr: string }
  let report: PaperReport

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'tessera-paper-test-'))
    result = await runPaper(['--quick', '--json', '--concurrency', '2', '--out', out])
    if (result.code === 0) report = (JSON.parse(result.stdout) as { paper: PaperReport }).paper
  }, { timeout: TIMEOUT_MS + 30_000 })
  after(async () => {
    await rm(out, { recursive: true, force: true })
  })

  it('exits 0 and prints exactly one JSON document', () => {
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.trim().split('\n').length, 1)
  })

  it('has the quick scenarios, their seeds, and every policy with mean and interval of every figure', () => {
    assert.deepEqual(report.scenarios.map((s) => s.scenario), QUICK_SCENARIOS)
    for (const s of report.scenarios) {
      assert.deepEqual(s.seeds, seedsOf(loadScenario(s.scenario).seed, QUICK_SEEDS))
      assert.deepEqual(s.policies.map((p) => p.policy), POLICIES)
      for (const p of s.policies) {
        assert.equal(p.seeds, QUICK_SEEDS, `${s.scenario}/${p.policy} seeds`)
        for (const key of ['throughputRps', 'latencyP50Ms', 'latencyP95Ms', 'memoryUtilisation', 'resourceUtilisation', 'accuracy', 'fractionOfBound', 'ratioToRayLike'] as const) {
          assert.equal(typeof p[key].mean, 'number', `${s.scenario}/${p.policy}.${key}.mean`)
          assert.ok(p[key].ci95 === null || p[key].ci95 >= 0, `${s.scenario}/${p.policy}.${key}.ci95`)
        }
        assert.ok(p.throughputRps.mean > 0, `${s.scenario}/${p.policy} answered requests`)
        assert.ok(p.p95AtMatchedLoadRatio === null || p.p95AtMatchedLoadRatio > 0)
      }
      const ray = s.policies.find((p) => p.policy === 'ray-like')
      assert.equal(ray?.ratioToRayLike.mean, 1)
    }
    assert.equal(report.paperFigures.throughputRatio.paper, 1.44)
    assert.deepEqual(Object.keys(report.paperFigures.memoryUtilisation.tessera), QUICK_SCENARIOS)
  })

  it('reports the bound and offered rates the scenario files determine (seed-dependent figures repeat)', async () => {
    for (const s of report.scenarios) {
      const scenario = loadScenario(s.scenario)
      const bound = await throughputBound({ nodes: scenario.nodes, layers: LAYERS, closedLoop: { batchSize: QUICK_PLAN.closedLoopBatchSize, batchesInFlight: QUICK_PLAN.closedLoopBatchesInFlight } })
      assert.equal(s.upperBoundRps, bound.upperBoundRps)
      assert.deepEqual(s.offeredRps, offeredRates(bound.upperBoundRps, QUICK_PLAN))
    }
  })

  it('has no policy above the throughput bound', () => {
    for (const s of report.scenarios) {
      for (const p of s.policies) assert.ok(p.fractionOfBound.mean <= 1, `${s.scenario}/${p.policy} at ${p.fractionOfBound.mean} of the bound`)
    }
  })

  it('writes the HTML page and the JSON', () => {
    assert.ok(existsSync(join(out, 'index.html')))
    assert.ok(existsSync(join(out, 'report.json')))
  })
})
