/** The bare worker's one activity: an HTTP GET that must answer 200 (golive's http-check, by hand). */
export const bareActivities = {
  async httpGet(url: string): Promise<{ status: number }> {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return { status: res.status };
  },
};

export type BareActivities = typeof bareActivities;
