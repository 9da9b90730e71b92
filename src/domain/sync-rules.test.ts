// The sync rules as properties: waiting only ever delays a raise of what the channel shows.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNEL_EDIT_RECUR_COUNT, EDIT_GRACE_SECONDS_DEFAULT, EDIT_GRACE_SECONDS_MAX, editGraceSecondsFor, editSettings, editsRecur, pushAfterEdit, waitBeforeOverwrite } from './sync-rules.ts';

const qty = fc.integer({ min: -5, max: 1_000 });
const T0 = Date.UTC(2026, 0, 1);

describe('sync rules', () => {
  it('property: after an edit, a number that does not raise what the channel shows goes at once; a raise waits exactly the grace', () => {
    fc.assert(
      fc.property(qty, qty, fc.integer({ min: 0, max: 3_600_000 }), (ours, shown, graceMs) => {
        const due = pushAfterEdit(ours, shown, T0, graceMs);
        expect(due).toBe(ours > shown ? T0 + graceMs : T0);
      }),
    );
  });

  it('property: the stale grace never holds back a number that lowers the channel or one the channel shows more than', () => {
    fc.assert(
      fc.property(qty, fc.option(qty, { nil: null }), fc.option(qty, { nil: null }), (ours, pushed, shown) => {
        const waits = waitBeforeOverwrite(ours, pushed, shown);
        if (shown === null || ours <= shown) expect(waits).toBe(false);
        if (pushed !== null && shown !== null && shown >= pushed) expect(waits).toBe(false);
      }),
    );
  });

  it('edits recur from the CHANNEL_EDIT_RECUR_COUNT-th within the window', () => {
    expect(editsRecur(CHANNEL_EDIT_RECUR_COUNT - 1)).toBe(false);
    expect(editsRecur(CHANNEL_EDIT_RECUR_COUNT)).toBe(true);
  });
});

describe('the edit grace', () => {
  it('outlasts the inbound lag of a kind whose orders arrive late, and is the usual 30 s otherwise', () => {
    expect(editGraceSecondsFor(5)).toBe(EDIT_GRACE_SECONDS_DEFAULT);
    expect(editGraceSecondsFor(300)).toBe(330);
    expect(editGraceSecondsFor(10_000)).toBe(EDIT_GRACE_SECONDS_MAX);
  });

  it('the channel’s own setting wins over its kind’s default; an unreadable one falls back to it', () => {
    expect(editSettings({ edit_grace_seconds: 10 }, 330).editGraceMs).toBe(10_000);
    expect(editSettings({ edit_grace_seconds: 'x' }, 330).editGraceMs).toBe(330_000);
    expect(editSettings({}).editGraceMs).toBe(EDIT_GRACE_SECONDS_DEFAULT * 1000);
  });
});
