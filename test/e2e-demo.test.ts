// The demo end to end, as a user runs it (the compiled CLI in a child process), on the small scenario (four
// nodes, one of them reachable only through the relay): its --json report has one row per policy, in the registry's order, with every metric, and the
// report folder gets the HTML page and the JSON. With --dashboard 0 it prints the live dashboard's address and
// leaves a screenshot of it in the report folder (CI has Chromium: .ci/browser-deps.sh).
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { POLICIES, runTessera } from './cli-process.js'
import { after, before, describe, it } from 'node:test'

const METRICS = ['throughputRps', 'latencyP50Ms', 'latencyP95Ms', 'memoryUtilisation', 'resourceUtilisation', 'accuracy', 'requestsLost']
const TIMEOUT_MS = 150_000

async function runDemo (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await runTessera(['demo', ...args], TIMEOUT_MS)
}

describe('tessera demo --json', () => {
  let out: string
  let result: { code: number | null, stdout: string, stderr: string }

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'tessera-demo-test-'))
    result = await runDemo(['--json', '--scenario', 'small', '--requests', '64', '--seed', 'e2e-demo', '--out', out, '--dashboard', '0'])
  })
  after(async () => {
    await rm(out, { recursive: true, force: true })
  })

  it('exits 0 and prints exactly one JSON document', () => {
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.trim().split('\n').length, 1)
  })

  it('has the scenario, the seed and one row per policy with every metric', () => {
    const doc = JSON.parse(result.stdout) as { scenario: string, seed: string, policies: Array<Record<string, unknown>>, wallClock: { fields: string[] } }
    assert.equal(doc.scenario, 'small')
    assert.equal(doc.seed, 'e2e-demo')
    assert.deepEqual(doc.policies.map((p) => p.policy), POLICIES)
    for (const row of doc.policies) {
      for (const metric of METRICS) {
        assert.equal(typeof row[metric], 'number', `${String(row.policy)}.${metric}`)
        assert.ok(Number.isFinite(row[metric] as number), `${String(row.policy)}.${metric} is finite`)
      }
      assert.equal(row.requestsLost, 0)
      assert.ok((row.memoryUtilisation as number) > 0 && (row.memoryUtilisation as number) <= 1)
      assert.ok((row.accuracy as number) > 0.5, 'the network classifies digits')
      // tessera verifies every answer; on this honest network nothing is flagged. The baselines do not verify.
      if (row.policy === 'tessera') assert.deepEqual([row.flagged, row.falseAlarms], [0, 0])
      else assert.deepEqual([row.flagged, row.falseAlarms], [null, null])
    }
    assert.ok(doc.wallClock.fields.includes('throughputRps'))
  })

  it('prints the address of its live dashboard and saves a screenshot of it in the report folder', () => {
    assert.match(result.stderr, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m)
    const png = readFileSync(join(out, 'dashboard.png'))
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file')
    assert.ok(png.length > 20_000, `a page, not an empty picture (${png.length} bytes)`)
  })

  it('writes the HTML page and the JSON to the report folder', () => {
    assert.ok(existsSync(join(out, 'index.html')))
    const saved = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { policies: unknown[] }
    assert.equal(saved.policies.length, POLICIES.length)
  })
})
