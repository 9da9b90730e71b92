// Amazon shows times as ISO 8601 at whole seconds ("2026-01-01T10:00:00Z"); the emulator keeps
// every time it shows at whole seconds so what it filters on is what it shows.

export const floorToSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

export function iso(ms: number): string {
  return new Date(floorToSecond(ms)).toISOString().replace('.000Z', 'Z');
}

/** Milliseconds of an ISO 8601 date-time, or null when it does not parse. */
export function parseIso(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
