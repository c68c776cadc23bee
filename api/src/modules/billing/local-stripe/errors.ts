/**
 * Errors in Stripe's wire shape, `{ error: { type, code?, message, param?, doc_url? } }`, so the SDK raises the same
 * error classes (StripeInvalidRequestError, StripeAuthenticationError, StripeIdempotencyError, StripeCardError)
 * with the same `code`, `param` and `statusCode` it would against api.stripe.com.
 */
type StripeErrorType = 'invalid_request_error' | 'idempotency_error' | 'card_error' | 'api_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
  decline_code?: string;
}

export class StripeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }

  toJSON(): { error: StripeErrorBody } {
    return { error: this.body };
  }

  static missing(param: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'parameter_missing',
      message: `Missing required param: ${param}.`,
      param,
      doc_url: docUrl('parameter_missing'),
    });
  }

  /**
   * `resource` is Stripe's word in the message (customer, price, checkout.session…). A missing path id is a 404; a
   * missing object named by a body parameter (`customer`, `line_items[0][price]`) is a 400 naming that parameter.
   */
  static noSuch(resource: string, id: string, param = 'id'): StripeApiError {
    return new StripeApiError(param === 'id' ? 404 : 400, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such ${resource}: '${id}'`,
      param,
      doc_url: docUrl('resource_missing'),
    });
  }

  static invalid(message: string, param?: string, code?: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'invalid_request_error',
      message,
      ...(code ? { code, doc_url: docUrl(code) } : {}),
      ...(param ? { param } : {}),
    });
  }

  static unrecognizedUrl(method: string, path: string): StripeApiError {
    return new StripeApiError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    });
  }

  static noApiKey(): StripeApiError {
    return new StripeApiError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    });
  }

  static invalidApiKey(key: string): StripeApiError {
    // Stripe shows the key's prefix and last four characters only.
    const redacted = key.length > 12 ? `${key.slice(0, key.indexOf('_', 3) + 1)}${'*'.repeat(12)}${key.slice(-4)}` : '****';
    return new StripeApiError(401, {
      type: 'invalid_request_error',
      message: `Invalid API Key provided: ${redacted}`,
    });
  }

  static idempotencyMismatch(key: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  }

  static cardDeclined(): StripeApiError {
    return new StripeApiError(402, {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
      doc_url: docUrl('card_declined'),
    });
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}
