import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadChartAssets } from '../src/index.js'

describe('loadChartAssets', () => {
  it('reads the uPlot browser build and stylesheet from node_modules', () => {
    const assets = loadChartAssets()
    assert.match(assets.script, /^\/\*! https:\/\/github\.com\/leeoniya\/uPlot/)
    assert.match(assets.css, /\.uplot/)
    assert.equal(loadChartAssets(), assets)
  })
})
