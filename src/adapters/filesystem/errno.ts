/** Whether `error` is a system error with this errno code (`ENOENT`). */
export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
