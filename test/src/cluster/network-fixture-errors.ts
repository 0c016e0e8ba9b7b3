// Typed errors of the network fixtures (node address pool, route guard). Callers branch on `code`.

export type NetworkFixtureErrorCode =
  /** Namespaces, veth devices and routes need root. */
  | 'NOT_ROOT'
  /** No candidate block was free of the machine's routes (or they were all claimed). */
  | 'NO_FREE_BLOCK'
  /** An `ip` command failed. */
  | 'COMMAND_FAILED'
  /** Every node address of the pool is handed out. */
  | 'POOL_EXHAUSTED'
  /** An address given to kill/revive/unreachable is not one of the pool's node addresses. */
  | 'NOT_IN_POOL'
  /** The pool was removed. */
  | 'POOL_REMOVED'
  /** An address would be routed off this machine. */
  | 'ROUTES_OFF_MACHINE';

export class NetworkFixtureError extends Error {
  readonly code: NetworkFixtureErrorCode;

  constructor(code: NetworkFixtureErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkFixtureError';
    this.code = code;
  }
}
