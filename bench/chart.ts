/**
 * The scaling curves as a hand-written SVG: one panel per dimension (fanout width, payload size,
 * routes in cache), categories evenly spaced on x, a linear y from 0. No dependency, stable text
 * (the same data draws the same file), readable on GitHub's light and dark backgrounds.
 */
export interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

export interface Panel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
}

const W = 340;
const H = 240;
const PAD = { left: 58, right: 30, top: 34, bottom: 46 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A tick label: 3 significant digits, no exponent for the ranges the bench draws. */
function tick(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  return Number(value.toPrecision(3)).toString();
}

function panel(p: Panel, x0: number): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const all = p.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = all.length === 0 ? 1 : Math.max(...all) * 1.1 || 1;
  const x = (i: number): number =>
    x0 + PAD.left + (p.categories.length === 1 ? plotW / 2 : (i * plotW) / (p.categories.length - 1));
  const y = (v: number): number => PAD.top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(
      `<line x1="${x0 + PAD.left}" x2="${x0 + W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#8884" />`,
      `<text x="${x0 + PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${tick(v)}</text>`,
    );
  }
  p.categories.forEach((c, i) => {
    parts.push(
      `<text x="${x(i).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${esc(c)}</text>`,
    );
  });
  parts.push(
    `<text x="${x0 + PAD.left + plotW / 2}" y="${H - 8}" text-anchor="middle">${esc(p.xLabel)}</text>`,
    `<text transform="translate(${x0 + 14} ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`,
  );
  p.series.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length] as string;
    const points = s.values
      .map((v, i) => (v === null || !Number.isFinite(v) ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
      .filter((pt): pt is string => pt !== null);
    if (points.length > 1)
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}" />`);
    for (const pt of points) {
      const [cx, cy] = pt.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${colour}" />`);
    }
    parts.push(
      `<text x="${x0 + PAD.left + 6}" y="${PAD.top + 12 + k * 14}" fill="${colour}">${esc(s.name)}</text>`,
    );
  });
  return parts.join('\n');
}

/** The SVG document of `panels`, side by side. */
export function scalingChart(panels: readonly Panel[], caption: string): string {
  const width = W * panels.length;
  const height = H + 22;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" fill="#888">`,
    `<rect width="${width}" height="${height}" fill="none" />`,
    ...panels.map((p, i) => panel(p, i * W)),
    `<text x="${width / 2}" y="${height - 4}" text-anchor="middle" font-size="10">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
