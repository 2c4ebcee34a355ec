// RFC 9457 problem details. Every error the API answers is one of these; the `type` URIs are stable
// identifiers that clients can switch on, documented at /docs.

export interface FieldProblem {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldProblem[];
}

const TYPE_BASE = 'https://corridor.dev/problems/';

/** The one base error class: anything thrown as a ProblemError reaches the client as problem+json. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldProblem[],
  ) {
    super(detail ?? title);
  }
  body(instance?: string): ProblemBody {
    return {
      type: TYPE_BASE + this.slug,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const validationFailed = (errors: FieldProblem[], detail = 'the request has invalid fields') =>
  new ProblemError(400, 'validation-failed', 'Invalid request', detail, errors);
export const unprocessable = (errors: FieldProblem[], detail: string) =>
  new ProblemError(422, 'unprocessable', 'The request breaks a rule', detail, errors);
export const unauthorized = (detail = 'a valid API key is required: Authorization: Bearer <key>') =>
  new ProblemError(401, 'unauthorized', 'Unauthorized', detail);
export const forbidden = (detail: string) => new ProblemError(403, 'forbidden', 'Forbidden', detail);
export const notFound = (what: string) => new ProblemError(404, 'not-found', 'Not found', `${what} was not found`);
export const conflict = (detail: string) => new ProblemError(409, 'conflict', 'Conflict', detail);
export const payloadTooLarge = (detail: string) =>
  new ProblemError(413, 'payload-too-large', 'Payload too large', `${detail}; nothing was written`, [
    { path: 'body', message: detail },
  ]);
export const unsupportedMediaType = (detail: string) =>
  new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', detail);
