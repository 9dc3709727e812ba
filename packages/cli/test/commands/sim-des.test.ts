import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { withTempDir } from '../helpers.js'
import { runTessera } from './spawn.js'

/** A tiny scale spec: 60 peers for 30 simulated seconds, one job. */
const tinySpec = {
  name: 'tiny',
  description: 'sixty peers for the CLI test',
  seed: 'cli-des',
  peers: [60],
  simulatedSeconds: 30,
  churnFractionPerMinute: 0.05,
  population: {
    presets: [{ value: 'ideal', weight: 1 }, { value: 'pcm', weight: 1 }],
    geometries: [{ value: 128, weight: 1 }],
    tiles: [{ value: 8, weight: 1 }],
    macsPerSecond: { mean: 8000000, cv: 0.3 },
    oneWayDelayMs: { mean: 10, cv: 0.5 },
    nat: [{ value: 'none', weight: 1 }, { value: 'cone', weight: 1 }],
    holePunchSuccess: { cone: 0.7, symmetric: 0 }
  },
  jobs: { perThousandPeers: 1, arrivalRps: 20, batchSize: 32, batchesInFlight: 4 },
  discovery: { candidates: 24, providersPerBucket: 20 }
}

/** What the test reads of `tessera sim --engine des --scale --json`. */
interface DesScaleDocument {
  des: {
    calibration: { callOverheadMs: number }
    validation: unknown[]
    scale: Array<{
      peers: number
      simulatedSeconds: number
      policies: Array<{ policy: string, requestsLost: number, throughputRps: number, latencyP95Ms: number, dhtMessages: number } & Record<string, unknown>>
    }>
  }
}

describe('tessera sim --engine des --scale', () => {
  it('prints { des: { calibration, validation, scale } } and writes the page; the same seed gives the same rows', async () => {
    await withTempDir(async (dir) => {
      // A saved calibration: the run does not measure the machine, so its result depends on the seed alone.
      await writeFile(join(dir, 'des-calibration.json'), JSON.stringify({ callOverheadMs: 2, pingRttMs: 0, calls: 0, programMsByPreset: { ideal: 5, pcm: 20 } }))
      await writeFile(join(dir, 'tiny.json'), JSON.stringify(tinySpec))
      const args = ['sim', '--engine', 'des', '--scale', '--json', '--out', dir, '--real-dir', join(dir, 'no-real-runs'), '--scale-spec', join(dir, 'tiny.json'), '--policies', 'tessera,random']
      const once = async (): Promise<DesScaleDocument> => {
        const { code, stdout, stderr } = await runTessera(args, 120_000)
        assert.equal(code, 0, stderr)
        return JSON.parse(stdout) as DesScaleDocument
      }
      const a = await once()
      assert.deepEqual(a.des.validation, [])
      assert.equal(a.des.calibration.callOverheadMs, 2)
      assert.equal(a.des.scale.length, 1)
      const row = a.des.scale[0]
      assert.equal(row.peers, 60)
      assert.equal(row.simulatedSeconds, 30)
      assert.deepEqual(row.policies.map((p) => p.policy), ['tessera', 'random'])
      for (const p of row.policies) {
        assert.equal(p.requestsLost, 0)
        assert.ok(p.throughputRps > 0 && p.latencyP95Ms > 0 && p.dhtMessages > 0)
      }
      assert.ok(existsSync(join(dir, 'des-scale.html')))
      assert.match(await readFile(join(dir, 'des-scale.html'), 'utf8'), /Discovery cost against N/)
      const timing = new Set(['wallSeconds', 'cpuSeconds'])
      const strip = (doc: DesScaleDocument): unknown => doc.des.scale.map((s) => s.policies.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !timing.has(k)))))
      assert.deepEqual(strip(await once()), strip(a))
    })
  })

  it('refuses an unknown engine', async () => {
    const { code, stderr } = await runTessera(['sim', '--engine', 'quantum'])
    assert.equal(code, 2)
    assert.match(stderr, /--engine must be loopback or des/)
  })
})
