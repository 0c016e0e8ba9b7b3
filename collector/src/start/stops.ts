// Stages are stopped in the reverse of the order they were started in, whether the app is shutting down
// or a later stage failed to start. A stop that fails is logged and the others still run; stopping
// twice waits for the first.
import type { Logger } from 'pino';

export class Stops {
  readonly #stops: (() => Promise<void> | void)[] = [];
  #stopping: Promise<void> | null = null;

  constructor(private readonly logger: Logger) {}

  /** `stop` runs before every stop added earlier. */
  add(stop: () => Promise<void> | void): void {
    this.#stops.push(stop);
  }

  stopAll(): Promise<void> {
    return (this.#stopping ??= this.#run());
  }

  async #run(): Promise<void> {
    for (let stop = this.#stops.pop(); stop !== undefined; stop = this.#stops.pop()) {
      try {
        await stop();
      } catch (err) {
        this.logger.error({ err }, 'error while stopping');
      }
    }
  }
}
