import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { DEFAULT_CHART_HEIGHT_PX, DEFAULT_MARKER_COLOR, InvalidReportDataError, escapeHtml, renderReportPage, writeReportPage } from '../src/index.js'
import type { ReportChart } from '../src/index.js'

const chart: ReportChart = {
  x: [1, 3600, 86400],
  xScale: 'log',
  xTicks: [{ value: 1, label: '1 s' }, { value: 3600, label: '1 h' }, { value: 86400, label: '1 day' }],
  series: [{ label: 'pcm', values: [0.97, 0.965, null] }, { label: 'ideal', values: [0.98, 0.98, 0.98] }],
  yFormat: 'percent'
}

/** A chart as the page embeds it in JSON, as far as these tests read it. */
interface EmbeddedChart {
  x: number[]
  xScale?: string
  series: Array<{ label: string, values: Array<number | null>, color: string }>
  markers?: Array<{ n: number, x: number, label: string, color: string, dashed: boolean }>
}

/**
 * The uPlot options the page's chart script builds, as far as these tests call into them. The hooks come from the
 * page's script, run in a vm: the tests hand them a stand-in chart (see fakeChart).
 */
interface BuiltChartOptions {
  height: number
  padding?: number[]
  scales: { x: { distr?: number } }
  axes: Array<{ splits: () => number[], values: (u: null, splits: number[]) => string[] }>
  series: Array<{ label?: string }>
  plugins?: Array<{ hooks: MarkerHooks }>
}

type MarkerHooks = Record<'draw' | 'init' | 'setCursor', (u: unknown) => void>

/** The marker tooltip the plugin appends to the chart. */
interface Tooltip { style: { display: string }, textContent: string }

/** The hooks of the marker plugin, which a chart with markers has. */
function markerHooks (opts: BuiltChartOptions): MarkerHooks {
  const plugin = opts.plugins?.[0]
  assert.ok(plugin !== undefined, 'a chart with markers has the marker plugin')
  return plugin.hooks
}

function chartSpecs (html: string): EmbeddedChart[] {
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
    const built: Array<{ opts: BuiltChartOptions, data: unknown, target: { id: string } }> = []
    runInNewContext(bootstrap, {
      document: { querySelectorAll: () => specNodes, getElementById: (id: string) => ({ id }) },
      uPlot: function (this: unknown, opts: BuiltChartOptions, data: unknown, target: { id: string }) { built.push({ opts, data, target }) }
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
    assert.deepEqual(plain(opts.series.slice(1).map((s) => s.label)), ['pcm', 'ideal'])
  })

  it('gives every chart its own formatters and ticks', () => {
    const counts = { x: [1, 2, 3], xTicks: [{ value: 2, label: 'two' }], series: [{ label: 'n', values: [10, 20, 30] }] }
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'a', chart: counts }, { heading: 'b', chart }] })
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1])
    const specNodes = [...html.matchAll(/<script type="application\/json" data-chart="([^"]+)">(.*?)<\/script>/gs)]
      .map((m) => ({ textContent: m[2], getAttribute: () => m[1] }))
    const built: BuiltChartOptions[] = []
    runInNewContext(scripts[scripts.length - 1], {
      document: { querySelectorAll: () => specNodes, getElementById: (id: string) => ({ id }) },
      uPlot: function (opts: BuiltChartOptions) { built.push(opts) }
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
    assert.deepEqual(specs[0].series.map((s) => s.values), chart.series.map((s) => s.values))
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
      { heading: 'no series', chart: { x: [1], series: [] } },
      { heading: 'marker at NaN', chart: { x: [1], series: [{ label: 's', values: [1] }], markers: [{ x: Number.NaN, label: 'm' }] } },
      { heading: 'marker without label', chart: { x: [1], series: [{ label: 's', values: [1] }], markers: [{ x: 1, label: '' }] } }
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

/** Runs the page's chart script against a stand-in uPlot that records its options. */
function buildCharts (html: string, pxRatio = 1): BuiltChartOptions[] {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1])
  const specNodes = [...html.matchAll(/<script type="application\/json" data-chart="([^"]+)">(.*?)<\/script>/gs)]
    .map((m) => ({ textContent: m[2], getAttribute: () => m[1] }))
  const built: BuiltChartOptions[] = []
  const uPlot = Object.assign(function (opts: BuiltChartOptions) { built.push(opts) }, { pxRatio })
  runInNewContext(scripts[scripts.length - 1], {
    document: {
      querySelectorAll: () => specNodes,
      getElementById: (id: string) => ({ id }),
      createElement: () => ({ style: {}, className: '', textContent: '' })
    },
    uPlot
  })
  return built
}

