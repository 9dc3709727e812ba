import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runInNewContext } from 'node:vm'
import { InvalidReportDataError, escapeHtml, renderReportPage, writeReportPage } from '../src/index.js'
import type { ReportChart } from '../src/index.js'

const chart: ReportChart = {
  x: [1, 3600, 86400],
  xScale: 'log',
  xTicks: [{ value: 1, label: '1 s' }, { value: 3600, label: '1 h' }, { value: 86400, label: '1 day' }],
  series: [{ label: 'pcm', values: [0.97, 0.965, null] }, { label: 'ideal', values: [0.98, 0.98, 0.98] }],
  yFormat: 'percent'
}

function chartSpecs (html: string): any[] {
  return [...html.matchAll(/<script type="application\/json" data-chart="[^"]+">(.*?)<\/script>/gs)].map((m) => JSON.parse(m[1]))
}

describe('renderReportPage', () => {
  it('inlines uPlot and loads nothing from the network', () => {
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'H', chart }] })
    assert.match(html, /var uPlot=function/)
    assert.match(html, /\.uplot/)
    assert.doesNotMatch(html, /<script[^>]+src=/)
    assert.doesNotMatch(html, /<link[^>]+href=/)
    assert.doesNotMatch(html, /https?:\/\/(?!github\.com\/leeoniya)/)
  })

  it('builds one uPlot per chart from the embedded data, with tick labels and percent formatting', () => {
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'a', chart }] })
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1])
    const bootstrap = scripts[scripts.length - 1]
    const specNodes = [...html.matchAll(/<script type="application\/json" data-chart="([^"]+)">(.*?)<\/script>/gs)]
      .map((m) => ({ textContent: m[2], getAttribute: () => m[1] }))
    const built: Array<{ opts: any, data: any, target: any }> = []
    runInNewContext(bootstrap, {
      document: { querySelectorAll: () => specNodes, getElementById: (id: string) => ({ id }) },
      uPlot: function (this: unknown, opts: unknown, data: unknown, target: unknown) { built.push({ opts, data, target }) }
    })
    assert.equal(built.length, 1)
    // Values from the vm's realm have other prototypes: compare them as plain JSON.
    const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
    const { opts, data, target } = built[0]
    assert.equal(target.id, 'chart-0')
    // A log x axis is plotted as log10(x) on a linear scale; ticks sit at log10 of their values and keep labels.
    const logX = chart.x.map((x) => Math.log10(x))
    assert.deepEqual(plain(data), [logX, ...chart.series.map((s) => s.values)])
    assert.equal(opts.scales.x.distr, undefined)
    assert.deepEqual(plain(opts.axes[0].splits()), logX)
    assert.deepEqual(plain(opts.axes[0].values(null, [logX[0], logX[1], 2])), ['1 s', '1 h', '100'])
    assert.deepEqual(plain(opts.axes[1].values(null, [0.97, 0.5])), ['97.00%', '50.00%'])
    assert.deepEqual(plain(opts.series.slice(1).map((s: any) => s.label)), ['pcm', 'ideal'])
  })

  it('gives every chart its own formatters and ticks', () => {
    const counts = { x: [1, 2, 3], xTicks: [{ value: 2, label: 'two' }], series: [{ label: 'n', values: [10, 20, 30] }] }
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'a', chart: counts }, { heading: 'b', chart }] })
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1])
    const specNodes = [...html.matchAll(/<script type="application\/json" data-chart="([^"]+)">(.*?)<\/script>/gs)]
      .map((m) => ({ textContent: m[2], getAttribute: () => m[1] }))
    const built: any[] = []
    runInNewContext(scripts[scripts.length - 1], {
      document: { querySelectorAll: () => specNodes, getElementById: (id: string) => ({ id }) },
      uPlot: function (opts: unknown) { built.push(opts) }
    })
    assert.equal(built.length, 2)
    // The first chart keeps plain numbers and its own tick label although the second formats percentages.
    assert.deepEqual(JSON.parse(JSON.stringify(built[0].axes[1].values(null, [20]))), ['20'])
    assert.deepEqual(JSON.parse(JSON.stringify(built[0].axes[0].values(null, [2, 3]))), ['two', '3'])
    assert.deepEqual(JSON.parse(JSON.stringify(built[1].axes[1].values(null, [0.5]))), ['50.00%'])
  })

  it('embeds each chart as JSON carrying the given data', () => {
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'a', chart }, { heading: 'b', text: 'no chart' }, { heading: 'c', chart }] })
    const specs = chartSpecs(html)
    assert.equal(specs.length, 2)
    assert.deepEqual(specs[0].x, chart.x)
    assert.deepEqual(specs[0].series.map((s: any) => s.values), chart.series.map((s) => s.values))
    assert.equal(specs[0].xScale, 'log')
    assert.notEqual(specs[0].series[0].color, specs[0].series[1].color)
    assert.match(html, /id="chart-0"/)
    assert.match(html, /id="chart-1"/)
  })

  it('escapes text, table cells and labels, including a closing script tag in chart data', () => {
    const evil = '</script><script>alert(1)</script>'
    const html = renderReportPage({
      title: '<b>x</b>',
      sections: [{ heading: evil, text: [evil], table: { columns: ['a'], rows: [[evil]] }, chart: { x: [1], series: [{ label: evil, values: [1] }] } }]
    })
    assert.equal(html.includes('<script>alert(1)'), false)
    assert.match(html, /<title>&lt;b&gt;x&lt;\/b&gt;<\/title>/)
    assert.equal(chartSpecs(html)[0].series[0].label, evil)
  })

  it('leaves uPlot out of a page without charts', () => {
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'H', table: { columns: ['n'], rows: [[1], [2]] } }] })
    assert.doesNotMatch(html, /uPlot/)
    assert.match(html, /<td class="right">2<\/td>/)
  })

  it('rejects malformed tables and charts with InvalidReportDataError', () => {
    const bad = [
      { heading: 'ragged', table: { columns: ['a', 'b'], rows: [['x']] } },
      { heading: 'short series', chart: { x: [1, 2], series: [{ label: 's', values: [1] }] } },
      { heading: 'decreasing x', chart: { x: [2, 1], series: [{ label: 's', values: [1, 2] }] } },
      { heading: 'log of zero', chart: { x: [0, 1], xScale: 'log' as const, series: [{ label: 's', values: [1, 2] }] } },
      { heading: 'NaN value', chart: { x: [1], series: [{ label: 's', values: [Number.NaN] }] } },
      { heading: 'no series', chart: { x: [1], series: [] } }
    ]
    for (const section of bad) {
      assert.throws(() => renderReportPage({ title: 'T', sections: [section] }), InvalidReportDataError, section.heading)
    }
  })

  it('writes the page to a folder it creates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-report-'))
    try {
      const path = await writeReportPage(join(dir, 'nested', 'deeper'), { title: 'Written', sections: [{ heading: 'H', chart }] })
      assert.equal(path, join(dir, 'nested', 'deeper', 'index.html'))
      const html = await readFile(path, 'utf8')
      assert.match(html, /<h1>Written<\/h1>/)
      assert.equal(chartSpecs(html).length, 1)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})
