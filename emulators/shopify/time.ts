// Shopify shows timestamps to the second ("2026-11-23T10:00:00Z") and filters on them at that
// precision, so the emulator stores milliseconds but shows and compares whole seconds.

export const toSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

export const isoSeconds = (ms: number): string => new Date(toSeconds(ms)).toISOString().replace('.000Z', 'Z');
