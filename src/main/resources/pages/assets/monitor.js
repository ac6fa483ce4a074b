// The monitor: polls GET /health, /workers, /submissions/recent and /metrics. Jobs per second and the
// status mix are the differences between samples of the counter runbox_submissions_total, kept for
// the last WINDOW_MS in this page (the chart starts empty when the page opens).
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const INTERVAL_MS = Math.max(250, Number(params.get("interval_ms")) || 2000);
  const WINDOW_MS = 10 * 60 * 1000;
  const BUCKET_MS = 10 * 1000;
  // Every final status of dev.runbox.job.Status, in the chart's stacking order (MonitorStatusesTest checks).
  const COLORS = { OK: "#2e7d32", RE: "#c62828", TLE: "#ef6c00", MLE: "#6a1b9a", OLE: "#00838f", CE: "#8d6e63", WA: "#f9a825",
    CHECKER_FAILED: "#1565c0", INTERNAL_ERROR: "#000000" };
  const STATUSES = Object.keys(COLORS);
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const samples = []; // {t: ms, byStatus: {OK: n, ...}} of the counter, oldest first

  function setText(id, text) { $(id).textContent = text == null ? "–" : String(text); }

  async function getJson(path) {
    const r = await fetch(path, { cache: "no-store" });
    if (!r.ok) throw new Error("GET " + path + " answered " + r.status);
    return r.json();
  }

  // runbox_submissions_total{language="python",status="OK",} 3.0  → summed by status
  function parseSubmissions(text) {
    const byStatus = {};
    for (const line of text.split("\n")) {
      if (!line.startsWith("runbox_submissions_total{")) continue;
      const status = /status="([^"]*)"/.exec(line);
      const value = Number(line.slice(line.lastIndexOf(" ") + 1));
      if (status && Number.isFinite(value)) byStatus[status[1]] = (byStatus[status[1]] || 0) + value;
    }
    return byStatus;
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const c of cells) {
      const td = document.createElement("td");
      if (c instanceof Node) td.append(c); else td.textContent = c == null ? "–" : String(c);
      tr.append(td);
    }
    return tr;
  }

  function renderWorkers(w) {
    setText("workers-alive", w.alive + " / " + w.workers.length);
    $("workers").tBodies[0].replaceChildren(...w.workers.map((x) => row([
      x.id, x.host, x.pid, x.state, x.busy + " / " + x.concurrency, x.jobs_done,
      x.last_seen_sec_ago == null ? null : x.last_seen_sec_ago.toFixed(1) + " s ago", x.alive ? "yes" : "no"
    ])));
  }

  function renderRecent(recent) {
    $("recent").tBodies[0].replaceChildren(...recent.submissions.map((s) => {
      const a = document.createElement("a");
      a.href = "/#/result/" + s.submission_id;
      a.textContent = s.submission_id;
      const status = document.createElement("span");
      status.className = "status";
      status.dataset.status = s.status;
      status.textContent = s.status + (s.cached ? " (cached)" : "");
      const tr = row([a, s.language, status, s.time_sec == null ? null : s.time_sec.toFixed(3) + " s",
        s.memory_kb == null ? null : (s.memory_kb / 1024).toFixed(1) + " MiB", new Date(s.created_at).toLocaleTimeString()]);
      tr.dataset.submissionId = s.submission_id;
      return tr;
    }));
  }

  // One bar per BUCKET_MS of wall clock, stacked by status, height = jobs per second in that bucket.
  // Each interval between two samples counts towards the bucket its end falls in.
  function buckets(now) {
    const out = new Map();
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1], b = samples[i];
      const start = Math.floor(b.t / BUCKET_MS) * BUCKET_MS;
      if (start < now - WINDOW_MS) continue;
      const bucket = out.get(start) || { t0: start, t1: start + BUCKET_MS, rates: {} };
      for (const s of STATUSES) {
        bucket.rates[s] = (bucket.rates[s] || 0) + Math.max(0, (b.byStatus[s] || 0) - (a.byStatus[s] || 0)) / (BUCKET_MS / 1000);
      }
      out.set(start, bucket);
    }
    return [...out.values()];
  }

  function renderChart() {
    const W = 720, H = 200, PAD = 32, now = Date.now();
    const bars = buckets(now);
    const max = Math.max(1, ...bars.map((b) => STATUSES.reduce((sum, s) => sum + b.rates[s], 0)));
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "finished jobs per second by status, 10 s bars, last 10 minutes");
    const x = (t) => PAD + (W - PAD - 4) * (1 - (now - t) / WINDOW_MS);
    const y = (v) => H - 20 - (H - 30) * (v / max);
    const line = (x1, y1, x2, y2, cls) => {
      const l = document.createElementNS(SVG, "line");
      l.setAttribute("x1", x1); l.setAttribute("y1", y1); l.setAttribute("x2", x2); l.setAttribute("y2", y2);
      l.setAttribute("class", cls);
      svg.append(l);
    };
    const label = (tx, ty, text, anchor) => {
      const t = document.createElementNS(SVG, "text");
      t.setAttribute("x", tx); t.setAttribute("y", ty); t.setAttribute("text-anchor", anchor || "end");
      t.setAttribute("class", "axis-label");
      t.textContent = text;
      svg.append(t);
    };
    line(PAD, y(0), W - 4, y(0), "axis");
    line(PAD, y(max), W - 4, y(max), "grid");
    label(PAD - 4, y(0) + 4, "0");
    label(PAD - 4, y(max) + 4, max.toFixed(max < 10 ? 1 : 0));
    for (let m = 10; m >= 0; m -= 2) label(x(now - m * 60000), H - 4, m === 0 ? "now" : "-" + m + " min", m === 0 ? "end" : "middle");
    let drawn = 0;
    for (const b of bars) {
      let base = 0;
      for (const s of STATUSES) {
        const v = b.rates[s];
        if (v <= 0) continue;
        const r = document.createElementNS(SVG, "rect");
        r.setAttribute("x", x(b.t0));
        r.setAttribute("width", Math.max(1, Math.min(x(b.t1), x(now)) - x(b.t0) - 1));
        r.setAttribute("y", y(base + v));
        r.setAttribute("height", Math.max(0.5, y(base) - y(base + v)));
        r.setAttribute("fill", COLORS[s]);
        r.setAttribute("class", "bar");
        r.dataset.status = s;
        const title = document.createElementNS(SVG, "title");
        title.textContent = s + ": " + v.toFixed(2) + " jobs/s";
        r.append(title);
        svg.append(r);
        base += v;
        drawn++;
      }
    }
    $("chart").replaceChildren(svg);
    $("chart").dataset.bars = String(drawn);
  }

  function renderMix() {
    const first = samples[0], last = samples[samples.length - 1];
    const legend = $("legend");
    legend.replaceChildren();
    for (const s of STATUSES) {
      const n = (last.byStatus[s] || 0) - (first.byStatus[s] || 0);
      const item = document.createElement("span");
      item.className = "legend-item";
      item.dataset.status = s;
      item.dataset.count = String(n);
      const swatch = document.createElement("i");
      swatch.style.background = COLORS[s];
      item.append(swatch, document.createTextNode(s + " " + n));
      legend.append(item);
    }
    const total = STATUSES.reduce((sum, s) => sum + (last.byStatus[s] || 0), 0)
      + Object.keys(last.byStatus).filter((s) => !STATUSES.includes(s)).reduce((sum, s) => sum + last.byStatus[s], 0);
    setText("finished-total", total);
    const minuteAgo = samples.find((x) => x.t >= last.t - 60000) || first;
    const dt = (last.t - minuteAgo.t) / 1000;
    const done = STATUSES.reduce((sum, s) => sum + (last.byStatus[s] || 0) - (minuteAgo.byStatus[s] || 0), 0);
    setText("jobs-per-sec", dt > 0 ? (done / dt).toFixed(2) : "–");
    setText("window", "(10 s bars; sampled every " + INTERVAL_MS / 1000 + " s since " + new Date(first.t).toLocaleTimeString() + ")");
  }

  async function tick() {
    try {
      const [health, workers, recent, metrics] = await Promise.all([
        getJson("/health"), getJson("/workers"), getJson("/submissions/recent"),
        fetch("/metrics", { cache: "no-store" }).then((r) => { if (!r.ok) throw new Error("GET /metrics answered " + r.status); return r.text(); })
      ]);
      setText("queue-depth", health.queue_depth == null ? "unknown" : health.queue_depth);
      setText("workers-busy", health.workers_busy + " / " + health.workers);
      renderWorkers(workers);
      renderRecent(recent);
      const now = Date.now();
      samples.push({ t: now, byStatus: parseSubmissions(metrics) });
      while (samples.length > 2 && samples[1].t < now - WINDOW_MS) samples.shift();
      renderMix();
      renderChart();
      setText("updated", "updated " + new Date(now).toLocaleTimeString());
      document.body.dataset.samples = String(samples.length);
      $("error").hidden = true;
    } catch (e) {
      $("error").hidden = false;
      $("error").textContent = String(e);
    } finally {
      setTimeout(tick, INTERVAL_MS);
    }
  }
  tick();
})();
