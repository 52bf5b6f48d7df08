import { patched, sleep } from '@temporalio/workflow';
import { goLive as current } from '../../../workflows/goLive';
import type { GoLiveInput } from '../../../src/contract/definitions';

/** The same change behind patched(): new runs take it, recorded runs replay as they ran. */
export async function goLive(input: GoLiveInput) {
  if (patched('golive-replay-test-extra-timer')) await sleep(1);
  return current(input);
}
