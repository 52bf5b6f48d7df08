import { patched } from '@temporalio/workflow';
import type { ReportView } from '../src/contract/definitions';
import type { RunContext } from './runContext';

/**
 * Recognition of Red Button reporters: on resolution the run records a thank-you on the report
 * (it is in the resolution's record, so in the trail) and sends it to a named reporter through
 * the notification channels. An anonymous reporter is named nowhere, so nothing is sent; they
 * read the thank-you with their receipt. Behind patched('golive-report-thanks').
 */

export function recordThanks(report: ReportView, now: string): void {
  if (!patched('golive-report-thanks') || report.thanks) return;
  report.thanks = {
    at: now,
    text: `Thank you for pressing the Red Button. Your ${report.severity} report ${report.id} was answered: ${report.resolution?.text ?? ''}`,
  };
}

/** Sends the thank-yous recorded but not sent yet (each once; an undelivered one is recorded as such). */
export async function sendThanks(ctx: RunContext): Promise<void> {
  for (const report of ctx.state.data.reports) {
    const thanks = report.thanks;
    if (!thanks || thanks.delivered !== undefined || report.reporter === 'anonymous') continue;
    thanks.delivered = await ctx.send(
      [report.reporter],
      `[golive ${ctx.input.system}] Thank you for your Red Button report ${report.id}`,
      thanks.text,
      'info',
    );
  }
}
