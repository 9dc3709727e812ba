import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { blockScales, roundHalfEven } from '../src/physics-scales.js'
import { createDeviceProfile } from '../src/profiles.js'

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour, as torch.round does', () => {
    assert.equal(roundHalfEven(0.5), 0)
    assert.equal(roundHalfEven(1.5), 2)
    assert.equal(roundHalfEven(2.5), 2)
    assert.equal(roundHalfEven(-1.5), -2)
    assert.equal(roundHalfEven(-2.5), -2)
    assert.ok(roundHalfEven(-0.5) === 0)
  })

  it('rounds non-ties to the nearest integer', () => {
    assert.equal(roundHalfEven(2.4999), 2)
    assert.equal(roundHalfEven(2.5001), 3)
    assert.equal(roundHalfEven(-2.5001), -3)
  })
})

describe('blockScales', () => {
  it('gives a b-bit DAC the symmetric codes ±(2^(b−1) − 1)', () => {
    for (const dacBits of [4, 7, 8]) {
      const scales = blockScales(createDeviceProfile('pcm', { dacBits }), 1)
      assert.equal(scales.maxCode, 2 ** (dacBits - 1) - 1)
      assert.equal(scales.maxCode * scales.xUnit, createDeviceProfile('pcm').inputBound)
    }
  })

  it('snaps an ADC step of exactly one weight LSB to 1 kernel unit (CrossSim B_ADC = B_W + ⌈log2 N⌉)', () => {
    // 16 levels: weight LSB 1/15; 8-bit ADC on ±127/15: step 2·(127/15)/254 = 1/15.
    const profile = createDeviceProfile('ideal', { conductanceLevels: 16, adcBits: 8, outputBound: 127 / 15 })
    const scales = blockScales(profile, 0.7)
    assert.equal(scales.adcStepK, 1)
    assert.equal(scales.wScale, 0.7)
  })

  it('uses weight scale 1 for an all-zero block', () => {
    assert.equal(blockScales(createDeviceProfile('pcm'), 0).wScale, 1)
  })
})
