// A hand-built SVG bar chart of the HTTP benchmark: requests per second per case, with the ratio to the
// no-session baseline, so a reader sees the comparison at a glance. No dependencies, deterministic output.

/** One bar: a label, the measured requests per second and the p99 latency in milliseconds. */
export interface ChartBar {
  label: string;
  requestsPerSecond: number;
  p99Ms: number;
  /** Requests per second divided by the baseline's. */
  ratio: number;
  /** Server CPU time per request, in microseconds, when measured. */
  serverCpuMicros?: number | undefined;
  /** Highlights the bar (typed-sessions cases). */
  highlight: boolean;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Renders `bars` as an SVG document (horizontal bars, widths proportional to requests per second). */
export function renderHttpChart(title: string, subtitle: string, bars: readonly ChartBar[]): string {
  const labelWidth = Math.max(290, ...bars.map((bar) => bar.label.length * 7.5 + 20));
  const barArea = 440;
  const valueWidth = 270;
  const rowHeight = 34;
  const top = 64;
  const width = labelWidth + barArea + valueWidth;
  const height = top + bars.length * rowHeight + 24;
  const max = Math.max(1, ...bars.map((bar) => bar.requestsPerSecond));
  const rows = bars.map((bar, index) => {
    const y = top + index * rowHeight;
    const w = Math.max(1, Math.round((bar.requestsPerSecond / max) * barArea));
    const fill = bar.highlight ? "#2f6fde" : "#9aa5b1";
    const cpu = bar.serverCpuMicros === undefined ? "" : ` · ${bar.serverCpuMicros} µs CPU/req`;
    const value = `${Math.round(bar.requestsPerSecond).toLocaleString("en-US")} req/s · ${bar.ratio.toFixed(2)}×${cpu}`;
    return [
      `  <text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `  <rect x="${labelWidth}" y="${y + 4}" width="${w}" height="${rowHeight - 10}" rx="3" fill="${fill}"/>`,
      `  <text x="${labelWidth + w + 8}" y="${y + 19}" class="v">${escapeXml(value)}</text>`,
    ].join("\n");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `  <style>.v { fill: #333; font-size: 12px; } .t { font-size: 16px; font-weight: 600; } .s { fill: #555; font-size: 12px; }</style>`,
    `  <rect width="100%" height="100%" fill="#fff"/>`,
    `  <text x="16" y="26" class="t">${escapeXml(title)}</text>`,
    `  <text x="16" y="46" class="s">${escapeXml(subtitle)}</text>`,
    ...rows,
    `</svg>`,
    "",
  ].join("\n");
}
