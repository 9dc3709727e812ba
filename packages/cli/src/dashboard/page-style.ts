/** The dashboard page's stylesheet: a dark theme, one colour per peer state (the same in the legend, cards and map). */
export const DASHBOARD_CSS = `
:root {
  --bg: #0e1320; --panel: #161d2d; --panel2: #1b2336; --line: #26314a; --text: #e7ecf6; --muted: #8f9bb3; --faint: #5d6882;
  --accent: #7aa2ff; --good: #3ecf8e; --warn: #f5b041; --bad: #ff6b5a;
  --joining: #5aa9ff; --serving: #3ecf8e; --draining: #f5b041; --unreachable: #ff7a59; --gone: #6b7385; --flagged: #d16ba5;
  --tput: #5aa9ff; --p50: #3ecf8e; --p95: #f5b041;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
header { display: flex; align-items: center; gap: 18px; padding: 14px 24px; border-bottom: 1px solid var(--line);
  background: linear-gradient(180deg, #141b2c, var(--bg)); position: sticky; top: 0; z-index: 5; }
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 18px; letter-spacing: 0.3px; }
.brand small { color: var(--accent); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 1.5px; }
#title { color: var(--muted); flex: 1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#conn { display: flex; align-items: center; gap: 8px; color: var(--muted); font-size: 13px; }
#conn i { width: 10px; height: 10px; border-radius: 50%; background: var(--faint); }
#conn[data-status="live"] i { background: var(--good); box-shadow: 0 0 0 0 rgba(62, 207, 142, 0.6); animation: pulse 2s infinite; }
#conn[data-status="reconnecting"] i { background: var(--warn); }
#conn[data-status="ended"] i { background: var(--gone); }
@keyframes pulse { 0% { box-shadow: 0 0 0 0 rgba(62, 207, 142, 0.5); } 70% { box-shadow: 0 0 0 8px rgba(62, 207, 142, 0); } 100% { box-shadow: 0 0 0 0 rgba(62, 207, 142, 0); } }
#banner { margin: 14px 24px 0; padding: 10px 14px; border-radius: 8px; border: 1px solid #6b4f1d; background: #2a2213; color: #ffd58a; }
#banner[data-kind="ended"] { border-color: var(--line); background: var(--panel); color: var(--muted); }
main { padding: 18px 24px 28px; display: grid; gap: 18px; max-width: 1480px; margin: 0 auto; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; min-width: 0; }
.panel h2 { margin: 0 0 10px; font-size: 13px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 1px;
  display: flex; align-items: baseline; gap: 10px; }
.panel h2 .sub { text-transform: none; letter-spacing: 0; font-weight: 400; color: var(--faint); }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.kpi { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 12px 14px; }
.kpi .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.8px; }
.kpi .value { font-size: 26px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.kpi .value small { font-size: 13px; color: var(--muted); font-weight: 500; margin-left: 3px; }
.kpi .hint { color: var(--faint); font-size: 12px; margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.statebar { display: flex; height: 6px; border-radius: 3px; overflow: hidden; margin-top: 8px; background: var(--panel2); }
.statebar i { display: block; height: 100%; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; color: var(--muted); font-weight: 400; text-transform: none; letter-spacing: 0; margin-left: auto; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.sw { width: 10px; height: 10px; border-radius: 3px; display: inline-block; }
.peers { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 12px; }
.peer { background: var(--panel2); border: 1px solid var(--line); border-left: 4px solid var(--c, var(--faint)); border-radius: 10px; padding: 10px 12px; display: grid; gap: 6px; }
.peer[data-state="gone"] { opacity: 0.55; }
.peer-head { display: flex; align-items: center; gap: 8px; min-width: 0; }
.peer-head b { font-size: 15px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.peer-head code { color: var(--faint); }
.pill { margin-left: auto; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.6px; padding: 2px 8px; border-radius: 999px;
  color: var(--c); background: color-mix(in srgb, var(--c) 16%, transparent); border: 1px solid color-mix(in srgb, var(--c) 45%, transparent); }
.peer-device { color: var(--muted); font-size: 12.5px; }
.bar-row { display: grid; grid-template-columns: 38px 1fr auto; gap: 8px; align-items: center; font-size: 12px; color: var(--muted); }
.bar { height: 8px; background: #0f1522; border-radius: 4px; overflow: hidden; border: 1px solid var(--line); }
.bar i { display: block; height: 100%; background: linear-gradient(90deg, #4e7cff, var(--accent)); border-radius: 4px; }
.bar.load i { background: linear-gradient(90deg, var(--good), var(--warn) 70%, var(--bad)); background-size: 300px 100%; }
.bar-row span { font-variant-numeric: tabular-nums; min-width: 72px; text-align: right; color: var(--text); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; }
.chip { font-size: 11.5px; padding: 1px 7px; border-radius: 6px; background: #0f1522; border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
.chip.path-direct { color: var(--good); } .chip.path-hole-punched { color: #7fe3ff; } .chip.path-relayed { color: var(--warn); } .chip.path-none { color: var(--faint); }
.peer-job { font-size: 12px; color: var(--text); }
.peer-reason { font-size: 11.5px; color: var(--faint); }
.empty { color: var(--faint); padding: 18px 4px; }
.timeline li.empty, .notices li.empty { display: block; }
.chart { width: 100%; min-height: 240px; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; color: var(--muted); }
.u-legend .u-marker { border-radius: 2px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; text-align: left; border-bottom: 1px solid var(--line); font-size: 12.5px; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; }
.map { overflow-x: auto; }
.map td.cell { text-align: center; padding: 3px; }
.map td.cell i { display: inline-block; width: 22px; height: 16px; border-radius: 4px; background: #0f1522; border: 1px solid var(--line); }
.map td.cell i.active { background: var(--serving); border-color: var(--serving); }
.map td.cell i.programming { background: repeating-linear-gradient(45deg, var(--joining) 0 4px, transparent 4px 8px); border-color: var(--joining); }
.map td.cell i.draining { background: var(--draining); border-color: var(--draining); opacity: 0.8; }
.map th.peercol { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: 500; max-height: 120px; }
.map th.peercol.gone { color: var(--faint); text-decoration: line-through; }
ol.timeline { list-style: none; margin: 0; padding: 0; max-height: 380px; overflow-y: auto; display: grid; gap: 8px; }
.timeline li { display: grid; grid-template-columns: 64px 1fr; gap: 10px; align-items: start; }
.timeline .t { color: var(--faint); font-variant-numeric: tabular-nums; text-align: right; padding-top: 2px; font-size: 12px; }
.timeline .what { background: var(--panel2); border: 1px solid var(--line); border-left: 3px solid var(--c); border-radius: 8px; padding: 6px 10px; }
.timeline .kind { font-weight: 650; color: var(--c); text-transform: uppercase; font-size: 11px; letter-spacing: 0.8px; margin-right: 6px; }
.timeline .run { font-size: 11px; color: var(--faint); margin-left: 8px; }
.timeline .gain { float: right; font-variant-numeric: tabular-nums; color: var(--text); font-size: 12px; }
.timeline .why { color: var(--muted); font-size: 12px; margin-top: 2px; }
.d-migrate { --c: #7aa2ff; } .d-replicate { --c: #3ecf8e; } .d-evict { --c: #a0a9bd; } .d-replace { --c: #ff7a59; } .d-admit { --c: #c792ea; }
ul.notices { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; max-height: 220px; overflow-y: auto; }
.notices li { font-size: 12.5px; color: var(--muted); display: grid; grid-template-columns: 74px 1fr; gap: 10px; }
.notices li .t { color: var(--faint); font-variant-numeric: tabular-nums; }
.notices li.warning { color: #ffd58a; } .notices li.error { color: #ff9d92; }
footer { color: var(--faint); font-size: 12px; padding: 0 24px 24px; max-width: 1480px; margin: 0 auto; }
`
