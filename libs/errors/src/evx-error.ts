/**
 * The one error model of EVX. Domain and application code throw `EvxError` with a kind; each transport maps the
 * kind exactly once (gRPC status in libs/transport, HTTP status likewise), with an exhaustive switch so that a new
 * kind cannot go unmapped.
 */
export const ERROR_KINDS = [
  'invalid-argument',
  'out-of-range',
  'not-found',
  'already-exists',
  'failed-precondition',
  'stale-generation',
  'unauthenticated',
  'permission-denied',
  'too-large',
  'data-loss',
  'unavailable',
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export class EvxError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** A stable machine-readable code, e.g. `CERT_REVOKED`; the message is for people. */
    readonly code: string = kind.toUpperCase().replace(/-/g, '_'),
  ) {
    super(message);
    this.name = 'EvxError';
  }
}

export function isEvxError(value: unknown): value is EvxError {
  return value instanceof EvxError;
}

/** Compile-time exhaustiveness check for switches over a union. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
