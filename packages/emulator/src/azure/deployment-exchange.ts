import type { OutgoingHttpHeaders } from 'node:http';
import { Exchange } from '../exchange';
import { azureHeaders, azureStreamHeaders } from './wire';

/**
 * The request as the model behind a deployment sees it: the body's `model` is that model (so
 * tokens are counted with its tokenizer) and `params.deployment` names the deployment.
 */
export class DeploymentExchange extends Exchange {
  constructor(base: Exchange, deployment: string, model: string) {
    super(
      base.req,
      base.res,
      base.url,
      { ...base.params, deployment },
      { ...base.fields, model },
      base.directives,
      base.record,
      base.options,
    );
  }
}

/**
 * A {@link DeploymentExchange} for the OpenAI answer code: what it sends gets Azure's headers,
 * and its JSON answers the fields Azure adds (`reshape`).
 */
export class AzureAnswerExchange extends DeploymentExchange {
  constructor(
    base: Exchange,
    deployment: string,
    model: string,
    private readonly reshape: (payload: Record<string, unknown>) => Record<string, unknown>,
  ) {
    super(base, deployment, model);
  }

  override sendJson(status: number, payload: unknown, _headers: OutgoingHttpHeaders = {}): void {
    const isObject = payload !== null && typeof payload === 'object' && !Array.isArray(payload);
    super.sendJson(status, isObject && status < 400 ? this.reshape(payload as Record<string, unknown>) : payload, azureHeaders(this));
  }

  override startStream(status: number, _headers: OutgoingHttpHeaders): void {
    super.startStream(status, azureStreamHeaders(this));
  }
}