interface Box { left: number, right: number, y: number }

/**
 * A stand-in for a built uPlot: a linear x scale over [min, max] drawn on a plot `plotWidthPx` CSS pixels wide,
 * and a canvas context that records lines, rectangles and text (text 6 CSS px per character).
 */
function fakeChart (opts: BuiltChartOptions, min: number, max: number, pxRatio: number) {
  const plotWidthPx = 800
  const leftPx = 60
  const band = opts.padding?.[0]
  assert.ok(band !== undefined, 'a chart with markers has a band above the plot')
  const bbox = { left: leftPx * pxRatio, top: band * pxRatio, width: plotWidthPx * pxRatio, height: 300 * pxRatio }
  const lines: Array<{ x: number, fromY: number, toY: number, dash: number[] }> = []
  const rects: Array<Box & { width: number, fill: string }> = []
  const texts: Array<{ text: string, x: number, y: number, fill: string }> = []
  let dash: number[] = []
  let from = { x: 0, y: 0 }
  const ctx = {
    canvas: { width: (leftPx + plotWidthPx + 20) * pxRatio },
    fillStyle: '',
    strokeStyle: '',
    save () {},
    restore () {},
    setLineDash (d: number[]) { dash = [...d] },
    beginPath () {},
    moveTo (x: number, y: number) { from = { x, y } },
    lineTo (x: number, y: number) { lines.push({ x, fromY: from.y, toY: y, dash }); assert.equal(x, from.x, 'marker lines are vertical') },
    stroke () {},
    // Rows are compared by their centre, rounded so that the sums of the layout compare equal.
    fillRect (x: number, y: number, w: number, h: number) { rects.push({ left: x, right: x + w, width: w, y: Math.round((y + h / 2) * 1000), fill: this.fillStyle }) },
    fillText (text: string, x: number, y: number) { texts.push({ text, x, y, fill: this.fillStyle }) },
    measureText (text: string) { return { width: text.length * 6 * pxRatio } }
  }
  const valToPos = (v: number, _key: string, canvas = false): number =>
    (v - min) / (max - min) * plotWidthPx * (canvas ? pxRatio : 1) + (canvas ? bbox.left : 0)
  const u = { ctx, bbox, scales: { x: { min, max } }, valToPos, cursor: { left: -10, top: -10 }, over: { clientWidth: plotWidthPx, appendChild (_el: unknown) {} } }
  return { u, lines, rects, texts, valToPos }
}

