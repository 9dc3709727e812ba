import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidProfileError } from '../src/errors.js'
import { createDeviceProfile, PRESET_NAMES } from '../src/profiles.js'
import type { PresetName } from '../src/profiles.js'

describe('device profiles', () => {
  it('creates every preset with the default 256×256 geometry and other square and rectangular ones', () => {
    for (const preset of PRESET_NAMES) {
      const p = createDeviceProfile(preset)
      assert.equal(p.preset, preset)
      assert.deepEqual(p.geometry, { rows: 256, cols: 256 })
      assert.ok(p.timing.mvmLatencyNs > 0 && p.timing.energyPjPerMac > 0)
      for (const [rows, cols] of [[128, 128], [512, 512], [128, 512]]) {
        assert.deepEqual(createDeviceProfile(preset, { rows, cols }).geometry, { rows, cols })
      }
    }
  })

  it('pcm carries aihwkit\'s PCM and IOParameters defaults and the IBM chip timing', () => {
    const p = createDeviceProfile('pcm')
    assert.equal(p.deviceModel, 'pcm')
    assert.equal(p.gMaxMicroSiemens, 25)
    assert.equal(p.dacBits, 7) // inp_res = 1/(2^7 − 2): 127 levels on [−1, 1]
    assert.equal(p.inputBound, 1)
    assert.equal(p.adcBits, 9) // out_res = 1/(2^9 − 2) of the ±12 range
    assert.equal(p.outputBound, 12)
    assert.equal(p.outputNoise, 0.06)
    assert.equal(p.noiseManagement, 'abs-max')
    assert.equal(p.boundManagement, 'iterative')
    assert.equal(p.driftCompensation, true)
    assert.equal(p.t0Seconds, 20)
    assert.equal(p.tReadSeconds, 250e-9)
    assert.deepEqual(p.timing, { mvmLatencyNs: 133, energyPjPerMac: 0.2 })
    assert.equal(createDeviceProfile('rram-4bit').conductanceLevels, 16)
  })

  it('gives ideal a zero noiseLevel and orders the noisy presets by fidelity', () => {
    const level = (preset: PresetName): number => createDeviceProfile(preset, { rows: 128, cols: 128 }).noiseLevel
    assert.equal(level('ideal'), 0)
    assert.ok(level('rram-hifi') > 0)
    assert.ok(level('rram-hifi') < level('pcm'))
    assert.ok(level('pcm') < level('rram-4bit'))
    // Deterministic, and it responds to the physics it summarises.
    assert.equal(level('pcm'), createDeviceProfile('pcm', { rows: 128, cols: 128 }).noiseLevel)
    assert.ok(createDeviceProfile('pcm', { rows: 128, cols: 128, outputNoise: 0.5 }).noiseLevel > level('pcm'))
    assert.equal(createDeviceProfile('pcm', { noiseLevel: 0.25 }).noiseLevel, 0.25)
  })

  it('applies physics and timing overrides', () => {
    const p = createDeviceProfile('rram-4bit', { conductanceLevels: 8, irDrop: 0.1, timing: { mvmLatencyNs: 50 } })
    assert.equal(p.conductanceLevels, 8)
    assert.equal(p.irDrop, 0.1)
    assert.equal(p.timing.mvmLatencyNs, 50)
    assert.equal(p.timing.energyPjPerMac, 0.2)
  })

  it('rejects bad presets, geometry and physics with named errors', () => {
    assert.throws(() => createDeviceProfile('memristor' as PresetName), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { rows: 0 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { cols: 2.5 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { rows: 1e6 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { conductanceLevels: 1 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { gMinMicroSiemens: 30 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { outputNoise: -0.1 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { outputNoise: Number.NaN }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { stuckAtGminFraction: 0.7, stuckAtGmaxFraction: 0.7 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { dacBits: 1 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { outputBound: 0 }), InvalidProfileError)
    assert.throws(() => createDeviceProfile('pcm', { timing: { mvmLatencyNs: -1 } }), InvalidProfileError)
  })
})
