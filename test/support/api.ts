import http from 'node:http';

/**
 * JSON over HTTP against a running service, one connection per request: a kept-alive socket that the server
 * closes after its idle timeout can otherwise meet the next request (ECONNRESET) when a test waited a while.
 */
export async function sendJson<T = unknown>(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const { status, text } = await send(base, method, path, body);
  return { status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function getText(base: string, path: string): Promise<string> {
  return (await send(base, 'GET', path)).text;
}

function send(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}${path}`,
      { method, agent: false, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', reject);
        response.once('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.once('error', reject);
    request.end(payload);
  });
}

export function getJson<T = unknown>(base: string, path: string): Promise<{ status: number; body: T }> {
  return sendJson<T>(base, 'GET', path);
}
