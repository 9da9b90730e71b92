// The `zipcodes` package ships no types; this declares the part src/app/geo.ts uses.
declare module 'zipcodes' {
  interface ZipCode {
    zip: string;
    latitude: number;
    longitude: number;
    city: string;
    state: string;
    /** `US` or `Canada`. */
    country: string;
  }
  /** A US ZIP (5 digits) or a Canadian forward sortation area (first 3 characters of a postal code). */
  export function lookup(zip: string): ZipCode | undefined;
  const zipcodes: { lookup: typeof lookup };
  export default zipcodes;
}
