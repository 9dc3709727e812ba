import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  pcmDriftFactor, pcmDriftMean, pcmDriftStd, pcmProgrammingSigma, pcmReadNoiseQs, pcmReadNoiseTimeFactor
} from '../src/physics-pcm.js'

// docs/crossbar.md "PCM test vectors" (x: σ_prog µS, μ_ν, σ_ν, Q_s), quoted to the digits given there.
// Kept as text so the number of quoted digits sets the tolerance (half a unit in the last digit).
const TABLE = [
  ['1', '1.055', '0.049', '0.008', '0.0088'],
  ['0.5', '0.953', '0.049', '0.008', '0.0138'],
  ['0.1', '0.448', '0.060', '0.0229', '0.0393'],
  ['0', '0.2635', '0.1', '0.045', '0.2']
]
const VECTORS = TABLE.map(([x, sigmaProg, nuMean, nuStd, qs]) => ({ x: Number(x), sigmaProg, nuMean, nuStd, qs }))

/** |value − quoted| ≤ half a unit in the quoted value's last digit. */
function matches (value: number, quoted: string): boolean {
  const decimals = quoted.includes('.') ? quoted.split('.')[1].length : 0
  return Math.abs(value - Number(quoted)) <= 0.5 * 10 ** -decimals
}

describe('PCM laws (aihwkit PCMLikeNoiseModel)', () => {
  for (const v of VECTORS) {
    it(`match the documented test vector at x = ${v.x}`, () => {
      assert.ok(matches(pcmProgrammingSigma(v.x, 25), v.sigmaProg), `σ_prog ${pcmProgrammingSigma(v.x, 25)}`)
      assert.ok(matches(pcmDriftMean(v.x), v.nuMean), `μ_ν ${pcmDriftMean(v.x)}`)
      assert.ok(matches(pcmDriftStd(v.x), v.nuStd), `σ_ν ${pcmDriftStd(v.x)}`)
      assert.ok(matches(pcmReadNoiseQs(v.x), v.qs), `Q_s ${pcmReadNoiseQs(v.x)}`)
    })
  }

  it('scales programming noise with g_max / 25 µS', () => {
    assert.ok(Math.abs(pcmProgrammingSigma(1, 50) - 2 * 1.05538) < 1e-9)
  })

  it('drifts by 0.775 after 1 h, 0.664 after 1 day, 0.497 after 1 year at ν = 0.049', () => {
    assert.ok(Math.abs(pcmDriftFactor(3600, 0.049) - 0.775) <= 0.0005)
    assert.ok(Math.abs(pcmDriftFactor(86400, 0.049) - 0.664) <= 0.0005)
    assert.ok(Math.abs(pcmDriftFactor(365 * 86400, 0.049) - 0.497) <= 0.0005)
  })

  it('does not drift before t0 = 20 s', () => {
    assert.equal(pcmDriftFactor(1, 0.1), 1)
    assert.equal(pcmDriftFactor(19.9, 0.1), 1)
    assert.ok(pcmDriftFactor(21, 0.1) < 1)
  })

  it('accumulates 1/f read noise as √ln((t + t_read) / (2 t_read)) with t = t_inference + t_read', () => {
    assert.equal(pcmReadNoiseTimeFactor(0), 0)
    const tRead = 250e-9
    const t = 1 + tRead
    assert.ok(Math.abs(pcmReadNoiseTimeFactor(1) - Math.sqrt(Math.log((t + tRead) / (2 * tRead)))) < 1e-12)
    assert.ok(pcmReadNoiseTimeFactor(3600) > pcmReadNoiseTimeFactor(1))
  })
})
