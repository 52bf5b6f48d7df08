// @ts-check
// Forms that post JSON to the API (data-api) with the page's CSRF token and show the outcome in
// place: two-step forms (data-confirm), passkey-signed decisions (data-passkey), anonymous
// receipts, and the start form's runbook switch.
/* global document, window, fetch, crypto, HTMLFormElement, HTMLSelectElement */
import { attr, closestTo, csrf, readJson, show, showOutage } from './dom.mjs';
import { clearErrors, markField, showErrors } from './fieldErrors.mjs';
import { refresh } from './live.mjs';
import { withPasskey } from './passkeys.mjs';
import { serialize } from './serialize.mjs';

/** @typedef {import('./dom.mjs').ApiAnswer} ApiAnswer */
/** @typedef {import('./dom.mjs').LocalFailure} LocalFailure */
/** @typedef {import('./serialize.mjs').Submitter} Submitter */
/** @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Field */

/** @param {HTMLFormElement} form */
function confirmPanel(form) {
  return /** @type {HTMLElement | null} */ (form.querySelector('.confirm'));
}

/**
 * Two-step forms (data-confirm on the form, or on the one button that needs it): that submit
 * opens the question, the "Yes" sends; "Cancel" closes it and goes back to the button that asked.
 */
function installConfirmCancel() {
  document.addEventListener('click', (event) => {
    const cancel = /** @type {HTMLButtonElement | null} */ (closestTo(event, '[data-cancel]'));
    if (!cancel || !cancel.form) return;
    const panel = confirmPanel(cancel.form);
    if (panel) panel.hidden = true;
    const asker = /** @type {HTMLElement | null} */ (
      cancel.form.querySelector('button[data-confirm]') ||
        cancel.form.querySelector('button[type=submit]:not([data-confirmed])')
    );
    if (asker) asker.focus();
  });
}

/**
 * Does this submit ask first? A field blank that this button needs (data-blank-for) asks
 * nothing: the server refuses the request and says why at the field, so nothing would happen.
 * @param {HTMLFormElement} form
 * @param {Submitter} submitter
 */
function asksFirst(form, submitter) {
  if (form.hasAttribute('data-confirm')) return true;
  if (!submitter || !submitter.hasAttribute('data-confirm')) return false;
  const needed = Array.from(form.querySelectorAll('[data-blank-for]')).filter(
    (el) => el.getAttribute('data-blank-for') === submitter.value,
  );
  return needed.every((el) => /** @type {Field} */ (el).value.trim() !== '');
}

/**
 * Anonymous receipt: shown beside the form, explained, copyable; it exists only once.
 * @param {HTMLFormElement} form
 * @param {string} receipt
 */
function showReceipt(form, receipt) {
  const box = document.getElementById(attr(form, 'data-receipt'));
  if (!box) return false;
  box.textContent = '';
  const h = document.createElement('h3');
  h.textContent = 'Your anonymous receipt';
  const p = document.createElement('p');
  p.textContent =
    "Keep this receipt: it proves the report was yours (the report in the audit trail carries its hash; the server keeps nothing else). It is shown once. The answer to your report appears under Red Button reports on this run's page.";
  const code = document.createElement('code');
  code.className = 'receipt-code';
  code.textContent = receipt;
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'secondary';
  copy.setAttribute('data-copy', receipt);
  copy.textContent = 'Copy the receipt';
  const row = document.createElement('p');
  row.appendChild(code);
  row.appendChild(document.createTextNode(' '));
  row.appendChild(copy);
  box.appendChild(h);
  box.appendChild(p);
  box.appendChild(row);
  box.hidden = false;
  box.focus();
  return true;
}

function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('');
}

/**
 * Two-step forms check their required fields here, inline (the form has novalidate, so no
 * browser popup), before asking the question. True when the form may go on.
 * @param {HTMLFormElement} form
 * @param {HTMLElement | null} panel
 */
function requiredFilledIn(form, panel) {
  const missing = /** @type {Field[]} */ (
    Array.from(form.querySelectorAll('[required]')).filter(
      (el) => el.id && !(/** @type {Field} */ (el).disabled) && /** @type {Field} */ (el).value.trim() === '',
    )
  );
  const first = missing[0];
  if (!first) return true;
  clearErrors(form);
  missing.forEach((el) => markField(el, 'required'));
  show(form, 'Fix the marked field' + (missing.length > 1 ? 's' : '') + '.', true);
  const statusBox = form.querySelector('.form-status');
  if (statusBox) statusBox.setAttribute('data-fields', '');
  if (panel) panel.hidden = true;
  first.focus();
  return false;
}

/**
 * The request to the API (after the passkey signed the decision, where one must).
 * @param {HTMLFormElement} form
 * @param {Submitter} submitter
 * @returns {Promise<ApiAnswer | LocalFailure>}
 */
