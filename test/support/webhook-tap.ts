// A recording relay between an emulated channel and truestock's webhook route: the emulator
// subscribes to the tap, the tap forwards every delivery unchanged (bytes and headers) to the
// route and records what truestock answered. In `hold` mode it keeps deliveries instead, so a
// test can send them later — in another order, twice, or forged — through the same route.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook delivery as the channel sent it. */
export interface CapturedDelivery {
  body: Buffer;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

/** A delivery and truestock's answer to it. */
export interface Answered {
  delivery: CapturedDelivery;
  status: number;
  body: Record<string, unknown> | null;
}

/** Hop-by-hop headers and those fetch sets itself are not forwarded. */
const NOT_FORWARDED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'accept-encoding']);

export class WebhookTap {
  url = '';
  /** `forward`: pass on at once; `hold`: keep in `held` and answer the channel 200. */
  mode: 'forward' | 'hold' = 'forward';
  readonly held: CapturedDelivery[] = [];
  readonly answers: Answered[] = [];
  private readonly server: Server;

  private constructor(readonly target: string) {
    this.server = createServer((req, res) => {
      void this.receive(req).then(
        (a) => res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body ?? {})),
        (err: unknown) => res.writeHead(502).end(String(err)),
      );
    });
  }

  /** A tap forwarding to `target` (truestock's `/v1/channels/{id}/webhooks`). */
  static async start(target: string): Promise<WebhookTap> {
    const tap = new WebhookTap(target);
    await new Promise<void>((resolve) => tap.server.listen(0, '127.0.0.1', resolve));
    tap.url = `http://127.0.0.1:${(tap.server.address() as AddressInfo).port}/hook`;
    return tap;
  }

  private async receive(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> | null }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !NOT_FORWARDED.has(k)) headers[k] = v;
    const delivery = { body: Buffer.concat(chunks), headers };
    if (this.mode === 'hold') {
      this.held.push(delivery);
      return { status: 200, body: { status: 'held' } };
    }
    return this.send(delivery);
  }

  /** Send a delivery to truestock's route as the channel would, and record the answer. */
  async send(delivery: CapturedDelivery): Promise<Answered> {
    const res = await fetch(this.target, { method: 'POST', headers: delivery.headers, body: new Uint8Array(delivery.body) });
    const text = await res.text();
    let body: Record<string, unknown> | null = null;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = null;
    }
    const answered = { delivery, status: res.status, body };
    this.answers.push(answered);
    return answered;
  }

  /** Deliveries truestock answered as already seen. */
  duplicates(): Answered[] {
    return this.answers.filter((a) => a.status === 200 && a.body?.status === 'duplicate');
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
