/**
 * The dashboard page: one self-contained HTML document (stylesheet, script and uPlot inlined — no CDN, it works
 * offline). The server sends it as is; the data arrives over `/api/events`.
 */
import { loadChartAssets } from '@tessera/report'
import { DASHBOARD_SCRIPT } from './page-script.js'
import { DASHBOARD_CSS } from './page-style.js'
import { PEER_STATES } from './types.js'

const TILES = '<rect x="1" y="1" width="9" height="9" rx="2" fill="#5aa9ff"/><rect x="12" y="1" width="9" height="9" rx="2" fill="#3ecf8e"/><rect x="1" y="12" width="9" height="9" rx="2" fill="#3ecf8e"/><rect x="12" y="12" width="9" height="9" rx="2" fill="#f5b041"/>'
/** Four tiles, the mark of the page's header. */
const LOGO_SVG = `<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true">${TILES}</svg>`
/** The same mark as the browser tab's icon (served at /favicon.ico). */
export const DASHBOARD_ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="22" height="22" viewBox="0 0 22 22">${TILES}</svg>`

function stateLegend (): string {
  return PEER_STATES.map((s) => `<span><i class="sw" style="background:var(--${s})"></i>${s}</span>`).join('')
}

const PLACEMENT_LEGEND = '<span><i class="sw" style="background:var(--serving)"></i>active copy</span>' +
  '<span><i class="sw" style="background:repeating-linear-gradient(45deg,var(--joining) 0 3px,transparent 3px 6px);border:1px solid var(--joining)"></i>programming</span>' +
  '<span><i class="sw" style="background:var(--draining)"></i>draining</span>'

const BODY = `
<header>
  <div class="brand">${LOGO_SVG}tessera <small>live</small></div>
  <div id="title">connecting…</div>
  <div id="conn" data-status="connecting"><i></i><span>connecting…</span></div>
</header>
<div id="banner" hidden></div>
<main>
  <section class="kpis" id="kpis"></section>
  <section class="grid2">
    <div class="panel"><h2>Throughput <span class="sub" id="job-sub"></span></h2><div class="chart" id="chart-tput"></div></div>
    <div class="panel"><h2>Shard-call latency <span class="sub">p50 and p95 per second; dashed lines: reconfiguration decisions</span></h2><div class="chart" id="chart-lat"></div></div>
  </section>
  <section class="panel"><h2>Peers <span class="legend">${stateLegend()}</span></h2><div class="peers" id="peers"></div></section>
  <section class="grid2">
    <div class="panel"><h2>Placement <span class="legend">${PLACEMENT_LEGEND}</span></h2><div id="placement"></div></div>
    <div class="panel"><h2>Reconfiguration decisions</h2><ol class="timeline" id="decisions"></ol></div>
  </section>
  <section class="panel" id="runs-panel" hidden><h2>Finished runs</h2><table id="runs"></table></section>
  <section class="panel"><h2>Notices</h2><ul class="notices" id="notices"></ul></section>
</main>
<footer id="sources"></footer>
`

let cached: string | undefined

/** The page's HTML (built once per process). */
export function dashboardPage (): string {
  if (cached !== undefined) return cached
  const uplot = loadChartAssets()
  cached = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>tessera · live</title>',
    `<style>${uplot.css}</style>`,
    `<style>${DASHBOARD_CSS}</style>`,
    '</head>',
    '<body>',
    BODY,
    `<script>${uplot.script}</script>`,
    `<script>${DASHBOARD_SCRIPT}</script>`,
    '</body>',
    '</html>',
    ''
  ].join('\n')
  return cached
}