describe('chart markers', () => {
  const evil = '</script><b>'
  const marked: ReportChart = {
    x: [0, 10, 20, 30],
    xLabel: 'time (s)',
    xTicks: [{ value: 20, label: 'twenty' }],
    series: [{ label: 'throughput', values: [5, 6, 4, 5] }],
    markers: [
      { x: 20, label: 'evict n3', color: '#CC79A7' },
      { x: 5, label: '2 nodes slow to 1/3', dashed: true },
      { x: 45, label: 'after the data' },
      { x: 12.5, label: evil }
    ]
  }

  it('embeds the markers in x order, numbered, and a label cannot close the script element', () => {
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'm', chart: marked }] })
    assert.equal(html.includes(evil), false)
    assert.deepEqual(chartSpecs(html)[0].markers, [
      { n: 1, x: 5, label: '2 nodes slow to 1/3', color: DEFAULT_MARKER_COLOR, dashed: true },
      { n: 2, x: 12.5, label: evil, color: DEFAULT_MARKER_COLOR, dashed: false },
      { n: 3, x: 20, label: 'evict n3', color: '#CC79A7', dashed: false },
      { n: 4, x: 45, label: 'after the data', color: DEFAULT_MARKER_COLOR, dashed: false }
    ])
  })

  it('lists the markers under the chart in x order, escaped, with tick labels and off-chart ones marked', () => {
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'm', chart: marked }] })
    const list = html.match(/<ol class="markers">([\s\S]*?)<\/ol>/)
    assert.ok(list !== null, 'the page has a marker list')
    const items = [...list[1].matchAll(/<li( class="off")?><span class="mk-n"><i style="background:([^"]*)"><\/i>(\d+)<\/span><span class="mk-x">([^<]*)<\/span> (.*?)<\/li>/g)]
      .map((m) => ({ off: m[1] !== undefined, color: m[2], n: Number(m[3]), at: m[4], text: m[5] }))
    assert.deepEqual(items, [
      { off: false, color: DEFAULT_MARKER_COLOR, n: 1, at: '5', text: '2 nodes slow to 1/3' },
      { off: false, color: DEFAULT_MARKER_COLOR, n: 2, at: '12.5', text: '&lt;/script&gt;&lt;b&gt;' },
      { off: false, color: '#CC79A7', n: 3, at: 'twenty', text: 'evict n3' },
      { off: true, color: DEFAULT_MARKER_COLOR, n: 4, at: '45', text: 'after the data <em>(outside the chart)</em>' }
    ])
    assert.match(html, /Markers: number, time \(s\), label/)
  })

  it('leaves the list, the plugin and the marker band out of a chart without markers', () => {
    const html = renderReportPage({ title: 'T', sections: [{ heading: 'plain', chart: { ...marked, markers: [] } }, { heading: 'm', chart: marked }] })
    assert.equal([...html.matchAll(/<ol class="markers">/g)].length, 1)
    const [plain, withMarkers] = buildCharts(html)
    assert.equal(plain.plugins, undefined)
    assert.equal(plain.padding, undefined)
    assert.equal(plain.height, DEFAULT_CHART_HEIGHT_PX)
    // The band for the badges is added above the plot, so the plot keeps its height.
    assert.equal(withMarkers.plugins?.length, 1)
    const band = withMarkers.padding?.[0] ?? 0
    assert.ok(band > 0)
    assert.equal(withMarkers.height, DEFAULT_CHART_HEIGHT_PX + band)
  })

  it('draws one line per marker inside the x range and skips the others', () => {
    const pxRatio = 2
    const [opts] = buildCharts(renderReportPage({ title: 'T', sections: [{ heading: 'm', chart: marked }] }), pxRatio)
    const chart = fakeChart(opts, 0, 30, pxRatio)
    markerHooks(opts).draw(chart.u)
    const inRange = [5, 12.5, 20]
    assert.deepEqual(chart.lines.map((l) => l.x), inRange.map((x) => Math.round(chart.valToPos(x, 'x', true)) + 0.5))
    for (const line of chart.lines) assert.equal(line.toY, chart.u.bbox.top + chart.u.bbox.height)
    // Only the scenario marker is dashed.
    assert.deepEqual(chart.lines.map((l) => l.dash.length > 0), [true, false, false])
    // Far apart, each marker gets its number and its label.
    assert.deepEqual(chart.texts.map((t) => t.text).sort(), ['1', '2', '3', '2 nodes slow to 1/3', evil, 'evict n3'].sort())
  })

  it('writes badge numbers in white on dark colours and in black on light ones', () => {
    const colours = { dark: '#000080', light: '#F0E442' }
    const html = renderReportPage({
      title: 'T',
      sections: [{ heading: 'm', chart: { ...marked, markers: [{ x: 2, label: 'a', color: colours.dark }, { x: 15, label: 'b', color: colours.light }, { x: 28, label: 'c' }] } }]
    })
    const [opts] = buildCharts(html)
    const chart = fakeChart(opts, 0, 30, 1)
    markerHooks(opts).draw(chart.u)
    const numberFill = (n: string): string | undefined => chart.texts.find((t) => t.text === n)?.fill
    assert.deepEqual([numberFill('1'), numberFill('2'), numberFill('3')], ['#fff', '#111', '#fff'])
  })

  it('keeps badges and labels of close markers from overlapping', () => {
    const pxRatio = 2
    fc.assert(fc.property(
      // Tenths spread markers over the axis and make close ones and exact ties likely.
      fc.array(fc.record({ x: fc.integer({ min: -50, max: 1050 }).map((t) => t / 10), label: fc.string({ minLength: 1, maxLength: 30 }).filter((l) => l.trim() !== '' && !/^\d+$/.test(l)) }), { minLength: 1, maxLength: 40 }),
      (markers) => {
        const chartData: ReportChart = { x: [0, 100], series: [{ label: 's', values: [1, 2] }], markers }
        const [opts] = buildCharts(renderReportPage({ title: 'T', sections: [{ heading: 'p', chart: chartData }] }), pxRatio)
        const chart = fakeChart(opts, 0, 100, pxRatio)
        markerHooks(opts).draw(chart.u)
        const inRange = markers.filter((m) => m.x >= 0 && m.x <= 100)
        assert.equal(chart.lines.length, inRange.length)
        // A row's items: white label boxes (each starting or ending with its own badge) and bare badges.
        const labelBoxes = chart.rects.filter((r) => r.fill.startsWith('rgba(255'))
        const badges = chart.rects.filter((r) => !r.fill.startsWith('rgba(255'))
        const owns = (box: Box, b: Box): boolean => b.y === box.y && (b.left === box.left || b.right === box.right)
        const items = [...labelBoxes, ...badges.filter((b) => !labelBoxes.some((box) => owns(box, b)))]
        assert.equal(items.length, badges.length, 'one item per badge')
        for (let i = 0; i < items.length; i++) {
          assert.ok(items[i].left >= 0 && items[i].right <= chart.u.ctx.canvas.width, 'inside the canvas')
          for (let j = i + 1; j < items.length; j++) {
            if (items[i].y !== items[j].y) continue
            assert.ok(items[i].right <= items[j].left || items[j].right <= items[i].left, `items ${i} and ${j} overlap`)
          }
        }
        // Each badge sits on its own line, and every line starts at its badge's row or at the plot's top.
        const numbers = chart.texts.filter((t) => /^\d+$/.test(t.text))
        assert.equal(numbers.length, badges.length)
        for (const badge of badges) {
          const line = chart.lines.find((l) => l.x >= badge.left && l.x <= badge.right && Math.round(l.fromY * 1000) === badge.y)
          assert.ok(line !== undefined, 'a badge has a line through it')
        }
        for (const line of chart.lines) assert.ok(line.fromY <= chart.u.bbox.top)
      }
    ), { numRuns: 60, seed: 20261125 })
  })

  it('shows the labels of the markers under the cursor in a tooltip', () => {
    const html = renderReportPage({
      title: 'T',
      sections: [{ heading: 'm', chart: { ...marked, markers: [...marked.markers ?? [], { x: 20, label: 'admit n9' }] } }]
    })
    const [opts] = buildCharts(html)
    const chart = fakeChart(opts, 0, 30, 1)
    const hooks = markerHooks(opts)
    let appended: Tooltip | undefined
    chart.u.over.appendChild = (el: unknown) => { appended = el as Tooltip }
    hooks.init(chart.u)
    chart.u.cursor.left = chart.valToPos(20, 'x') + 3
    hooks.setCursor(chart.u)
    assert.equal(appended?.style.display, 'block')
    // Both markers at x = 20, with the tick label of their x.
    assert.deepEqual(appended?.textContent.split('\n'), ['3  twenty  evict n3', '4  twenty  admit n9'])
    // 12 px from the nearest line is not on it.
    chart.u.cursor.left = chart.valToPos(20, 'x') + 12
    hooks.setCursor(chart.u)
    assert.equal(appended?.style.display, 'none')
    chart.u.cursor.left = -10
    hooks.setCursor(chart.u)
    assert.equal(appended?.style.display, 'none')
  })
})

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})
