// A small live time series (uPlot, the engine Grafana's time series panels use): the last samples of
// one number. The canvas is hidden from screen readers; the card states the latest value in text.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesProps {
  /** What the chart shows, for the accessible name. */
  label: string;
  /** Unix seconds, oldest first. */
  times: number[];
  values: number[];
  format: (v: number) => string;
  /** Window shown, in seconds (the x axis spans it even before it has filled). */
  windowSeconds: number;
}

/** Dispatched on window by the shell when the colour theme changes. */
export const THEME_EVENT = 'hodei:theme';

/** The x axis always spans the whole window (ending at the newest sample); y starts at 0. */
function show(u: uPlot, times: number[], values: number[], windowSeconds: number): void {
  const end = times.at(-1) ?? Date.now() / 1000;
  u.setData([times, values], false);
  u.setScale('x', { min: end - windowSeconds, max: end });
  const max = Math.max(0, ...values);
  u.setScale('y', { min: 0, max: max > 0 ? max * 1.15 : 1 });
}

const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#2563eb';

export function TimeSeries({ label, times, values, format, windowSeconds }: SeriesProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const fmt = useRef(format);
  fmt.current = format;

  const data = useRef<[number[], number[]]>([times, values]);
  data.current = [times, values];
  const win = useRef(windowSeconds);
  win.current = windowSeconds;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Colours come from the theme's CSS variables: rebuilt when the theme changes.
    const build = (): uPlot => {
      const stroke = cssVar('--accent');
      const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { show: false }, font: '11px system-ui, sans-serif', size: 28 };
      const u = new uPlot({
        width: Math.max(200, el.clientWidth), height: 110, legend: { show: false }, cursor: { y: false, points: { size: 6 } },
        scales: { x: { time: true } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false })) },
          { ...axis, size: 52, values: (_u, ticks) => ticks.map((t) => fmt.current(t)) },
        ],
        series: [{}, { stroke, width: 2, fill: `${stroke}33`, points: { show: false } }],
      }, [[], []], el);
      show(u, data.current[0], data.current[1], win.current);
      return u;
    };
    let u = build();
    plot.current = u;
    const rebuild = (): void => {
      u.destroy();
      u = build();
      plot.current = u;
    };
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 110 }));
    ro.observe(el);
    window.addEventListener(THEME_EVENT, rebuild);
    return () => {
      window.removeEventListener(THEME_EVENT, rebuild);
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    if (plot.current) show(plot.current, times, values, windowSeconds);
  }, [times, values, windowSeconds]);

  return <div ref={box} class="chart" role="img" aria-label={`${label}, last ${Math.round(windowSeconds / 60)} minutes`} />;
}
