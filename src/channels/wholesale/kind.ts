// A wholesale desk: orders are keyed in (API, CLI), and the number it may promise is served to
// whoever pulls it (a B2B portal, a spreadsheet), never pushed. Its orders come in whole cases,
// above minimums and after a lead time, and never reach beyond the channel's ring-fence
// (docs/wholesale.md).

import { checkWholesaleOrder, checkWholesaleSettings, type WholesaleSettings } from '../../domain/wholesale-rules.ts';
import type { ChannelKindSpec } from '../kind.ts';

export const wholesale: ChannelKindSpec = {
  name: 'wholesale',
  label: 'Wholesale',
  listing: { kind: 'wholesale', forms: [['external_id']], labels: { external_id: 'external_id' }, shown: { external_id: { label: 'External ID' } } },
  settings: { check: checkWholesaleSettings, secrets: [] },
  // Wholesale orders arrive in hours; nothing is pushed, so nothing waits on the way out.
  lags: { inboundSeconds: 3_600, outboundSeconds: 0 },
  timeResolutionMs: 1,
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: false, webhooks: false, polling: false },
  orders: {
    // Settings were checked when they were saved.
    check: (order, settings, today) => checkWholesaleOrder(order.lines, settings as WholesaleSettings, order.customer, order.requestedShipDate, today),
    // A retail partner's order must not empty the consumer channels: beyond its fence it waits for stock.
    beyondFence: 'backorder',
  },
};
