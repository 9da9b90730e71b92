// Distances between postal codes, from the centroids of the `zipcodes` package (US ZIP codes and
// Canadian forward sortation areas). A routing input, not a shipping quote: great-circle km.

import { createRequire } from 'node:module';

/** Mean Earth radius used for great-circle distances. */
const EARTH_RADIUS_KM = 6_371;

// The package is 5 MB of tables that take about a second to load: load it on first use, not
// when the server (or every test that builds one) imports the routes.
let table: typeof import('zipcodes') | undefined;
const zipcodes = () => (table ??= createRequire(import.meta.url)('zipcodes') as typeof import('zipcodes'));

/** Latitude and longitude of a postal code's centroid, or null when the package does not know it. */
export function centroid(postalCode: string, country: string): { lat: number; lon: number } | null {
  const code = postalCode.trim().toUpperCase();
  const c = country.trim().toUpperCase();
  let found;
  if (c === 'US') {
    // ZIP+4 and 9-digit forms: the first five digits name the area.
    const zip = code.replace(/[\s-]/g, '').slice(0, 5);
    found = /^\d{5}$/.test(zip) ? zipcodes().lookup(zip) : undefined;
    if (found && found.country !== 'US') found = undefined;
  } else if (c === 'CA') {
    const fsa = code.replace(/\s/g, '').slice(0, 3);
    found = /^[A-Z]\d[A-Z]$/.test(fsa) ? zipcodes().lookup(fsa) : undefined;
    if (found && found.country !== 'Canada') found = undefined;
  }
  return found ? { lat: found.latitude, lon: found.longitude } : null;
}

/** Great-circle km between two postal codes' centroids (US and CA), rounded; null when either is unknown. */
export function distanceKm(fromPostal: string | null, fromCountry: string | null, toPostal: string | null, toCountry: string | null): number | null {
  if (!fromPostal || !fromCountry || !toPostal || !toCountry) return null;
  const a = centroid(fromPostal, fromCountry);
  const b = centroid(toPostal, toCountry);
  if (!a || !b) return null;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h))));
}
