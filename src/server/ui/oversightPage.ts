import type { RunStateView } from '../../contract/definitions';
import { isAllowed, type Person } from '../../contract/policy';
import type { ReviewView } from '../../contract/reviewDefinitions';
import { reviewFactsFromViews } from '../../contract/reviewFacts';
import type { RunOversight } from '../oversightReviews';
import { html, type SafeHtml } from './html';
import { badge, formStatus, time } from './layout';

/** The run's scheduled oversight (schedules and reviews) and one review with its form. */

const reviewLink = (r: ReviewView) => html`<a href="/reviews/${encodeURIComponent(r.reviewId)}">${r.dutyTitle}</a>`;

export function oversightPage(o: RunOversight): SafeHtml {
  const runLink = html`<a href="/runs/${encodeURIComponent(o.runId)}">${o.system}</a>`;
  if (o.state === 'none')
    return html`<h1>Oversight · ${runLink}</h1><p class="empty">No oversight is scheduled for this run (its runbook declares no duties for Collaboration Mode ${o.collaborationMode}, or it has not gone live yet).</p>`;
  return html`<h1>Oversight · ${runLink}</h1>
  <p>Collaboration Mode ${o.collaborationMode} · schedules ${badge(o.state)}${o.note ? html` · ${o.note}` : ''}</p>
  <section aria-labelledby="sched-h"><h2 id="sched-h">Schedules</h2>
  <table><thead><tr><th>Duty</th><th>Every</th><th>State</th><th>Next reviews</th><th>Temporal schedule</th></tr></thead><tbody>
  ${o.schedules.map(
    (s) =>
      html`<tr><td>${s.dutyId}</td><td>${s.every}</td><td>${s.exists ? (s.paused ? html`${badge('paused')} ${s.note ?? ''}` : badge('active')) : badge('deleted')}</td><td>${s.nextReviews.map((t) => html`${time(t)} `)}</td><td><code>${s.scheduleId}</code></td></tr>`,
  )}
  </tbody></table></section>
  <section aria-labelledby="rev-h"><h2 id="rev-h">Reviews</h2>
  ${o.reviews.length === 0 ? html`<p class="empty">No review has fallen due yet.</p>` : reviewsTable(o.reviews)}</section>`;
}

function reviewsTable(reviews: ReviewView[]): SafeHtml {
  return html`<table><thead><tr><th>Review</th><th>Due</th><th>State</th><th>By</th><th>Sample</th><th>Overrides</th><th>Findings</th></tr></thead><tbody>
  ${reviews.map(
    (r) =>
      html`<tr><td>${reviewLink(r)}</td><td>${time(r.dueAt)}</td><td>${badge(r.status)}</td><td>${r.review?.by.id ?? ''}</td><td>${r.review?.sampleSize ?? ''}</td><td>${r.review?.overrides ?? ''}</td><td>${r.review?.findings.length ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

export function reviewPage(review: ReviewView, run: RunStateView, me: Person): SafeHtml {
  const mayReview = isAllowed(reviewFactsFromViews(run, review), me, { kind: 'review' });
  return html`<h1>${review.dutyTitle} · <a href="/runs/${encodeURIComponent(review.parentRunId)}/oversight">${review.system}</a></h1>
  <p>${badge(review.status)} · due ${time(review.dueAt)} · reviewed by ${review.reviewers.join(' or ')} · sample ${review.sampleSize} AI decisions</p>
  ${review.escalations.length > 0 && html`<ul class="escalations">${review.escalations.map((e) => html`<li>${time(e.at)}: ${e.missed ? 'missed; told' : `escalation level ${e.level}; told`} ${e.notified.join(', ')}</li>`)}</ul>`}
  ${review.review && recordedReview(review)}
  ${review.status === 'waiting' && (mayReview ? reviewForm(review) : html`<p class="muted">Recorded by: ${review.reviewers.join(' or ')} (not the person who started the go-live).</p>`)}`;
}

function recordedReview(review: ReviewView): SafeHtml {
  const r = review.review!;
  return html`<section class="card" aria-labelledby="done-h"><h2 id="done-h">Review by ${r.by.name ?? r.by.id} (${r.role}), ${time(r.at)}</h2>
  <p>Sampled ${r.sampleSize} AI decisions, overrode ${r.overrides}.${r.note ? html` ${r.note}` : ''}</p>
  ${r.findings.length > 0 && html`<ul>${r.findings.map((f) => html`<li>${f.severity}: ${f.summary}${f.report ? ' (raised as a Red Button report)' : ''}</li>`)}</ul>`}</section>`;
}

/** Once recorded, the page is loaded again: it shows the recorded review in place of the form. */
function reviewForm(review: ReviewView): SafeHtml {
  return html`<form id="review-form" class="card" data-api="/api/reviews/${encodeURIComponent(review.reviewId)}" data-redirect="/reviews/${encodeURIComponent(review.reviewId)}" novalidate>
  <div class="field"><label for="rv-sample">AI decisions sampled</label><input id="rv-sample" name="sampleSize" data-type="number" inputmode="numeric" value="${review.sampleSize}" required></div>
  <div class="field"><label for="rv-overrides">Of those, overridden</label><input id="rv-overrides" name="overrides" data-type="number" inputmode="numeric" value="0" required></div>
  <fieldset><legend>Finding (optional)</legend>
    <div class="field"><label for="rv-f-summary">What was wrong</label><textarea id="rv-f-summary" name="findings.0.summary" rows="3"></textarea></div>
    <div class="field"><label for="rv-f-severity">Severity</label><select id="rv-f-severity" name="findings.0.severity"><option value="">—</option><option value="low">low</option><option value="medium">medium</option><option value="high">high</option><option value="critical">critical</option></select></div>
    <div class="field check"><input type="checkbox" id="rv-f-report" name="findings.0.report" value="true" data-type="json"><label for="rv-f-report">Raise it as a Red Button report on the run</label></div>
  </fieldset>
  <div class="field"><label for="rv-note">Note</label><input id="rv-note" name="note"></div>
  ${formStatus()}
  <button type="submit">Record review</button>
</form>`;
}
