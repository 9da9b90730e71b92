// Distances from the zipcodes package's centroids: real places, both countries, unknown codes.

import { describe, expect, it } from 'vitest';
import { distanceKm } from './geo.ts';

describe('distanceKm', () => {
  it('measures between US ZIP codes (Chicago to New York is about 1,150 km)', () => {
    const d = distanceKm('60601', 'US', '10001', 'US')!;
    expect(d).toBeGreaterThan(1_100);
    expect(d).toBeLessThan(1_200);
    expect(distanceKm('60601-1234', 'us', '60601', 'US')).toBe(0);
  });
  it('measures to a Canadian postal code by its forward sortation area (Chicago to Toronto is about 700 km)', () => {
    const d = distanceKm('60601', 'US', 'M5V 3L9', 'CA')!;
    expect(d).toBeGreaterThan(650);
    expect(d).toBeLessThan(750);
  });
  it('is null when a code or country is unknown or missing', () => {
    expect(distanceKm('00000', 'US', '60601', 'US')).toBeNull();
    expect(distanceKm('60601', 'US', '75001', 'FR')).toBeNull();
    expect(distanceKm('M5V', 'US', '60601', 'US')).toBeNull();
    expect(distanceKm(null, 'US', '60601', 'US')).toBeNull();
  });
});
