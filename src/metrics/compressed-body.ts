import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * The gzip of the latest /metrics answer, made once per answer (a render happens at most about once a second) on
 * libuv's pool, not on the event loop. Prometheus asks for gzip by default: at 1,000 targets the answer is ~880 KiB
 * as text and ~10 times less compressed, which is what a scraper on the same host spends its time reading.
 */
export class CompressedBody {
  private last: { source: Buffer; gzipped: Promise<Buffer | undefined> } | undefined;

  /** The gzip of `source`; undefined when it could not be made (the text is sent then). */
  of(source: Buffer): Promise<Buffer | undefined> {
    if (this.last?.source !== source) this.last = { source, gzipped: gzipAsync(source).catch(() => undefined) };
    return this.last.gzipped;
  }
}
