// The dashboard in a real browser: headless Chromium (Debian's package; .ci/browser-deps.sh installs it in CI)
// driven by puppeteer-core, against a live loopback network of four tessera nodes and a coordinator streaming a
// job through them. Every wait is for a state of the page's DOM, never a fixed time.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createCoordinator } from '@tessera/coordinator'
import type { Coordinator, RunResult } from '@tessera/coordinator'
import type { TesseraNode } from '@tessera/peer'
import type { Browser, Page } from 'puppeteer-core'
import { startDashboard } from '../../src/dashboard/dashboard.js'
import type { Dashboard } from '../../src/dashboard/dashboard.js'
import { CHROMIUM_PATHS, findChromium, launchChromium } from '../../src/dashboard/screenshot.js'
import { startClient, startNodes, stopAll, syntheticJob } from './network.js'
import { until } from './sse-client.js'

const DOM_WAIT_MS = 30_000
/** Long enough for the page to see the stream several times on a loaded machine; the run ends by itself. */
/** An upper bound only: the test stops the run once its checks are done. */
const RUN_DURATION_MS = 120_000

/** Opens the dashboard in a new tab, collecting console errors and uncaught exceptions. */
async function openPage (browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage()
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`) })
  page.on('pageerror', (err) => { errors.push(`page: ${String(err)}`) })
  await page.setViewport({ width: 1400, height: 900 })
  await page.goto(url, { waitUntil: 'load' })
  await page.waitForSelector('body[data-ready="1"]', { timeout: DOM_WAIT_MS })
  return page
}

/** The state attribute of every peer card, by peer id. */
async function cardStates (page: Page): Promise<Record<string, string>> {
  return await page.$$eval('[data-peer-id]', (cards) => Object.fromEntries(cards.map((c) => [c.getAttribute('data-peer-id') ?? '', c.getAttribute('data-state') ?? ''])))
}

/** The number in a KPI card's data-value (NaN when empty). */
async function metric (page: Page, name: string): Promise<number> {
  return await page.$eval(`[data-metric="${name}"]`, (el) => Number(el.getAttribute('data-value') === '' ? Number.NaN : el.getAttribute('data-value')))
}

describe('dashboard in headless Chromium', () => {
  let nodes: TesseraNode[] = []
  let client: TesseraNode | undefined
  let dashboard: Dashboard | undefined
  let coordinator: Coordinator | undefined
  let browser: Browser | undefined
  let page: Page | undefined
  const errors: string[] = []

  before(async () => {
    // CI installs Chromium (.ci/browser-deps.sh): a missing one is a broken set-up, not a reason to skip.
    if (findChromium() === undefined) throw new Error(`Chromium is missing (looked at ${CHROMIUM_PATHS.join(', ')}): install Debian's package with apt-get install chromium, as .ci/browser-deps.sh does`)
    browser = await launchChromium()
    // An emulated compute rate: the placement policy needs each node's throughput (calibration is off for speed).
    nodes = await startNodes(4, { emulatedMacsPerSecond: 200_000_000 })
    client = await startClient(nodes[0])
    dashboard = await startDashboard({ mode: 'run', title: 'browser test', port: 0, watch: { discoverEveryMs: 300, redialTimeoutMs: 2_000 }, runPollMs: 250 })
    await dashboard.watchNode(client)
    coordinator = createCoordinator({ node: client, metricsIntervalMs: 300, callTimeoutMs: 5_000, onPeerSample: dashboard.hooks.onPeerSample })
    const found = await coordinator.discover({ minPeers: nodes.length, timeoutMs: DOM_WAIT_MS })
    assert.equal(found.length, nodes.length)
  })
  after(async () => {
    await browser?.close()
    await coordinator?.stop()
    await dashboard?.stop()
    await stopAll([client, ...nodes])
  })

  it('loads without a console error and shows every peer of the network serving', async () => {
    assert.ok(browser !== undefined && dashboard !== undefined)
    page = await openPage(browser, dashboard.url, errors)
    const ids = nodes.map((n) => n.peerId.toString()).sort()
    await page.waitForFunction((n: number) => [...document.querySelectorAll('[data-peer-id]')].filter((c) => c.getAttribute('data-state') === 'serving').length === n, { timeout: DOM_WAIT_MS }, nodes.length)
    const states = await cardStates(page)
    assert.deepEqual(Object.keys(states).sort(), ids)
    assert.ok(Object.values(states).every((s) => s === 'serving'))
    assert.deepEqual(errors, [])
  })

  it('updates throughput, answers and the placement while a run streams', async () => {
    assert.ok(page !== undefined && coordinator !== undefined && dashboard !== undefined)
    const { job, inputs } = syntheticJob()
    let settled = false
    // The run streams until the checks are done (however slowly a loaded machine gets there), then stops.
    const stop = new AbortController()
    const run: Promise<RunResult> = coordinator.run({
      job, policy: 'tessera', inputs, requests: 1_000_000, durationMs: RUN_DURATION_MS, signal: stop.signal, batchSize: 4, batchesInFlight: 2, seed: 'browser',
      onLiveRun: dashboard.hooks.onLiveRun, onReconfigureEvent: dashboard.hooks.onReconfigureEvent
    }).finally(() => { settled = true })
    try {
      await page.waitForFunction(() => Number(document.querySelector('[data-metric="throughput"]')?.getAttribute('data-value')) > 0, { timeout: DOM_WAIT_MS })
      const answered = await metric(page, 'answered')
      assert.ok(answered > 0)
      await page.waitForFunction((before: number) => Number(document.querySelector('[data-metric="answered"]')?.getAttribute('data-value')) > before, { timeout: DOM_WAIT_MS }, answered)
      assert.equal(settled, false, 'the page showed new answers while the run was still streaming')
      assert.match(await page.$eval('#job-sub', (el) => el.textContent ?? ''), /tessera · streaming/)
      // Every shard's row has at least one active copy on some peer's column.
      const copiesPerShard = await page.$$eval('#placement tr[data-shard]', (rows) => rows.map((r) => r.querySelectorAll('td.cell i.active').length))
      assert.ok(copiesPerShard.length >= 1 && copiesPerShard.every((n) => n >= 1), `the placement map shows every shard's copies: ${JSON.stringify(copiesPerShard)}`)
    } finally {
      stop.abort()
      const result = await run
      dashboard.runFinished(result)
    }
    await page.waitForFunction(() => document.querySelector('#job-sub')?.textContent?.includes('done') === true, { timeout: DOM_WAIT_MS })
    assert.deepEqual(errors, [])
  })

  it('marks a peer gone within seconds of its stopping', async (t) => {
    assert.ok(page !== undefined)
    const leaving = nodes[3]
    const id = leaving.peerId.toString()
    const stoppedAt = performance.now()
    await leaving.stop()
    await page.waitForFunction((peer: string) => document.querySelector(`[data-peer-id="${peer}"]`)?.getAttribute('data-state') === 'gone', { timeout: DOM_WAIT_MS }, id)
    t.diagnostic(`gone on the page ${Math.round(performance.now() - stoppedAt)} ms after the node stopped`)
    const states = await cardStates(page)
    assert.equal(Object.values(states).filter((s) => s === 'serving').length, nodes.length - 1)
    assert.match(await page.$eval(`[data-peer-id="${id}"] .peer-reason`, (el) => el.textContent ?? ''), /re-dial failed/)
    assert.deepEqual(errors, [])
  })

  it('shows the same state to a browser that closes the page and comes back, and says when the command has ended', async () => {
    assert.ok(browser !== undefined && page !== undefined && dashboard !== undefined)
    await page.close()
    await until('the server to forget the closed page', () => dashboard?.clients() === 0, DOM_WAIT_MS)
    page = await openPage(browser, dashboard.url, errors)
    const states = await cardStates(page)
    assert.equal(Object.keys(states).length, nodes.length)
    assert.equal(states[nodes[3].peerId.toString()], 'gone')
    dashboard.end()
    await page.waitForFunction(() => document.getElementById('conn')?.getAttribute('data-status') === 'ended', { timeout: DOM_WAIT_MS })
    assert.match(await page.$eval('#banner', (el) => el.textContent ?? ''), /has finished/)
    assert.deepEqual(errors, [])
  })
})
