/**
 * A webhook receiver on loopback, as a third party would write one: it checks the signature of
 * every delivery against the raw body and records it; the test decides what it answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/index.js';

export interface Delivery {
  readonly path: string;
  readonly raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the posted fields and asserts on them
  readonly body: any;
  readonly signatureValid: boolean;
  readonly signature: string;
  readonly idempotencyKey: string | undefined;
}

export interface Receiver {
  readonly url: string;
  readonly deliveries: Delivery[];
  /** The status the next deliveries get (default 200). */
  status: number;
  /** Called after each delivery is answered. */
  onDelivery: (delivery: Delivery) => void;
  /** Resolves with the nth delivery (1-based) once it arrived. */
  delivery(n: number): Promise<Delivery>;
  close(): Promise<void>;
}

export async function openReceiver(secret: string): Promise<Receiver> {
  const waiters: (() => void)[] = [];
  const receiver: Receiver = {
    url: '',
    deliveries: [],
    status: 200,
    onDelivery: () => {},
    async delivery(n) {
      while (receiver.deliveries.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return receiver.deliveries[n - 1] as Delivery;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const signature = String(req.headers['runloom-signature'] ?? '');
      const delivery: Delivery = {
        path: req.url ?? '',
        raw,
        body: JSON.parse(raw),
        signature,
        signatureValid: verifyWebhookSignature({ secret, header: signature, body: raw }),
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      };
      receiver.deliveries.push(delivery);
      res.writeHead(delivery.signatureValid ? receiver.status : 401).end();
      for (const wake of waiters.splice(0)) wake();
      receiver.onDelivery(delivery);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
