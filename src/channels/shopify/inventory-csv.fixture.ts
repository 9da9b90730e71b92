// A Shopify inventory export for tests (inventory-csv.test.ts, src/cli/csv-cli.test.ts).

/**
 * What Shopify's Products → Inventory → Export ("All quantity types", all locations) writes: one
 * row per variant and location, quoted headers, CRLF line ends, a product without options
 * ("Default Title"), a variant that is not stocked at one location, a negative on hand, and an
 * edited `On hand (new)` cell.
 */
export const SHOPIFY_EXPORT = [
  'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),Available (not editable),On hand (current),On hand (new)',
  'classic-tee,Classic Tee,Color,Black,Size,M,,,TEE-BLK-M,6109.10,PT,Main Warehouse,A-01-03,0,1,2,9,12,',
  'classic-tee,Classic Tee,Color,Black,Size,M,,,TEE-BLK-M,6109.10,PT,Berlin Store,,0,0,0,4,4,6',
  'classic-tee,Classic Tee,Color,Black,Size,L,,,TEE-BLK-L,6109.10,PT,Main Warehouse,A-01-04,5,0,0,3,3,',
  'classic-tee,Classic Tee,Color,Black,Size,L,,,TEE-BLK-L,6109.10,PT,Berlin Store,,0,0,0,not stocked,Not stocked,',
  '"canvas-tote","Canvas Tote, natural",Title,Default Title,,,,,TOTE-NAT,4202.22,IN,Main Warehouse,,0,0,3,-3,0,',
  'canvas-tote,"Canvas Tote, natural",Title,Default Title,,,,,TOTE-NAT,4202.22,IN,Berlin Store,,0,0,0,2,2,',
].join('\r\n') + '\r\n';