function send(form, submitter) {
  const method = form.getAttribute('data-method') || 'POST';
  /** @type {Record<string, string>} */
  const headers = { 'x-csrf-token': csrf };
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers };
  const body = method !== 'DELETE' ? serialize(form, submitter) : undefined;
  // Steps decided with a passkey: the device signs this exact decision first.
  /** @type {Promise<{ ok: true; body: unknown } | ApiAnswer | LocalFailure>} */
  const ready =
    form.hasAttribute('data-passkey') && body ? withPasskey(form, body) : Promise.resolve({ ok: true, body });
  return ready.then((prepared) => {
    if (!prepared.ok) return /** @type {ApiAnswer | LocalFailure} */ (prepared);
    if (method !== 'DELETE') {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(prepared.body);
      // One key per attempt to do this, kept until it succeeds: a resend after a lost answer or
      // a 503 is applied at most once and answered with the first outcome.
      if (!form.dataset.idempotencyKey) form.dataset.idempotencyKey = newIdempotencyKey();
      headers['idempotency-key'] = form.dataset.idempotencyKey;
    }
    show(form, 'Sending…', false);
    return fetch(attr(form, 'data-api'), init).then(readJson);
  });
}

/**
 * What the API answered, shown on the form: errors by their fields, or what happened in words.
 * @param {HTMLFormElement} form
 * @param {Submitter} submitter
 * @param {ApiAnswer | LocalFailure} r
 */
function answered(form, submitter, r) {
  if (r.message !== undefined) {
    show(form, r.message, true);
    return;
  }
  showOutage(r.status === 503);
  if (!r.ok) {
    showErrors(form, r.status, r.body);
    return;
  }
  // golive login's page: on to the command line's own address, or the code to paste there.
  if (form.hasAttribute('data-follow') && r.body && r.body.redirect) {
    window.location.assign(r.body.redirect);
    return;
  }
  if (form.hasAttribute('data-follow') && r.body && r.body.code) {
    show(form, 'Paste this code into golive login: ' + r.body.code, false);
    return;
  }
  delete form.dataset.idempotencyKey;
  clearErrors(form);
  const panel = confirmPanel(form);
  if (panel) panel.hidden = true;
  const redirect = form.getAttribute('data-redirect');
  if (redirect) {
    window.location.assign(redirect.replace('{runId}', encodeURIComponent((r.body && r.body.runId) || '')));
    return;
  }
  succeeded(form, submitter, r.body && r.body.receipt);
}

/**
 * @param {HTMLFormElement} form
 * @param {Submitter} submitter
 * @param {string | undefined} receipt
 */
function succeeded(form, submitter, receipt) {
  // What happened, in words: per button (data-success-approve) or for the form.
  let message =
    (submitter && submitter.value && form.getAttribute('data-success-' + submitter.value)) ||
    form.getAttribute('data-success') ||
    'Done.';
  const receiptShown = receipt && showReceipt(form, receipt);
  if (receipt && !receiptShown) message += ' Your anonymous receipt (keep it, it is shown once): ' + receipt;
  show(form, message, false);
  form.reset();
  // The live region may replace this form right away: keep the outcome where it stays, and
  // put the focus there (not on BODY) unless the receipt took it.
  const flash = document.getElementById('flash');
  if (flash) {
    flash.textContent = message;
    if (!receiptShown) flash.focus();
  }
  if (form.hasAttribute('data-refresh')) refresh();
}

/** @param {SubmitEvent} event */
function onSubmit(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-api')) return;
  event.preventDefault();
  const submitter = /** @type {Submitter} */ (event.submitter);
  const panel = confirmPanel(form);
  const asks = !(submitter && submitter.hasAttribute('data-confirmed')) && asksFirst(form, submitter);
  if (asks && !requiredFilledIn(form, panel)) return;
  if (asks && panel) {
    panel.hidden = false;
    const yes = /** @type {HTMLElement | null} */ (panel.querySelector('[data-confirmed]'));
    if (yes) yes.focus();
    return;
  }
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => (b.disabled = true));
  send(form, submitter)
    .then((r) => answered(form, submitter, r))
    .catch(() => show(form, 'Could not reach the server. Check the connection and try again.', true))
    .then(() => buttons.forEach((b) => (b.disabled = false)));
}

/** The start form shows only the selected runbook's fieldset (disabled ones are not sent). */
function installRunbookSwitch() {
  document.addEventListener('change', (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute('data-switch')) return;
    document.querySelectorAll('fieldset.' + select.getAttribute('data-switch')).forEach((/** @type {Element} */ el) => {
      const fs = /** @type {HTMLFieldSetElement} */ (el);
      const on = fs.getAttribute('data-runbook') === select.value;
      fs.disabled = !on;
      fs.hidden = !on;
    });
  });
}

export function installApiForms() {
  installConfirmCancel();
  document.addEventListener('submit', onSubmit);
  installRunbookSwitch();
}
