// A time-series chart on uPlot: x is Unix seconds, one y series per line. The chart is made once
// and fed new data on each refresh (no flicker, the legend cursor stays put); it follows its
// container's width. A table-like summary under it keeps the numbers readable without a mouse.

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
  /** How a y value reads in the legend. */
  format?: (v: number) => string;
}

export const PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export function TimeChart({ xs, ys, series, height = 220, label, yLabel, step = false }: {
  /** Unix seconds, ascending. */
  xs: number[];
  /** One array per series, aligned with xs (null: no value there). */
  ys: (number | null)[][];
  series: ChartSeries[];
  height?: number;
  /** What the chart shows, for screen readers. */
  label: string;
  yLabel?: string;
  /** Stepped lines: a balance holds its value until the next movement. */
  step?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}|${s.color}`).join(',') + (step ? ':step' : '');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(300, el.clientWidth);
    // Axis text and grid in the page's own colours, so the chart reads in dark mode too.
    const css = getComputedStyle(el);
    const ink = css.getPropertyValue('--muted').trim() || '#5b6472';
    const grid = css.getPropertyValue('--line').trim() || '#d9dde3';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width,
      height,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      axes: [{ ...axis }, { ...axis, label: yLabel, size: 60 }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: true,
          ...(s.dash ? { dash: s.dash } : {}),
          ...(step ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}),
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : s.format ? s.format(v) : String(v)),
        })),
      ],
    };
    const u = new uPlot(opts, [xs, ...ys] as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(300, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of lines changes; data goes through setData below.
  }, [shape, height, yLabel]);

  useEffect(() => {
    plot.current?.setData([xs, ...ys] as uPlot.AlignedData);
  }, [xs, ys]);

  return <div className="chart" ref={box} role="img" aria-label={label} />;
}

/**
 * Several series sampled at their own times onto one x axis (the union of their times), with
 * null where a series has no sample: uPlot wants aligned arrays.
 */
export function alignSeries(series: { at: number; value: number | null }[][]): { xs: number[]; ys: (number | null)[][] } {
  const times = [...new Set(series.flatMap((s) => s.map((p) => p.at)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array(times.length).fill(null);
    for (const p of s) col[index.get(p.at)!] = p.value;
    return col;
  });
  return { xs: times, ys };
}
