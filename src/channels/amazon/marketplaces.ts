// Amazon marketplaces as sellers know them: the marketplace id a listing is stored with, and the
// store's name in Seller Central. Ids from Amazon's SP-API "Marketplace IDs" reference; an id not
// listed here is shown as it is.

export const MARKETPLACE_NAMES: Readonly<Record<string, string>> = {
  ATVPDKIKX0DER: 'Amazon.com (US)',
  A2EUQ1WTGCTBG2: 'Amazon.ca (Canada)',
  A1AM78C64UM0Y8: 'Amazon.com.mx (Mexico)',
  A2Q3Y263D00KWC: 'Amazon.com.br (Brazil)',
  A1F83G8C2ARO7P: 'Amazon.co.uk (UK)',
  A1PA6795UKMFR9: 'Amazon.de (Germany)',
  A13V1IB3VIYZZH: 'Amazon.fr (France)',
  APJ6JRA9NG5V4: 'Amazon.it (Italy)',
  A1RKKUPIHCS9HS: 'Amazon.es (Spain)',
  A1805IZSGTT6HS: 'Amazon.nl (Netherlands)',
  A2NODRKZP88ZB9: 'Amazon.se (Sweden)',
  A1C3SOZRARQ6R3: 'Amazon.pl (Poland)',
  A1VC38T7YXB528: 'Amazon.co.jp (Japan)',
  A39IBJ37TRP1C6: 'Amazon.com.au (Australia)',
  A21TJRUUN4KGV: 'Amazon.in (India)',
};

/** `ATVPDKIKX0DER` → `Amazon.com (US)`. */
export const marketplaceName = (id: string): string => MARKETPLACE_NAMES[id] ?? id;
