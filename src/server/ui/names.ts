import type { ServerContext } from '../deps';
import { html, type SafeHtml } from './html';

/**
 * Roles and people as pages say them: by the title or name people read, the id kept as the
 * tooltip so operators can still match it to the API, the trail and the CLI. Display only.
 */

/** A role or a person by its name, the id as its tooltip; the id alone when there is no other name. */
export function named(id: string, name: string | undefined): SafeHtml | string {
  return name && name !== id ? html`<span title="${id}">${name}</span>` : id;
}

/** Items (text or markup) with `sep` between them. */
export const joined = (items: readonly (SafeHtml | string)[], sep: string): SafeHtml =>
  html`${items.map((x, i) => html`${i > 0 && sep}${x}`)}`;

/** Display names by person id, from the directory; none when it cannot be read (the ids are shown). */
export async function directoryNames(ctx: ServerContext, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const people = await ctx.directory.getMany(ids).catch(() => new Map<string, { name: string }>());
  return new Map([...people].map(([id, p]) => [id, p.name]));
}
