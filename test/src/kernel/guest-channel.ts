// Host side of the guest command channel: a Unix socket QEMU connects to as the guest's virtio-serial
// port, multiplexing any number of guest processes (short commands and long-running ones such as the
// agent) over one stream. See guest-protocol.ts for the messages.
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { KernelTestBedError } from './errors.js';
import { decodeGuestMessage, encodeHostMessage, type GuestMessage } from './guest-protocol.js';

export interface GuestExit {
  /** Exit code; null when killed by a signal or when the guest went away first. */
  code: number | null;
  signal: string | null;
  /** True when the guest (QEMU or its command server) went away before the process exited. */
  guestGone: boolean;
}

export interface GuestCommandResult extends GuestExit {
  stdout: string;
  stderr: string;
}

export interface GuestSpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Called with every complete output line, stdout and stderr alike. */
  onLine?: (line: string, fd: 1 | 2) => void;
}

export interface GuestProcess {
  id: number;
  cmd: string;
  exited: Promise<GuestExit>;
  stdout(): string;
  stderr(): string;
  /** Sends a signal to the process group of the command in the guest. */
  kill(signal?: NodeJS.Signals): void;
}

interface Pending {
  stdout: Buffer[];
  stderr: Buffer[];
  partial: [string, string];
  onLine: ((line: string, fd: 1 | 2) => void) | undefined;
  resolve: (exit: GuestExit) => void;
}

export interface GuestReady {
  /** Guest uptime when the command server started, ms (boot-to-shell time). */
  uptimeMs: number;
}

export class GuestChannel {
  private readonly server: Server;
  private socket: Socket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private malformed = 0;
  private gone = false;
  private readonly ready: Promise<GuestReady>;
  private resolveReady: (ready: GuestReady) => void = () => undefined;
  private rejectReady: (err: Error) => void = () => undefined;

  private constructor(server: Server) {
    this.server = server;
    this.ready = new Promise<GuestReady>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A boot failure is reported through waitReady; until someone waits, do not crash on it.
    this.ready.catch(() => undefined);
    server.on('connection', (socket) => this.attach(socket));
  }

  /** Listens on `path`; QEMU connects once it starts. */
  static async listen(path: string): Promise<GuestChannel> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    return new GuestChannel(server);
  }

  /** Lines from the guest that were not protocol messages (a counted value, never an error). */
  malformedLines(): number {
    return this.malformed;
  }

  /** Resolves when the guest's command server says it is ready; rejects on `timeoutMs` or when the guest goes. */
  async waitReady(timeoutMs: number): Promise<GuestReady> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KernelTestBedError('TIMEOUT', `the guest command server was not ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  spawn(cmd: string, options: GuestSpawnOptions = {}): GuestProcess {
    const id = this.nextId++;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const exited = new Promise<GuestExit>((resolve) => {
      this.pending.set(id, { stdout, stderr, partial: ['', ''], onLine: options.onLine, resolve });
    });
    if (this.gone || this.socket === null) {
      this.finish(id, { code: null, signal: null, guestGone: true });
    } else {
      this.socket.write(encodeHostMessage({ t: 'spawn', id, cmd, env: options.env, cwd: options.cwd }));
    }
    return {
      id,
      cmd,
      exited,
      stdout: () => Buffer.concat(stdout).toString('utf8'),
      stderr: () => Buffer.concat(stderr).toString('utf8'),
      kill: (signal: NodeJS.Signals = 'SIGTERM') => {
        if (!this.gone && this.socket !== null && this.pending.has(id)) {
          this.socket.write(encodeHostMessage({ t: 'kill', id, signal }));
        }
      },
    };
  }

  /** Runs a command to completion; GUEST_GONE when the guest goes first, TIMEOUT after `timeoutMs` (then killed). */
  async run(cmd: string, options: GuestSpawnOptions & { timeoutMs?: number } = {}): Promise<GuestCommandResult> {
    const proc = this.spawn(cmd, options);
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([proc.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      proc.kill('SIGKILL');
      throw new KernelTestBedError(
        'TIMEOUT',
        `guest command did not finish within ${timeoutMs} ms: ${cmd}\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`,
      );
    }
    if (outcome.guestGone) throw new KernelTestBedError('GUEST_GONE', `the guest went away while running: ${cmd}`);
    return { ...outcome, stdout: proc.stdout(), stderr: proc.stderr() };
  }

  /** Stops listening and ends every pending process as guestGone. Idempotent. */
  async close(): Promise<void> {
    this.markGone();
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private attach(socket: Socket): void {
    if (this.socket !== null) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.on('error', () => undefined);
    socket.on('close', () => this.markGone());
    createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.rejectReady(new KernelTestBedError('GUEST_GONE', 'the guest went away before its command server was ready'));
    for (const id of [...this.pending.keys()]) this.finish(id, { code: null, signal: null, guestGone: true });
  }

  private onLine(line: string): void {
    const message = decodeGuestMessage(line);
    if (message === null) {
      this.malformed++;
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: GuestMessage): void {
    switch (message.t) {
      case 'ready':
        this.resolveReady({ uptimeMs: message.uptimeMs });
        return;
      case 'out':
        this.output(message.id, message.fd, message.data);
        return;
      case 'exit':
        this.finish(message.id, { code: message.code, signal: message.signal, guestGone: false });
        return;
      case 'error':
        this.output(message.id, 2, Buffer.from(`${message.message}\n`));
        this.finish(message.id, { code: 127, signal: null, guestGone: false });
        return;
    }
  }

  private output(id: number, fd: 1 | 2, data: Buffer): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    (fd === 1 ? p.stdout : p.stderr).push(data);
    if (p.onLine === undefined) return;
    const index = fd - 1;
    const lines = (p.partial[index] + data.toString('utf8')).split('\n');
    p.partial[index] = lines.pop() ?? '';
    for (const line of lines) p.onLine(line, fd);
  }

  private finish(id: number, exit: GuestExit): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    for (const [index, rest] of p.partial.entries()) {
      if (rest !== '' && p.onLine !== undefined) p.onLine(rest, index === 0 ? 1 : 2);
    }
    p.resolve(exit);
  }
}
