// Narrowing of errors thrown by @kubernetes/client-node API calls.
import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, or undefined if the error did not come from the apiserver. */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Runs a create call; an AlreadyExists (409) answer counts as success. */
export async function createIfMissing(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (apiStatus(err) !== 409) throw err;
  }
}
