/** Small statistics and formatting helpers shared by the benchmarks. */

/** The q-quantile (0..1) of already sorted numbers, nearest-rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const ms = (value) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : '–');
export const seconds = (valueMs) => (Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(2)} s` : '–');
export const perSecond = (value) => (Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')}/s` : '–');
export const bytes = (value) => (value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value} B`);

/** Milliseconds elapsed since a process.hrtime.bigint() reading. */
export const since = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** A plain-text table: the first row is the header; every cell is a string. */
function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column] ?? '').length)));
  const line = (row) =>
    row
      .map((cell, column) => {
        const text = String(cell ?? '');
        // Text left, figures right: a cell that starts with a digit, a sign or a dash reads as a figure.
        return column > 0 && /^[-–+\d~×]/.test(text) ? text.padStart(widths[column]) : text.padEnd(widths[column]);
      })
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** A small deterministic PRNG (mulberry32): every run of a benchmark generates the same data. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Prints the sections a benchmark returns, as `bench/run.mjs` does, for running one file on its own. */
export function printSections(sections) {
  for (const section of sections) {
    process.stdout.write(`\n${section.heading}\n\n${table(section.rows)}\n`);
    for (const note of section.notes ?? []) process.stdout.write(`  · ${note}\n`);
  }
}
