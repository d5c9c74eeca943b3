// The interactive part of `dnnsweep report --html`: a sortable, filterable leaderboard of every
// configuration, parallel coordinates with brushing (drag along an axis; click it to clear), and a
// configuration's learning curves when its row is clicked. Plain JavaScript, no library and no
// network: the page is one file. Its data is the JSON in #dnnsweep-data (outputs/html_page.cpp).
// Opened as page.html#selftest it exercises itself and records the outcome on <body>
// (data-selftest="pass" or "fail", the log in #selftest-log): the headless browser test reads it.
(function () {
  'use strict';
  var errors = 0;
  window.addEventListener('error', function () { errors += 1; document.body.setAttribute('data-errors', String(errors)); });
  document.body.setAttribute('data-errors', '0');

  var D = JSON.parse(document.getElementById('dnnsweep-data').textContent);
  var R = D.rows, N = R.rank.length, A = D.axes, K = A.length;
  var COLUMNS = [
    { key: 'rank', label: '#', fmt: function (i) { return String(R.rank[i]); } },
    { key: 'val', label: 'val acc', fmt: function (i) { return num(R.val[i]) + ' \u00b1 ' + num(R.std[i]); } },
    { key: 'train', label: 'train acc', fmt: function (i) { return num(R.train[i]); } },
    { key: 'test', label: 'test acc', fmt: function (i) { return num(R.test[i]); } },
    { key: 'verdict', label: 'verdict', fmt: function (i) { return D.verdicts[R.verdict[i]]; } },
    { key: 'spf', label: 's/fold', fmt: function (i) { return R.spf[i] === null ? '-' : R.spf[i].toPrecision(3); } }
  ];
  A.forEach(function (a, k) {
    COLUMNS.push({ key: 'axis' + k, axis: k, label: a.option, fmt: function (i) { return a.values[R.levels[k][i]]; } });
  });
  var state = { key: 'rank', dir: 1, verdict: '', values: A.map(function () { return ''; }), minAcc: null,
                brush: new Array(K + 1).fill(null), shown: 100 };
  var view = [];

  function num(v) { return v === null || v === undefined ? '-' : v.toFixed(3); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sortValue(key, i) {
    if (key.indexOf('axis') === 0) return R.levels[+key.slice(4)][i];
    if (key === 'verdict') return R.verdict[i];
    return R[key][i];
  }
  // Position of configuration i on parallel axis k in [0, 1] (the last axis: its accuracy).
  function axisValue(k, i) {
    if (k === K) return R.val[i];
    var n = A[k].values.length - 1;
    return n > 0 ? R.levels[k][i] / n : 0.5;
  }

  function compute() {
    var out = [];
    for (var i = 0; i < N; i++) {
      if (state.verdict !== '' && D.verdicts[R.verdict[i]] !== state.verdict) continue;
      var pass = true;
      for (var k = 0; k < K && pass; k++) if (state.values[k] !== '' && A[k].values[R.levels[k][i]] !== state.values[k]) pass = false;
      if (pass && state.minAcc !== null && !(R.val[i] >= state.minAcc)) pass = false;
      for (var b = 0; b <= K && pass; b++) {
        var br = state.brush[b];
        if (br === null) continue;
        var v = axisValue(b, i);
        if (v === null || v < br[0] - 1e-9 || v > br[1] + 1e-9) pass = false;
      }
      if (pass) out.push(i);
    }
    var key = state.key, dir = state.dir;
    out.sort(function (x, y) {
      var a = sortValue(key, x), b = sortValue(key, y);
      if (a === null && b === null) return x - y;
      if (a === null) return 1;  // missing values last, whatever the direction
      if (b === null) return -1;
      if (a !== b) return a < b ? -dir : dir;
      return x - y;
    });
    view = out;
  }

  // Leaderboard ------------------------------------------------------------------------------
  var table = document.getElementById('lb-table'), count = document.getElementById('lb-count');
  function renderTable() {
    var head = el('tr');
    COLUMNS.forEach(function (c) {
      var th = el('th', { 'data-key': c.key, title: 'sort by ' + c.label },
                  c.label + (state.key === c.key ? (state.dir > 0 ? ' \u25b2' : ' \u25bc') : ''));
      th.addEventListener('click', function () { sortBy(c.key); });
      head.appendChild(th);
    });
    var body = document.createDocumentFragment();
    body.appendChild(head);
    for (var r = 0; r < view.length && r < state.shown; r++) {
      var i = view[r], tr = el('tr', { 'data-config': String(R.config[i]), 'class': 'lb-row' });
      COLUMNS.forEach(function (c) {
        var td = el('td', c.key === 'verdict' ? { 'class': 'v-' + D.verdicts[R.verdict[i]] } : {}, c.fmt(i));
        tr.appendChild(td);
      });
      tr.addEventListener('click', showCurves.bind(null, i));
      body.appendChild(tr);
    }
    table.textContent = '';
    table.appendChild(body);
    count.textContent = view.length + ' of ' + N + ' configurations match' +
      (view.length > state.shown ? '; the first ' + state.shown + ' shown' : '');
    count.setAttribute('data-count', String(view.length));
    document.getElementById('lb-more').style.display = view.length > state.shown ? '' : 'none';
  }
  function sortBy(key) {
    if (state.key === key) state.dir = -state.dir; else { state.key = key; state.dir = 1; }
    update();
  }

  // Filters ----------------------------------------------------------------------------------
  var filters = document.getElementById('lb-filters');
  function select(label, values, onChange) {
    var s = el('select', { 'aria-label': label });
    s.appendChild(el('option', { value: '' }, label + ': all'));
    values.forEach(function (v) { s.appendChild(el('option', { value: v }, v)); });
    s.addEventListener('change', function () { onChange(s.value); update(); });
    filters.appendChild(s);
    return s;
  }
  var verdictSelect = select('verdict', D.verdicts, function (v) { state.verdict = v; });
  var valueSelects = A.map(function (a, k) { return select(a.option, a.values, function (v) { state.values[k] = v; }); });
  var minAcc = el('input', { type: 'number', min: '0', max: '1', step: '0.01', placeholder: 'min val acc', 'aria-label': 'min val acc' });
  minAcc.addEventListener('input', function () { state.minAcc = minAcc.value === '' ? null : +minAcc.value; update(); });
  filters.appendChild(minAcc);
  var reset = el('button', { type: 'button' }, 'reset');
  reset.addEventListener('click', function () {
    state.verdict = ''; state.values = A.map(function () { return ''; }); state.minAcc = null;
    state.brush = new Array(K + 1).fill(null);
    verdictSelect.value = ''; valueSelects.forEach(function (s) { s.value = ''; }); minAcc.value = '';
    update();
  });
  filters.appendChild(reset);
  document.getElementById('lb-more').addEventListener('click', function () { state.shown += 100; renderTable(); });

  // Parallel coordinates ---------------------------------------------------------------------
  var canvas = document.getElementById('pc-canvas'), ctx = canvas.getContext('2d');
  var PAD = { left: 40, right: 60, top: 24, bottom: 30 };
  var VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  function colour(v) {
    if (v === null) return 'rgb(160,160,160)';
    var t = Math.max(0, Math.min(1, v)) * (VIRIDIS.length - 1), j = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - j;
    var c = VIRIDIS[j].map(function (x, m) { return Math.round(x + f * (VIRIDIS[j + 1][m] - x)); });
    return 'rgb(' + c.join(',') + ')';
  }
  function axisX(k) { return PAD.left + (K === 0 ? 0 : k * (canvas.width - PAD.left - PAD.right) / K); }
  function axisY(v) { return PAD.top + (1 - v) * (canvas.height - PAD.top - PAD.bottom); }
  function yToValue(y) { return 1 - (y - PAD.top) / (canvas.height - PAD.top - PAD.bottom); }
  function tracePath(i) {
    for (var k = 0; k <= K; k++) {
      var v = axisValue(k, i);
      var y = axisY(v === null ? 0 : v);
      if (k === 0) ctx.moveTo(axisX(k), y); else ctx.lineTo(axisX(k), y);
    }
  }
  // Past MANY_LINES, one path per colour step (accuracy rounded to 1/64; missing ones first, the best
  // last, on top): a stroke per line took seconds per redraw at 100,000 configurations. A path is
  // blended once, however many of its lines overlap, hence its higher opacity.
  var MANY_LINES = 5000, STEPS = 64;
  function renderParallel() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.globalAlpha = view.length > MANY_LINES ? 0.5 : view.length > 500 ? 0.35 : 0.8;
    ctx.lineWidth = 1;
    if (view.length > MANY_LINES) {
      var steps = [];
      for (var b = 0; b <= STEPS + 1; b++) steps.push([]);
      view.forEach(function (i) {
        var v = R.val[i];
        steps[v === null ? 0 : 1 + Math.round(Math.max(0, Math.min(1, v)) * STEPS)].push(i);
      });
      steps.forEach(function (members, b) {
        if (members.length === 0) return;
        ctx.strokeStyle = colour(b === 0 ? null : (b - 1) / STEPS);
        ctx.beginPath();
        members.forEach(tracePath);
        ctx.stroke();
      });
    } else {
      var lines = view.slice().sort(function (x, y) { return (R.val[x] || 0) - (R.val[y] || 0); });
      lines.forEach(function (i) {
        ctx.strokeStyle = colour(R.val[i]);
        ctx.beginPath();
        tracePath(i);
        ctx.stroke();
      });
    }
    ctx.globalAlpha = 1;
    ctx.fillStyle = '#222';
    ctx.font = '11px sans-serif';
    for (var k = 0; k <= K; k++) {
      var x = axisX(k);
      ctx.strokeStyle = '#444';
      ctx.beginPath(); ctx.moveTo(x, axisY(1)); ctx.lineTo(x, axisY(0)); ctx.stroke();
      ctx.fillText(k < K ? A[k].option : 'val acc', x - 20, PAD.top - 8);
      var labels = k < K ? A[k].values : ['0', '0.5', '1'];
      var step = Math.max(1, Math.ceil(labels.length / 10));
      for (var j = 0; j < labels.length; j += step)
        ctx.fillText(labels[j], x + 4, axisY(labels.length > 1 ? j / (labels.length - 1) : 0.5) + 4);
      var br = state.brush[k];
      if (br !== null) {
        ctx.fillStyle = 'rgba(255,140,0,0.3)';
        ctx.fillRect(x - 6, axisY(br[1]), 12, axisY(br[0]) - axisY(br[1]));
        ctx.fillStyle = '#222';
      }
    }
  }
  // Sets axis k's brush to [lo, hi] (in the axis' [0, 1] scale), or clears it with null.
  function brush(k, lo, hi) { state.brush[k] = lo === null ? null : [Math.min(lo, hi), Math.max(lo, hi)]; update(); }
  var drag = null;
  function canvasPoint(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  canvas.addEventListener('mousedown', function (e) {
    var p = canvasPoint(e);
    for (var k = 0; k <= K; k++) if (Math.abs(p.x - axisX(k)) < 12) { drag = { k: k, y0: p.y }; return; }
  });
  canvas.addEventListener('mouseup', function (e) {
    if (drag === null) return;
    var p = canvasPoint(e);
    if (Math.abs(p.y - drag.y0) < 3) brush(drag.k, null, null);
    else brush(drag.k, yToValue(drag.y0), yToValue(p.y));
    drag = null;
  });

  // Learning curves of one configuration -----------------------------------------------------
  var curvesPanel = document.getElementById('curves');
  function svgChart(title, series, yMax, chance) {
    var W = 420, H = 220, L = 40, B = 28, T = 20, Rt = 10, n = 0;
    series.forEach(function (s) { n = Math.max(n, s.values.length); });
    var x = function (e) { return L + (n > 1 ? (e / (n - 1)) * (W - L - Rt) : (W - L - Rt) / 2); };
    var y = function (v) { return T + (1 - v / yMax) * (H - T - B); };
    var s = '<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '" role="img">';
    s += '<text x="' + L + '" y="14" font-size="12">' + title + '</text>';
    s += '<line x1="' + L + '" y1="' + y(0) + '" x2="' + (W - Rt) + '" y2="' + y(0) + '" stroke="#444"/>';
    s += '<line x1="' + L + '" y1="' + T + '" x2="' + L + '" y2="' + y(0) + '" stroke="#444"/>';
    s += '<text x="4" y="' + (T + 4) + '" font-size="10">' + yMax.toPrecision(2) + '</text>';
    s += '<text x="' + (W / 2) + '" y="' + (H - 6) + '" font-size="10">epoch 1..' + n + '</text>';
    if (chance !== null) s += '<line x1="' + L + '" x2="' + (W - Rt) + '" y1="' + y(chance) + '" y2="' + y(chance) + '" stroke="#888" stroke-dasharray="3,3"/>';
    series.forEach(function (sr, m) {
      var pts = [];
      sr.values.forEach(function (v, e) { if (v !== null) pts.push(x(e).toFixed(1) + ',' + y(Math.min(v, yMax)).toFixed(1)); });
      s += '<polyline class="curve" fill="none" stroke="' + sr.colour + '" stroke-width="2" points="' + pts.join(' ') + '"/>';
      s += '<text x="' + (W - 90) + '" y="' + (T + 14 * (m + 1)) + '" font-size="10" fill="' + sr.colour + '">' + sr.label + '</text>';
    });
    return s + '</svg>';
  }
  function showCurves(i) {
    var c = D.curves[String(R.config[i])];
    var head = '#' + R.rank[i] + ' (config ' + R.config[i] + ', ' + D.verdicts[R.verdict[i]] + '): ' +
      A.map(function (a, k) { return a.option + '=' + a.values[R.levels[k][i]]; }).join(' ');
    curvesPanel.setAttribute('data-config', String(R.config[i]));
    if (!c) {
      curvesPanel.innerHTML = '';
      curvesPanel.appendChild(el('p', {}, head));
      curvesPanel.appendChild(el('p', { 'class': 'note' }, 'Its curves are not embedded (' + D.curves_note +
        '); curves.csv of --csv has every one.'));
      return;
    }
    var lossMax = 0;
    c.train_loss.concat(c.val_loss).forEach(function (v) { if (v !== null && isFinite(v)) lossMax = Math.max(lossMax, v); });
    curvesPanel.innerHTML = '';
    curvesPanel.appendChild(el('p', {}, head + ' (fold mean)'));
    var box = el('div');
    box.innerHTML = svgChart('accuracy', [{ label: 'train', colour: '#1f77b4', values: c.train_acc },
                                          { label: 'validation', colour: '#e06000', values: c.val_acc }], 1, D.chance) +
      svgChart('loss', [{ label: 'train', colour: '#1f77b4', values: c.train_loss },
                        { label: 'validation', colour: '#e06000', values: c.val_loss }], lossMax > 0 ? lossMax * 1.05 : 1, null);
    curvesPanel.appendChild(box);
  }

  function update() { compute(); renderTable(); renderParallel(); }
  update();

  // Self-test (page.html#selftest) -----------------------------------------------------------
  function selftest() {
    var log = [], ok = true;
    function expect(cond, what) { log.push((cond ? 'ok: ' : 'FAIL: ') + what); ok = ok && cond; }
    function firstRow() { var r = table.querySelector('tr.lb-row'); return r ? r.getAttribute('data-config') : null; }
    var before = firstRow(), n0 = view.length;
    expect(n0 === N && table.querySelectorAll('tr.lb-row').length === Math.min(N, state.shown), 'every configuration listed at first');
    table.querySelector('th[data-key="val"]').click();
    var sorted = firstRow();
    document.body.setAttribute('data-first-before', before);
    document.body.setAttribute('data-first-sorted', sorted);
    expect(N < 2 || sorted !== before || R.val.every(function (v) { return v === R.val[0]; }), 'sorting by val acc (ascending) changes the first row');
    // A filter that keeps some but not all: the first verdict, else the first setting value, that does.
    var applied = null;
    D.verdicts.forEach(function (v) {
      var n = R.verdict.filter(function (x) { return D.verdicts[x] === v; }).length;
      if (applied === null && n > 0 && n < N) { verdictSelect.value = v; verdictSelect.dispatchEvent(new Event('change')); applied = 'verdict=' + v; }
    });
    if (applied === null && K > 0) { valueSelects[0].value = A[0].values[0]; valueSelects[0].dispatchEvent(new Event('change')); applied = A[0].option + '=' + A[0].values[0]; }
    document.body.setAttribute('data-filter', applied || '');
    document.body.setAttribute('data-filtered', String(view.length));
    expect(applied === null || view.length < n0, 'the filter ' + applied + ' shows fewer rows (' + view.length + ' of ' + n0 + ')');
    reset.click();
    expect(view.length === n0, 'reset shows every row again');
    var row = table.querySelector('tr.lb-row');
    if (row) row.click();
    expect(row === null || curvesPanel.getAttribute('data-config') === row.getAttribute('data-config'), 'a click shows that configuration');
    expect(row === null || curvesPanel.querySelector('polyline.curve') !== null || curvesPanel.querySelector('.note') !== null, 'its curves are drawn');
    var vals = R.val.filter(function (v) { return v !== null; }).sort(function (a, b) { return a - b; });
    if (vals.length > 1 && vals[0] < vals[vals.length - 1]) {
      var mid = vals[Math.floor(vals.length / 2)];
      brush(K, mid, 1);
      document.body.setAttribute('data-brushed', String(view.length));
      expect(view.length > 0 && view.length < n0, 'brushing the accuracy axis to [' + mid.toFixed(3) + ', 1] keeps ' + view.length);
      brush(K, null, null);
    }
    document.getElementById('selftest-log').textContent = log.join('\n');
    document.body.setAttribute('data-selftest', ok && errors === 0 ? 'pass' : 'fail');
  }
  if (window.location.hash === '#selftest') selftest();
})();
