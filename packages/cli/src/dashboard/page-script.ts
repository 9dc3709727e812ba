/**
 * The dashboard page's script (runs in the browser; plain ES2017, no imports). It opens `/api/events`, renders
 * every `state` event, and says so plainly when the stream breaks (EventSource reconnects by itself; a browser
 * that comes back gets the whole state at once) or when the command has ended. Everything from the state is
 * inserted as text (escaped), never as markup. uPlot draws the two charts.
 */
export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';
  var STATES = ['joining', 'serving', 'draining', 'unreachable', 'gone', 'flagged'];
  var $ = function (id) { return document.getElementById(id); };
  var esc = function (s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); };
  var num = function (x, d) { return x == null || !isFinite(x) ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d == null ? 1 : d, minimumFractionDigits: d == null ? 0 : d }); };
  var pct = function (x) { return x == null || !isFinite(x) ? '–' : (100 * x).toFixed(1) + '%'; };
  var rate = function (g) { return g >= 1 ? num(g, 2) + ' GFLOP/s' : num(g * 1000, 1) + ' MFLOP/s'; };
  var shortId = function (id) { return id ? '…' + String(id).slice(-6) : ''; };
  var last = null, charts = {}, names = {};
  var nameOf = function (id) { return id == null ? '–' : (names[id] || shortId(id)); };

  function setConn (status, text) { var c = $('conn'); c.setAttribute('data-status', status); c.querySelector('span').textContent = text; }
  function banner (kind, text) { var b = $('banner'); if (!text) { b.hidden = true; return; } b.hidden = false; b.setAttribute('data-kind', kind); b.textContent = text; }

  function kpi (label, value, unit, hint, metric, raw) {
    return '<div class="kpi"' + (metric ? ' data-metric="' + metric + '" data-value="' + esc(raw == null ? '' : raw) + '"' : '') + '><div class="label">' + esc(label) + '</div><div class="value">' + esc(value) + (unit ? '<small>' + esc(unit) + '</small>' : '') + '</div>' + (hint ? '<div class="hint">' + hint + '</div>' : '') + '</div>';
  }
  function renderKpis (s) {
    var counts = {}; STATES.forEach(function (k) { counts[k] = 0; });
    s.peers.forEach(function (p) { counts[p.state]++; });
    var total = s.peers.length, live = counts.serving + counts.draining;
    var bar = '<div class="statebar">' + STATES.map(function (k) { return counts[k] ? '<i style="width:' + (100 * counts[k] / total) + '%;background:var(--' + k + ')"></i>' : ''; }).join('') + '</div>';
    var j = s.job, m = j && j.metrics, series = j ? j.series.throughputRps : [];
    var now = series.length ? series[series.length - 1] : null;
    var html = kpi('peers serving', live + ' / ' + total, '', bar, 'peers', live);
    html += kpi('throughput', num(now == null ? (m && m.throughputRps) : now), 'req/s', m ? 'average ' + esc(num(m.throughputRps)) + ' req/s' : 'no job yet', 'throughput', now == null ? (m ? m.throughputRps : '') : now);
    html += kpi('latency p50', num(m && m.latencyP50Ms), 'ms', 'p95 ' + esc(num(m && m.latencyP95Ms)) + ' ms', 'latency', m ? m.latencyP50Ms : '');
    html += kpi('answered', num(m && m.answered, 0), '', 'lost ' + esc(num(m ? m.requestsLost : null, 0)) + ' · failed calls ' + esc(num(m ? m.failedCalls : null, 0)), 'answered', m ? m.answered : '');
    html += kpi('memory util.', pct(m && m.memoryUtilisation), '', 'of allocated cells', 'memory', m ? m.memoryUtilisation : '');
    html += kpi('resource util.', pct(m && m.resourceUtilisation), '', 'device busy time', 'resource', m ? m.resourceUtilisation : '');
    html += kpi('accuracy', pct(m && m.accuracy), '', m && m.accuracy == null ? 'when the run ends' : 'of requests answered', 'accuracy', m ? m.accuracy : '');
    html += kpi('decisions', num(s.decisions.length, 0), '', s.decisions.length ? 'last: ' + esc(s.decisions[s.decisions.length - 1].type) : 'reconfiguration loop', 'decisions', s.decisions.length);
    $('kpis').innerHTML = html;
  }

  function pathText (p, path) {
    if (path.kind === 'relayed') return 'relayed' + (path.relay ? ' via ' + nameOf(path.relay) : '');
    if (path.kind === 'none') return 'no connection';
    return path.kind;
  }
  function renderPeers (s) {
    if (!s.peers.length) { $('peers').innerHTML = '<div class="empty">No capacity record found yet' + (s.connected ? '' : ': not connected to the network') + '.</div>'; return; }
    $('peers').innerHTML = s.peers.map(function (p) {
      var d = p.device, tiles = p.tilesTotal ? p.tilesUsed / p.tilesTotal : 0, busy = p.load ? p.load.busy : 0;
      return '<article class="peer" data-peer-id="' + esc(p.peerId) + '" data-state="' + esc(p.state) + '" style="--c:var(--' + esc(p.state) + ')">' +
        '<div class="peer-head"><b>' + esc(p.name || shortId(p.peerId)) + '</b><code title="' + esc(p.peerId) + '">' + esc(shortId(p.peerId)) + '</code><span class="pill">' + esc(p.state) + '</span></div>' +
        '<div class="peer-device">' + (d ? esc(d.preset) + ' · ' + d.rows + '×' + d.cols + ' tiles · ' + esc(rate(p.throughputGflops)) : 'no record yet') + '</div>' +
        '<div class="bar-row"><label>tiles</label><div class="bar"><i style="width:' + (100 * tiles).toFixed(1) + '%"></i></div><span>' + p.tilesUsed + ' / ' + p.tilesTotal + ' used</span></div>' +
        '<div class="bar-row"><label>load</label><div class="bar load"><i style="width:' + (100 * busy).toFixed(1) + '%"></i></div><span>' + (p.load ? pct(busy) + ' · q ' + p.load.queueDepth : 'no gossip') + '</span></div>' +
        '<div class="chips"><span class="chip">' + esc(p.reachability) + ' · NAT ' + esc(p.natKind) + '</span><span class="chip path-' + esc(p.path.kind) + '" data-path="' + esc(p.path.kind) + '">' + esc(pathText(p, p.path)) + (p.rttMs != null && p.path.kind !== 'none' ? ' · ' + (p.rttMs < 1 ? '<1' : num(p.rttMs, 1)) + ' ms' : '') + '</span></div>' +
        '<div class="peer-job">' + (p.copies ? p.copies + ' shard cop' + (p.copies === 1 ? 'y' : 'ies') : 'no shard') + ' · ' + num(p.callsServed, 0) + ' calls served</div>' +
        '<div class="peer-reason">' + esc(p.stateReason) + '</div></article>';
    }).join('');
  }

  function renderPlacement (s) {
    var j = s.job;
    if (!j || !j.placement.length) { $('placement').innerHTML = '<div class="empty">No job placed yet.</div>'; return; }
    var holders = {}; j.placement.forEach(function (sh) { sh.active.concat(sh.programming, sh.draining).forEach(function (p) { holders[p] = true; }); });
    var peers = s.peers.filter(function (p) { return holders[p.peerId] || p.state === 'serving'; });
    var head = '<tr><th>shard</th>' + peers.map(function (p) { return '<th class="peercol' + (p.state === 'gone' ? ' gone' : '') + '" title="' + esc(p.peerId) + '">' + esc(p.name || shortId(p.peerId)) + '</th>'; }).join('') + '</tr>';
    var rows = j.placement.map(function (sh) {
      return '<tr data-shard="' + esc(sh.shardId) + '"><td class="mono">' + esc(sh.shardId.replace(/12D3Koo\\w+/g, function (id) { return nameOf(id); })) + '</td>' + peers.map(function (p) {
        var k = sh.active.indexOf(p.peerId) >= 0 ? 'active' : sh.programming.indexOf(p.peerId) >= 0 ? 'programming' : sh.draining.indexOf(p.peerId) >= 0 ? 'draining' : '';
        return '<td class="cell"><i class="' + k + '" title="' + esc(k || 'no copy') + '"></i></td>';
      }).join('') + '</tr>';
    }).join('');
    $('placement').innerHTML = '<div class="map"><table>' + head + rows + '</table></div>';
  }

  function renderDecisions (s) {
    var list = s.decisions.slice(-120).reverse();
    if (!list.length) { $('decisions').innerHTML = '<li class="empty">' + (s.job && s.job.policy !== 'tessera' ? 'This policy has no reconfiguration loop (baselines only re-place lost copies).' : 'No decision yet.') + '</li>'; return; }
    var named = function (t) { return esc(String(t).replace(/12D3Koo\\w+/g, function (id) { return nameOf(id); })); };
    $('decisions').innerHTML = list.map(function (d) {
      var route = d.type === 'admit' ? nameOf(d.to) : named(d.shardId) + (d.from ? ' · ' + esc(nameOf(d.from)) : '') + (d.to ? ' → ' + esc(nameOf(d.to)) : '');
      return '<li class="d-' + esc(d.type) + '"><span class="t">' + (d.tSeconds == null ? '–' : 't+' + num(d.tSeconds, 1) + ' s') + '</span><div class="what"><span class="kind">' + esc(d.type) + '</span>' + route +
        '<span class="run">' + esc(d.policy) + '</span>' +
        (d.predictedGain != null ? '<span class="gain">×' + num(d.predictedGain, 2) + '</span>' : '') + '<div class="why">' + named(d.reason) + '</div></div></li>';
    }).join('');
  }

  function renderRuns (s) {
    $('runs-panel').hidden = s.runs.length === 0;
    if (!s.runs.length) return;
    $('runs').innerHTML = '<tr><th>policy</th><th class="num">throughput</th><th class="num">p50</th><th class="num">p95</th><th class="num">memory</th><th class="num">resource</th><th class="num">accuracy</th><th class="num">answered</th><th class="num">lost</th></tr>' +
      s.runs.map(function (r) { var m = r.metrics; return '<tr><td>' + esc(r.policy) + '</td><td class="num">' + num(m.throughputRps) + ' req/s</td><td class="num">' + num(m.latencyP50Ms) + ' ms</td><td class="num">' + num(m.latencyP95Ms) + ' ms</td><td class="num">' + pct(m.memoryUtilisation) + '</td><td class="num">' + pct(m.resourceUtilisation) + '</td><td class="num">' + pct(m.accuracy) + '</td><td class="num">' + num(m.answered, 0) + '</td><td class="num">' + num(m.requestsLost, 0) + '</td></tr>'; }).join('');
  }

  function renderNotices (s) {
    var list = s.notices.slice().reverse();
    $('notices').innerHTML = list.length ? list.map(function (n) { return '<li class="' + esc(n.level) + '"><span class="t">' + new Date(n.atMs).toLocaleTimeString('en-GB') + '</span><span>' + esc(String(n.text).replace(/12D3Koo\\w+/g, function (id) { return nameOf(id); })) + '</span></li>'; }).join('') : '<li class="empty">Nothing to report.</li>';
  }

  function markerPlugin () {
    return { hooks: { draw: function (u) {
      var j = last && last.job; if (!j) return;
      var ctx = u.ctx, dpr = window.devicePixelRatio || 1;
      ctx.save(); ctx.lineWidth = 1 * dpr; ctx.setLineDash([4 * dpr, 4 * dpr]); ctx.strokeStyle = 'rgba(199, 146, 234, 0.75)';
      last.decisions.forEach(function (d) {
        if (d.runId !== j.runId || d.tSeconds == null || d.type === 'admit') return;
        var x = Math.round(u.valToPos(d.tSeconds, 'x', true)) + 0.5;
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      });
      ctx.restore();
    } } };
  }
  function chartOpts (el, series, yLabel) {
    var axis = { stroke: '#8f9bb3', grid: { stroke: '#222b40', width: 1 }, ticks: { stroke: '#26314a', width: 1 } };
    return { width: Math.max(320, el.clientWidth), height: 240, plugins: [markerPlugin()], scales: { x: { time: false } }, legend: { live: true },
      axes: [Object.assign({ label: 'seconds since the first batch', labelSize: 22 }, axis), Object.assign({ label: yLabel, labelSize: 22, size: 56 }, axis)],
      series: [{ label: 't', value: function (u, v) { return v == null ? '–' : num(v, 0) + ' s'; } }].concat(series.map(function (s) {
        return { label: s.label, stroke: s.color, width: 2, fill: s.fill || undefined, points: { show: false }, spanGaps: true, value: function (u, v) { return v == null ? '–' : num(v, 1) + ' ' + s.unit; } };
      })) };
  }
  function renderChart (key, el, series, yLabel, data) {
    if (typeof uPlot === 'undefined') return;
    if (!charts[key]) { el.innerHTML = ''; charts[key] = new uPlot(chartOpts(el, series, yLabel), data, el); return; }
    charts[key].setData(data);
  }
  function renderCharts (s) {
    var j = s.job, sr = j ? j.series : { tSeconds: [], throughputRps: [], latencyP50Ms: [], latencyP95Ms: [] };
    $('job-sub').textContent = j ? j.policy + ' · ' + j.phase : 'no job yet';
    $('job-sub').title = j ? j.plan : '';
    renderChart('tput', $('chart-tput'), [{ label: 'answered', color: '#5aa9ff', fill: 'rgba(90, 169, 255, 0.12)', unit: 'req/s' }], 'requests / s', [sr.tSeconds, sr.throughputRps]);
    renderChart('lat', $('chart-lat'), [{ label: 'p50', color: '#3ecf8e', unit: 'ms' }, { label: 'p95', color: '#f5b041', unit: 'ms' }], 'ms', [sr.tSeconds, sr.latencyP50Ms, sr.latencyP95Ms]);
  }

  function render (s) {
    last = s; names = {};
    s.peers.forEach(function (p) { if (p.name) names[p.peerId] = p.name; });
    $('title').textContent = s.title + (s.self ? ' · through ' + shortId(s.self) : '');
    document.title = 'tessera · ' + s.title;
    renderKpis(s); renderPeers(s); renderPlacement(s); renderDecisions(s); renderRuns(s); renderNotices(s); renderCharts(s);
    $('sources').textContent = 'Sources: ' + s.sources.join(' · ') + ' · updated ' + new Date(s.updatedAtMs).toLocaleTimeString('en-GB') + '.';
    if (!s.connected && !s.ended) banner('warning', 'The node this dashboard looks through has no connection to the network yet (is the bootstrap address right?). It keeps trying.');
    else if (!s.ended) banner('', '');
    document.body.setAttribute('data-ready', '1');
  }

  var source = null, ended = false;
  function connect () {
    source = new EventSource('/api/events');
    source.addEventListener('open', function () { if (!ended) { setConn('live', 'live'); } });
    source.addEventListener('state', function (e) { try { render(JSON.parse(e.data)); } catch (err) { banner('warning', 'Could not show an update: ' + err.message); } });
    source.addEventListener('end', function () {
      ended = true; source.close(); setConn('ended', 'finished');
      banner('ended', 'The tessera command has finished: this is the last state it reported.');
    });
    source.addEventListener('error', function () {
      if (ended) return;
      setConn('reconnecting', 'reconnecting…');
      banner('warning', 'Lost the connection to the tessera process — retrying every second. The figures below are the last ones received.');
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    });
  }
  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (k) { var el = charts[k].root.parentNode; charts[k].setSize({ width: Math.max(320, el.clientWidth), height: 240 }); });
  });
  connect();
})();
`
