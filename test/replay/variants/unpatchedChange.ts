import { sleep } from '@temporalio/workflow';
import { goLive as current } from '../../../workflows/goLive';
import type { GoLiveInput } from '../../../src/contract/definitions';

/** A careless change: a new timer before the run starts, with no patch. Old histories must break. */
export async function goLive(input: GoLiveInput) {
  await sleep(1);
  return current(input);
}
