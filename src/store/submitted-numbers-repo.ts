// The numbers a channel is still processing for a listing: the quantities of its submissions
// followed until the channel finishes them (`channel_submissions`, and those superseded by a newer
// one, `channel_submissions_superseded`). A channel that announces every change of a number
// (Amazon's LISTINGS_ITEM_MFN_QUANTITY_CHANGE) announces these too when it applies them — the
// echo of our own push, even of one a newer push has overtaken.

import { chunk, type Db, placeholders } from './store.ts';

const LISTINGS_PER_STATEMENT_MAX = 500;

/** Per listing of the channel, the quantities of its submissions still followed. */
export async function submittedNumbersOf(db: Db, channelId: string, listingIds: readonly string[]): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  for (const part of chunk([...new Set(listingIds)], LISTINGS_PER_STATEMENT_MAX)) {
    const rows = await db.all<{ listing_id: string; quantity: number }>(
      `SELECT listing_id, quantity FROM channel_submissions WHERE channel_id = ? AND listing_id IN (${placeholders(part.length)})
       UNION ALL SELECT listing_id, quantity FROM channel_submissions_superseded WHERE channel_id = ? AND listing_id IN (${placeholders(part.length)})`,
      [channelId, ...part, channelId, ...part],
    );
    for (const r of rows) {
      let set = out.get(r.listing_id);
      if (!set) out.set(r.listing_id, (set = new Set()));
      set.add(Number(r.quantity));
    }
  }
  return out;
}
