// The API's error catalogue and the one place where errors become gRPC statuses.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

export type ApiErrorCode = 'not-found' | 'invalid-argument' | 'unavailable' | 'resource-exhausted';

const GRPC_CODES: Record<ApiErrorCode, status> = {
  'not-found': status.NOT_FOUND,
  'invalid-argument': status.INVALID_ARGUMENT,
  unavailable: status.UNAVAILABLE,
  'resource-exhausted': status.RESOURCE_EXHAUSTED,
};

/** An expected failure of a request; its message is shown to the client as is. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what: string): ApiError => new ApiError('not-found', `${what} not found`);
export const invalidArgument = (field: string, problem: string): ApiError =>
  new ApiError('invalid-argument', `${field}: ${problem}`);
export const unavailable = (why: string): ApiError => new ApiError('unavailable', why);

/**
 * Maps any error to a status for the client. ApiErrors keep their code and message; anything else is a
 * bug or an unexpected failure: INTERNAL with a generic message (the caller logs the original).
 */
export function toServiceError(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  if (err instanceof ApiError) {
    return { code: GRPC_CODES[err.code], details: err.message, metadata: new Metadata() };
  }
  return { code: status.INTERNAL, details: 'internal error', metadata: new Metadata() };
}
