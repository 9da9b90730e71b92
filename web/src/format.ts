// How numbers, times and ages read on screen.

const intFormat = new Intl.NumberFormat('en-US');

export const int = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : intFormat.format(n));

/** 42 s, 3 min, 2 h 5 min, 4 d 2 h */
export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export const ageSince = (iso: string | null | undefined, now = Date.now()): string => (iso ? age((now - Date.parse(iso)) / 1000) : '—');

/** Milliseconds as a lag: 850 ms, 2.4 s, 3 min. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v < 1_000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1_000).toFixed(1)} s`;
  return age(v / 1_000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The browser's zone as people name it ("UTC", "CET", "GMT+2"), for the date given (summer time). */
function zoneName(d: Date): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'local';
  } catch {
    return 'local';
  }
}

/**
 * The one way a moment is shown on every screen: the browser's own date and time to the second,
 * with its zone, so a time copied into a ticket means the same to whoever reads it:
 * `2026-12-05 16:05:35 UTC`.
 */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zoneName(d)}`;
}

/** A lag in seconds with its unit, from milliseconds: 0.4 s, 2.4 s, 48 s, 3 min. */
export function lag(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, ms) / 1_000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  return age(s);
}

export const label = (snake: string): string => snake.replace(/_/g, ' ');
