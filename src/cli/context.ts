import type { Command } from 'commander';
import { ApiClient } from './client.js';
import { CliError, EXIT } from './exit-codes.js';
import { processOutput, type Output } from './output.js';

export const DEFAULT_URL = 'http://127.0.0.1:9100';

export interface GlobalOptions {
  url: string;
  token?: string;
  timeout: number;
}

/** What every command gets: the typed client (built on first use), where to write, the global options. */
export interface Context {
  readonly output: Output;
  readonly options: GlobalOptions;
  client(signal?: AbortSignal): ApiClient;
}

export function contextOf(command: Command, output: Output = processOutput): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  return {
    output,
    options,
    client: (signal) => new ApiClient({ url: options.url, token: options.token, timeoutMs: options.timeout, signal }),
  };
}

/** A positive whole number option (`--timeout 5000`). */
export function positiveInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`${name} must be a whole number ≥ 1 (got "${value}")`, EXIT.invalid);
    return Number(value);
  };
}

/** `--param a=1 --param b=2`: collects repeated options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
