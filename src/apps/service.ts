/**
 * A service of `synack serve`: a listening synack net.Server that keeps track
 * of the sockets it accepted, reports their opening and closing, and can be
 * shut down cleanly (stop accepting, FIN every connection, wait a bounded
 * time, then destroy what is left). echo.ts, discard.ts and http-service.ts
 * are built on it; tests use them the same way on in-memory stacks.
 */
import type { Net, Server, ServerOptions, Socket } from '../net/index.js';

/** What a service reports about each connection (serve prints it with --verbose). */
export type ServiceEvent =
  | { type: 'open'; service: string; remote: string }
  | { type: 'close'; service: string; remote: string; bytesIn: number; bytesOut: number; error?: string };

export interface ServiceOptions {
  /** Bind to one address of the stack (default: all of them). */
  host?: string;
  /** Called for every connection opened and closed. */
  onEvent?: (ev: ServiceEvent) => void;
}

export interface Service {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  /** Sockets accepted and not yet closed. */
  readonly sockets: ReadonlySet<Socket>;
  /**
   * Stop accepting, end every connection (FIN after its queued data), wait
   * up to `graceMs` for them to close, then destroy the rest. Never rejects.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Listen on `port` and hand each accepted socket to `handle`. Resolves once
 * listening; rejects with the listen error (EADDRINUSE…).
 */
export function startService(
  net: Net,
  name: string,
  port: number,
  serverOptions: Omit<ServerOptions, 'stack'>,
  handle: (socket: Socket) => void,
  opts: ServiceOptions = {},
): Promise<Service> {
  const sockets = new Set<Socket>();
  const server = net.createServer(serverOptions, (socket) => {
    sockets.add(socket);
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    opts.onEvent?.({ type: 'open', service: name, remote });
    let error: string | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.once('close', () => {
      sockets.delete(socket);
      opts.onEvent?.({ type: 'close', service: name, remote, bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten, ...(error !== undefined ? { error } : {}) });
    });
    handle(socket);
  });
  const service: Service = {
    name,
    port,
    server,
    sockets,
    close: (graceMs = 1000) => closeService(server, sockets, graceMs),
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.host, () => {
      server.off('error', reject);
      resolve(service);
    });
  });
}

async function closeService(server: Server, sockets: Set<Socket>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sockets) s.end();
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([closed, timer])) === 'timeout') {
    for (const s of sockets) s.destroy();
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 100).unref())]);
  }
}
