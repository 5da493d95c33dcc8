/**
 * Webhook tasks (F3.2): a task with `webhook: URL` posts `{runId, nodeId, input, callbackUrl,
 * idempotencyKey}`, signed (see signature.ts), and its step waits for the answer sent to the
 * callback URL. The wait is durable: the call and its answer are rows of the store, so a step
 * executed again after its worker died offers the same callback URL (the token is derived from
 * the step's idempotency key), does not post again once the receiver took the call, and
 * completes at once when the answer came meanwhile.
 */
import { withoutSecrets } from '../actions/builtins/http-request.js';
import { RequestError, RunloomError } from '../errors.js';
import { isExpression } from '../expr/compile-value.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { NodeExecutor, StepRequest, StepResult } from '../runtime/executors.js';
import type { WebhookAnswer, WebhookCallRecords } from '../store/store.js';
import { callbackToken, SIGNATURE_HEADER, signWebhook, tokenHash } from './signature.js';
import { WebhookWaits } from './waits.js';

export interface WebhookOptions {
  /** Signs deliveries and derives callback tokens (default: env RUNLOOM_WEBHOOK_SECRET). Never logged. */
  readonly secret?: string;
  /**
   * The base URL receivers call back, e.g. `https://runloom.example.com` (default: env
   * RUNLOOM_PUBLIC_URL; `runloom serve` uses its own address when neither is set).
   */
  readonly publicUrl?: string;
  /** ms the receiver has to accept a delivery with a 2xx (default 10 000). */
  readonly deliveryTimeoutMs?: number;
  /** ms between looks at the store for answers that reached another process (default 500). */
  readonly pollMs?: number;
}

export interface WebhooksApi {
  /**
   * Answers a webhook task's step through its callback token. NOT_FOUND when no step of that run
   * and node has this token (wrong token, another step's token); ALREADY_ANSWERED when the step
   * was answered already (a second or replayed callback), and nothing changes.
   */
  answer(runId: string, nodeId: string, token: string, answer: WebhookAnswer): Promise<void>;
  /** The callback base URL when none was configured (`serve` offers its own address). */
  offerPublicUrl(url: string): void;
}

/** The callback route's path for a step (also the route's pattern, with `{…}` params). */
export const callbackPath = (runId: string, nodeId: string, token: string): string =>
  `/v1/webhook-callbacks/${encodeURIComponent(runId)}/${encodeURIComponent(nodeId)}/${token}`;

export class Webhooks implements WebhooksApi {
  private readonly secret: string | undefined;
  private publicUrl: string | undefined;
  private readonly waits: WebhookWaits;
  private readonly deliveryTimeoutMs: number;

  constructor(
    private readonly calls: WebhookCallRecords,
    options: WebhookOptions,
    private readonly now: () => number,
  ) {
    this.secret = options.secret ?? (process.env.RUNLOOM_WEBHOOK_SECRET || undefined);
    this.publicUrl = trimSlash(options.publicUrl ?? (process.env.RUNLOOM_PUBLIC_URL || undefined));
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
    this.waits = new WebhookWaits(calls, options.pollMs ?? 500);
  }

  offerPublicUrl(url: string): void {
    this.publicUrl ??= trimSlash(url);
  }

  /** Refuses, before a run exists, a flow whose webhook tasks this process could not call. */
  checkFlow(flow: CompiledFlow): void {
    const node = flow.nodes.find((n) => n.type === 'task' && n.webhook !== undefined);
    if (node) this.config(node.id);
  }

  /** The task executor, with webhook tasks handled here and every other task by `actions`. */
  executor(actions: NodeExecutor): NodeExecutor {
    return (request) => {
      const url = request.node.type === 'task' ? request.node.webhook : undefined;
      return url === undefined ? actions(request) : this.call(url, request);
    };
  }

