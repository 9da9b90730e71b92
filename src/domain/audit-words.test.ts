// Audit words: actors by name in every form the ledger writes them, and a sentence for any
// request — never empty, never a stack trace, whatever the path or the stored response.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actorKind, actorWords, auditSummary, type AuditNames } from './audit-words.ts';

const names: AuditNames = { actors: new Map([['key_1', 'operate key'], ['user_1', 'Ana'], ['chan_1', 'webstore']]), things: new Map([['chan_1', 'webstore'], ['po_1', 'PO-000003']]) };

describe('audit words', () => {
  it('names every kind of actor', () => {
    expect(actorWords('key_1', names)).toBe('operate key');
    expect(actorWords('user_1', names)).toBe('Ana');
    expect(actorWords('cli:bob', names)).toBe('CLI (bob)');
    expect(actorWords('system:sweeper', names)).toBe('system: hold sweeper');
    expect(actorWords('system:channel:chan_1', names)).toBe('channel webstore');
    expect(actorWords('key_gone', names, 'old key')).toBe('old key');
    expect([actorKind('cli:bob'), actorKind('system:sweeper'), actorKind('system:channel:chan_1'), actorKind('user_1'), actorKind('key_1')]).toEqual(['cli', 'system', 'channel', 'user', 'api_key']);
  });

  it('says what was done without the response, and with it the figures', () => {
    expect(auditSummary({ method: 'POST', path: '/v1/channels/chan_1/pause', status: 200 }, null, names)).toBe('paused channel webstore');
    expect(auditSummary({ method: 'POST', path: '/v1/purchase-orders/po_1/receipts', status: 200 }, null, names)).toBe('received on PO-000003');
    const response = { purchase_order: { number: 'PO-000003' }, movements: [{ sku: 'A', location: 'WH1', from: 'supplier', to: 'available', quantity: 10 }, { sku: 'A', location: 'WH1', from: 'supplier', to: 'damaged', quantity: 2 }] };
    expect(auditSummary({ method: 'POST', path: '/v1/purchase-orders/po_1/receipts', status: 200 }, response, names)).toBe('received 12 units (2 damaged) on PO-000003');
    expect(auditSummary({ method: 'POST', path: '/v1/session', status: 200 }, null)).toBe('signed in');
    expect(auditSummary({ method: 'POST', path: '/v1/stock/receive', status: 409 }, { refusal: { code: 'insufficient_stock' } })).toBe('tried: received stock — refused (insufficient stock)');
    expect(auditSummary({ method: 'PUT', path: '/v1/something/new', status: 200 }, null)).toBe('replaced something new');
    expect(auditSummary({ method: 'POST', path: '/v1/alerts/subscriptions/asub_1/secret', status: 200 }, null)).toBe("rotated an alert webhook's signing secret");
    expect(auditSummary({ method: 'DELETE', path: '/v1/alerts/subscriptions/asub_1', status: 200 }, null)).toBe('deleted an alert subscription');
  });

  it('gives a non-empty sentence for any request and any stored response', () => {
    fc.assert(fc.property(
      fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
      fc.array(fc.oneof(fc.constantFrom('stock', 'receive', 'holds', 'purchase-orders', 'channels', 'pause', 'receipts', 'po_1', 'chan_1', '%E0%A4%A'), fc.string()), { maxLength: 5 }),
      fc.integer({ min: 100, max: 599 }),
      fc.oneof(fc.constant(null), fc.jsonValue(), fc.record({ movements: fc.array(fc.record({ sku: fc.string(), quantity: fc.oneof(fc.integer(), fc.constant(null)) })) })),
      (method, segs, status, response) => {
        const s = auditSummary({ method, path: `/v1/${segs.join('/')}`, status }, response, names);
        expect(s.trim().length).toBeGreaterThan(0);
      },
    ));
  });
});
