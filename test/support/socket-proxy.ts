import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A read-only Docker socket proxy for tests, on 127.0.0.1: forwards GET and HEAD requests to the Engine's unix
 * socket and refuses every other method with 403 (as the socket proxies of a real deployment do). It records
 * every request, and can cut the open event streams (a proxy timing out, a network blip) while the Engine runs.
 */
export interface SocketProxy {
  /** `tcp://127.0.0.1:<port>`, for SM_DOCKER_HOST. */
  readonly host: string;
  readonly requests: ReadonlyArray<{ readonly method: string; readonly path: string }>;
  /** Open streaming responses (the event stream), counted. */
  readonly openStreams: number;
  /** Destroys every open streaming response; returns how many. */
  dropStreams(): number;
  close(): Promise<void>;
}

export async function startSocketProxy(socketPath: string): Promise<SocketProxy> {
  const requests: Array<{ method: string; path: string }> = [];
  const streams = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    requests.push({ method, path: req.url ?? '' });
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `${method} is not allowed by this proxy` }));
      return;
    }
    const upstream = http.request({ socketPath, path: req.url, method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // A stream's headers go at once (Node would hold them until the first chunk of the body).
      res.flushHeaders();
      if ((req.url ?? '').includes('/events')) {
        streams.add(res);
        res.once('close', () => streams.delete(res));
      }
      answer.pipe(res);
      res.once('close', () => answer.destroy());
    });
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'the Engine cannot be reached' }));
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `tcp://127.0.0.1:${port}`,
    requests,
    get openStreams() {
      return streams.size;
    },
    dropStreams: () => {
      const n = streams.size;
      for (const res of streams) res.destroy();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
