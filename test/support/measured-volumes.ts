/** A volume of GET /api/volumes, as the tests read it. */
export type VolumeBody = Record<string, unknown> & { registrations: Array<Record<string, unknown>> };

/**
 * The volume list once every size in it is measured (sizes are measured in the background, never on a
 * request): polled until then, failing after 15 s. `query` narrows the list (`?name=stat`).
 */
export async function measuredVolumes(baseUrl: string, query = ''): Promise<VolumeBody[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const volumes = (await (await fetch(`${baseUrl}/api/volumes${query}`)).json()) as VolumeBody[];
    const measured = volumes.every((v) => v.current_bytes_measured_at !== null && v.registrations.every((r) => r.path_bytes_measured_at !== null));
    if (measured) return volumes;
    if (Date.now() > deadline) throw new Error(`volume sizes still unmeasured: ${JSON.stringify(volumes)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
