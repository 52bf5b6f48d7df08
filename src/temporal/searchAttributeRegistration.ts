import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { goLiveSearchAttributes } from '../contract/searchAttributes';

/**
 * On a cluster (not the dev server, which registers them at start) golive's search attributes
 * must exist before runs can be listed by them. Registering needs operator rights; Temporal
 * Cloud manages them in its console, so a refusal is reported, not fatal.
 */
const indexedType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string | undefined> {
  try {
    const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
    const missing = goLiveSearchAttributes.filter((k) => !(k.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return undefined;
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedType[k.type]!])),
    });
    return undefined;
  } catch (err) {
    const names = goLiveSearchAttributes.map((k) => `${k.name} (${k.type})`).join(', ');
    return `could not register search attributes (${(err as Error).message}); create them yourself: ${names}`;
  }
}
