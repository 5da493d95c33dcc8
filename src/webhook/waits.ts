/**
 * Steps waiting for their webhook's answer. The answer is in the store first (durable); a step
 * waiting in this process hears of it at once when this process stored it, and otherwise from
 * one poll for all its waiting steps (the callback may reach another server than the worker).
 */
import { RunloomError } from '../errors.js';
import type { WebhookAnswer, WebhookCallRecords } from '../store/store.js';

interface Waiter {
  readonly nodeId: string;
  readonly resolve: (answer: WebhookAnswer) => void;
  readonly reject: (error: unknown) => void;
  readonly deadline: ReturnType<typeof setTimeout> | undefined;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

export class WebhookWaits {
  private readonly waiting = new Map<string, Waiter>();
  private poller: ReturnType<typeof setInterval> | undefined;
  private polling = false;

  constructor(
    private readonly calls: WebhookCallRecords,
    private readonly pollMs: number,
  ) {}

  /** Resolves with the call's answer; rejects with TIMEOUT after `timeoutMs`, CANCELLED on abort. */
  wait(tokenHash: string, nodeId: string, signal: AbortSignal, timeoutMs: number | undefined): Promise<WebhookAnswer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(cancelled(nodeId));
      const onAbort = () => this.settle(tokenHash, undefined, cancelled(nodeId));
      const deadline =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                this.settle(
                  tokenHash,
                  undefined,
                  new RunloomError('TIMEOUT', `webhook task '${nodeId}' got no callback within ${timeoutMs} ms`, {
                    retryable: true,
                  }),
                ),
              Math.max(0, timeoutMs),
            );
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(tokenHash, { nodeId, resolve, reject, deadline, signal, onAbort });
      // Not unref'd: a step waiting for its callback keeps the process alive, like any step.
      this.poller ??= setInterval(() => void this.poll(), this.pollMs);
    });
  }

  /** An answer this process stored: its step, if it waits here, goes on now. */
  answered(tokenHash: string, answer: WebhookAnswer): void {
    this.settle(tokenHash, answer);
  }

  /** Stops waiting (the process is closing): the steps are handed back with the runs, not failed. */
  close(): void {
    for (const waiter of this.waiting.values()) this.forget(waiter);
    this.waiting.clear();
    this.stopPolling();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiting.size === 0) return;
    this.polling = true;
    try {
      for (const row of await this.calls.answered([...this.waiting.keys()])) {
        if (row.answer) this.settle(row.tokenHash, row.answer);
      }
    } catch {
      // The store is unreachable for now: the next poll asks again.
    } finally {
      this.polling = false;
    }
  }

  private settle(tokenHash: string, answer: WebhookAnswer | undefined, error?: unknown): void {
    const waiter = this.waiting.get(tokenHash);
    if (!waiter) return;
    this.waiting.delete(tokenHash);
    this.forget(waiter);
    if (this.waiting.size === 0) this.stopPolling();
    if (answer) waiter.resolve(answer);
    else waiter.reject(error);
  }

  private forget(waiter: Waiter): void {
    if (waiter.deadline) clearTimeout(waiter.deadline);
    waiter.signal.removeEventListener('abort', waiter.onAbort);
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }
}

const cancelled = (nodeId: string) => new RunloomError('CANCELLED', `webhook task '${nodeId}' was cancelled while waiting`);
