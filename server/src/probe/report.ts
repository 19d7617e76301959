// The probe report: one self-contained HTML page (no scripts, no network) with each probe's verdict, summary,
// metrics and loss curves drawn as inline SVG (code vs spec vs linear baseline, with reference lines). The same
// SVG charts serve the CLI's --report and the editor's report panel.

import { PROBE_CODES, type ProbeResult, type ProbeRun, type Series, VERDICT_MARKS } from './types';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

export function renderProbeReport(runs: readonly { readonly path: string; readonly run: ProbeRun }[]): string {
  const sections = runs.map(({ path, run }) => `
<section>
  <h2>${esc(run.model)} <small>${esc(path)}</small></h2>
  <p class="meta">backend <b>${esc(run.backend)}</b> — ${esc(run.backendReason)}; ${run.parameters.toLocaleString('en-US')} parameters; ${run.seconds.toFixed(1)} s</p>
  ${run.notes.map((n) => `<p class="meta">note: ${esc(n)}</p>`).join('')}
  ${run.results.map(renderResult).join('\n')}
</section>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Model Audit probe report</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 980px; color: #111; padding: 0 1em; }
  h1 { font-size: 1.5em; } h2 small { font-weight: normal; color: #666; font-size: 0.7em; }
  .probe { border: 1px solid #ddd; border-radius: 6px; padding: 0.8em 1em; margin: 1em 0; }
  .probe h3 { margin: 0 0 0.3em; font-size: 1.05em; }
  .pass { color: #15803d; } .fail { color: #b91c1c; } .inconclusive { color: #a16207; }
  .meta { color: #555; margin: 0.2em 0; }
  table { border-collapse: collapse; margin: 0.5em 0; } td { padding: 1px 10px 1px 0; font-variant-numeric: tabular-nums; }
  ul.details { color: #333; margin: 0.3em 0; padding-left: 1.2em; }
  svg { display: block; margin-top: 0.5em; }
  @media (prefers-color-scheme: dark) { body { background: #1e1e1e; color: #ddd; } .probe { border-color: #444; } .meta, h2 small { color: #aaa; } ul.details { color: #ccc; } }
</style>
</head>
<body>
<h1>Model Audit probe report</h1>
${sections.join('\n')}
</body>
</html>
`;
}

function renderResult(r: ProbeResult): string {
  const metrics = Object.entries(r.metrics).filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(String(v))}</td></tr>`).join('');
  return `<div class="probe">
  <h3><span class="${r.verdict}">${VERDICT_MARKS[r.verdict]} ${esc(r.probe)}</span> <small class="meta">${PROBE_CODES[r.probe]} · ${r.seconds.toFixed(1)} s</small></h3>
  <p>${esc(r.summary)}</p>
  ${metrics ? `<table>${metrics}</table>` : ''}
  ${r.details && r.details.length ? `<ul class="details">${r.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}
  ${chartOf(r) ?? ''}
</div>`;
}

/** A result's loss chart (its series, else its main curve as the code's), when it has a curve to draw. */
function chartOf(r: ProbeResult): string | undefined {
  const series: Series[] = r.series && r.series.length > 0 ? [...r.series] : r.curve.length > 1 ? [{ label: 'code', points: r.curve }] : [];
  return series.some((s) => s.points.length > 1) ? lossChartSvg(series, r.references ?? []) : undefined;
}

/** A run's first chart, the one its report section shows first, as a standalone SVG document; for saving. */
export function firstChartSvg(run: ProbeRun): string | undefined {
  for (const r of run.results) {
    const svg = chartOf(r);
    if (svg) return svg;
  }
  return undefined;
}

/** A line chart of loss against step: one polyline per series, dashed horizontal reference lines, a legend. */
export function lossChartSvg(series: readonly Series[], references: readonly { readonly label: string; readonly value: number }[], width = 640, height = 260): string {
  const left = 56, right = 180, top = 12, bottom = 34;
  const plotW = width - left - right, plotH = height - top - bottom;
  const points = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const xs = points.map(([x]) => x);
  const ys = [...points.map(([, y]) => y), ...references.map((r) => r.value).filter(Number.isFinite)];
  const xMax = Math.max(1, ...xs);
  const yMin = Math.min(0, ...ys);
  let yMax = Math.max(...ys, 1e-6);
  if (yMax - yMin < 1e-9) yMax = yMin + 1;
  yMax += (yMax - yMin) * 0.05;
  const sx = (x: number) => left + (x / xMax) * plotW;
  const sy = (y: number) => top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;
  const parts: string[] = [];
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999" stroke-width="1"/>`);
  for (const t of ticks(yMin, yMax, 5)) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#8883" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${f(sy(t) + 4)}" text-anchor="end" font-size="11" fill="currentColor">${fmtTick(t)}</text>`);
  }
  for (const t of ticks(0, xMax, 6)) {
    parts.push(`<text x="${f(sx(t))}" y="${top + plotH + 16}" text-anchor="middle" font-size="11" fill="currentColor">${fmtTick(t)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${height - 4}" text-anchor="middle" font-size="11" fill="currentColor">step</text>`);
  parts.push(`<text x="14" y="${top + plotH / 2}" text-anchor="middle" font-size="11" fill="currentColor" transform="rotate(-90 14 ${top + plotH / 2})">loss</text>`);
  const legend: string[] = [];
  references.forEach((r, i) => {
    if (!Number.isFinite(r.value)) return;
    const color = '#6b7280';
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${f(sy(r.value))}" y2="${f(sy(r.value))}" stroke="${color}" stroke-width="1.5" stroke-dasharray="${i % 2 ? '2 3' : '6 4'}"/>`);
    legend.push(`<line x1="0" x2="22" y1="0" y2="0" stroke="${color}" stroke-width="1.5" stroke-dasharray="${i % 2 ? '2 3' : '6 4'}"/><text x="28" y="4" font-size="11" fill="currentColor">${esc(r.label)}</text>`);
  });
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter(([, y]) => Number.isFinite(y)).map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ');
    if (pts) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"><title>${esc(s.label)}</title></polyline>`);
    legend.push(`<line x1="0" x2="22" y1="0" y2="0" stroke="${color}" stroke-width="2"/><text x="28" y="4" font-size="11" fill="currentColor">${esc(s.label)}</text>`);
  });
  legend.forEach((l, i) => parts.push(`<g transform="translate(${left + plotW + 12} ${top + 10 + i * 18})">${l}</g>`));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="loss curves">${parts.join('')}</svg>`;
}

function ticks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-12; t += step) out.push(Math.round(t / step) * step);
  return out;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(0) : String(Math.round(v * 1000) / 1000);
}

function f(v: number): string {
  return v.toFixed(1);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
