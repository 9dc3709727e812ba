import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'

// Runs the real binary (compiled, or the TypeScript source under tsx) on a tiny configuration.
const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
const bin = fileURLToPath(new URL(`../../src/bin.${extension}`, import.meta.url))
const nodeArgs = process.execArgv.filter((arg) => !arg.startsWith('--test'))

function tessera (args: string[]): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, [...nodeArgs, bin, ...args], { encoding: 'utf8', timeout: 120_000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('tessera accuracy', () => {
  let dir = ''
  const tiny = ['--layers', '784,32,10', '--epochs', '1', '--geometries', '128', '--times', '1,86400', '--seeds', '2', '--workers', '1']
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'tessera-accuracy-cli-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('prints exactly {floatAccuracy, rows} with --json and writes the report folder', async () => {
    const out = join(dir, 'report-json')
    const run = tessera(['accuracy', ...tiny, '--presets', 'ideal,pcm', '--no-hwa', '--json', '--out', out, '--cache-dir', join(dir, 'cache')])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stderr, '')
    const json = JSON.parse(run.stdout)
    assert.deepEqual(Object.keys(json), ['floatAccuracy', 'rows'])
    assert.ok(json.floatAccuracy > 0.5 && json.floatAccuracy <= 1)
    assert.equal(json.rows.length, 2 * 1 * 2 * 2)
    for (const row of json.rows) {
      assert.deepEqual(Object.keys(row), ['profile', 'geometry', 'tSeconds', 'driftCompensation', 'accuracyMean', 'accuracyStd', 'seeds'])
      assert.equal(row.geometry, 128)
      assert.equal(row.seeds, 2)
      if (row.profile === 'ideal') assert.equal(row.accuracyMean, json.floatAccuracy)
    }
    assert.deepEqual(json.rows.map((r: { profile: string, tSeconds: number, driftCompensation: boolean }) => `${r.profile}/${r.tSeconds}/${r.driftCompensation}`),
      ['ideal/1/false', 'ideal/1/true', 'ideal/86400/false', 'ideal/86400/true', 'pcm/1/false', 'pcm/1/true', 'pcm/86400/false', 'pcm/86400/true'])
    const full = JSON.parse(await readFile(join(out, 'accuracy.json'), 'utf8'))
    assert.deepEqual(full.rows, json.rows)
    const html = await readFile(join(out, 'index.html'), 'utf8')
    assert.match(html, /MNIST subset/)
    assert.match(html, /var uPlot=function/)
  })

  it('prints the tables and the hardware-aware comparison on the terminal, reusing the cached model', () => {
    const run = tessera(['accuracy', ...tiny, '--presets', 'ideal,rram-4bit', '--hwa-presets', 'rram-4bit', '--out', join(dir, 'report-text'), '--cache-dir', join(dir, 'cache')])
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /Accuracy on crossbar tiles/)
    assert.match(run.stdout, /Hardware-aware training/)
    assert.match(run.stdout, /rram-4bit\s+128×128\s+1 day/)
    // The standard model was trained by the previous test; only the hardware-aware one is new.
    assert.match(run.stderr, /standard model: .* loaded from/)
    assert.match(run.stderr, /training the hardware-aware/)
  })

  it('rejects bad options with the usage exit code and says why', () => {
    const cases: Array<[string[], RegExp]> = [
      [['accuracy', '--presets', 'nope'], /unknown preset "nope"/],
      [['accuracy', '--seeds', '0'], /integer in \[1, 1000000\]/],
      // Each value parses; only together do they fail (checked by the command, not by commander).
      [['accuracy', '--layers', '100,10', '--json'], /--layers must start with 784 inputs/]
    ]
    for (const [args, message] of cases) {
      const run = tessera(args)
      assert.equal(run.status, 2, `${args.join(' ')} (stderr: ${run.stderr})`)
      assert.match(run.stderr, message, args.join(' '))
    }
  })
})