  async answer(runId: string, nodeId: string, token: string, answer: WebhookAnswer): Promise<void> {
    const hash = tokenHash(token);
    const row = await this.calls.byHash(hash);
    if (!row || row.runId !== runId || row.nodeId !== nodeId) {
      throw new RequestError('NOT_FOUND', `no step '${nodeId}' of run ${runId} waits for a callback with this token`);
    }
    if (row.answer || !(await this.calls.answer(hash, answer, this.now()))) {
      throw new RequestError('ALREADY_ANSWERED', `step '${nodeId}' of run ${runId} was answered already; nothing changed`);
    }
    this.waits.answered(hash, answer);
  }

  close(): void {
    this.waits.close();
  }

  private config(nodeId: string): { secret: string; publicUrl: string } {
    if (this.secret === undefined || this.publicUrl === undefined) {
      const missing = [
        ...(this.secret === undefined ? ['a secret (RUNLOOM_WEBHOOK_SECRET or webhooks.secret)'] : []),
        ...(this.publicUrl === undefined ? ['a public URL for callbacks (RUNLOOM_PUBLIC_URL or webhooks.publicUrl)'] : []),
      ];
      throw new RunloomError('WEBHOOK_NOT_CONFIGURED', `webhook task '${nodeId}' needs ${missing.join(' and ')}`);
    }
    return { secret: this.secret, publicUrl: this.publicUrl };
  }

  private async call(url: string, request: StepRequest): Promise<StepResult> {
    const { secret, publicUrl } = this.config(request.nodeId);
    if (isExpression(url)) {
      throw new RunloomError('WEBHOOK_URL', `webhook task '${request.nodeId}': the URL must be literal, not an expression`);
    }
    const token = callbackToken(secret, request.idempotencyKey);
    const hash = tokenHash(token);
    const call = await this.calls.open({ tokenHash: hash, runId: request.runId, nodeId: request.nodeId, createdAt: this.now() });
    if (call.answer) return resultOf(call.answer);
    let deliveredAt = call.deliveredAt;
    if (deliveredAt === undefined) {
      const body = JSON.stringify({
        runId: request.runId,
        nodeId: request.nodeId,
        input: request.input,
        callbackUrl: publicUrl + callbackPath(request.runId, request.nodeId, token),
        idempotencyKey: request.idempotencyKey,
      });
      await this.deliver(url, body, secret, request);
      deliveredAt = this.now();
      await this.calls.delivered(hash, deliveredAt);
    }
    // The step's timeout counts from the delivery, also for a step executed again.
    const left = request.timeoutMs ? request.timeoutMs - (this.now() - deliveredAt) : undefined;
    return resultOf(await this.waits.wait(hash, request.nodeId, request.signal, left));
  }

  private async deliver(url: string, body: string, secret: string, request: StepRequest): Promise<void> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(secret, body, this.now()),
          'idempotency-key': request.idempotencyKey,
        },
        body,
        signal: AbortSignal.any([request.signal, AbortSignal.timeout(this.deliveryTimeoutMs)]),
      });
      await response.body?.cancel();
    } catch (error) {
      if (request.aborted) throw new RunloomError('CANCELLED', `webhook task '${request.nodeId}' was cancelled`);
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.deliveryTimeoutMs} ms` : 'unreachable';
      throw new RunloomError('WEBHOOK_FAILED', `webhook task '${request.nodeId}': ${safeUrl(url)} ${reason}`, {
        retryable: true,
      });
    }
    if (!response.ok) {
      throw new RunloomError('WEBHOOK_FAILED', `webhook task '${request.nodeId}': ${safeUrl(url)} answered ${response.status}`, {
        retryable: true,
      });
    }
  }
}

function resultOf(answer: WebhookAnswer): StepResult {
  if (answer.status === 'completed') return { output: answer.output };
  throw new RunloomError(answer.error.code, answer.error.message, { retryable: true });
}

const trimSlash = (url: string | undefined) => url?.replace(/\/+$/, '');

const safeUrl = (url: string) => (URL.canParse(url) ? withoutSecrets(new URL(url)) : 'the webhook URL');
