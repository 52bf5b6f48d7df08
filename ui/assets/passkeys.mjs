// @ts-check
// Passkeys (WebAuthn through @simplewebauthn/browser): adding one on the Passkeys page, and
// signing a decision with one (steps the runbook marks `passkey`).
/* global document, window, HTMLFormElement */
import { attr, postJson, show } from './dom.mjs';
import { clearErrors, markField, showErrors } from './fieldErrors.mjs';

/** @typedef {import('./dom.mjs').ApiAnswer} ApiAnswer */
/** @typedef {import('./dom.mjs').LocalFailure} LocalFailure */
/** @typedef {{ ok: true; body: Record<string, any> }} Prepared The decision, with its passkey answer. */
/** @typedef {Prepared | ApiAnswer | LocalFailure} Signed */

/**
 * @simplewebauthn/browser, served by golive itself (no CDN), loaded only when a passkey is used.
 * @returns {Promise<typeof import('/assets/vendor/simplewebauthn/index.js')>}
 */
function webauthn() {
  return import('/assets/vendor/simplewebauthn/index.js');
}

/**
 * What the browser says when the person cancels or the device refuses, in words.
 * @param {any} err
 */
function ceremonyFailed(err) {
  const name = err && err.name;
  if (name === 'NotAllowedError')
    return 'The passkey was not used (cancelled, timed out, or this device has none of your passkeys). Nothing was sent.';
  if (name === 'InvalidStateError') return 'This device holds one of your passkeys already.';
  return 'The passkey could not be used: ' + ((err && err.message) || String(err)) + '. Nothing was sent.';
}

/**
 * A decision signed with a passkey: ask golive for the challenge derived from this decision,
 * let the device sign it, and send the answer with the decision.
 * @param {HTMLFormElement} form
 * @param {Record<string, any>} body
 * @returns {Promise<Signed>}
 */
export function withPasskey(form, body) {
  show(form, 'Preparing the decision for your passkey…', false);
  return postJson(attr(form, 'data-passkey'), { decision: body.decision, comment: body.comment }).then((r) => {
    if (!r.ok) return /** @type {Signed} */ (r);
    const { options, binding } = r.body || {};
    show(form, 'Your browser asks your passkey to sign this decision…', false);
    return webauthn()
      .then((lib) => lib.startAuthentication({ optionsJSON: options }))
      .then((response) => {
        body.passkey = { binding, response };
        return /** @type {Signed} */ ({ ok: true, body });
      })
      .catch((err) => /** @type {Signed} */ ({ message: ceremonyFailed(err) }));
  });
}

/**
 * The creation options from golive, the device makes the key, golive keeps it.
 * @param {HTMLFormElement} form
 * @param {string} label
 * @returns {Promise<ApiAnswer | LocalFailure>}
 */
function register(form, label) {
  return postJson('/api/passkeys/registration-options', {}).then((r) => {
    if (!r.ok) return r;
    const { options } = r.body || {};
    return webauthn()
      .then((lib) => lib.startRegistration({ optionsJSON: options }))
      .then((response) => postJson(attr(form, 'data-passkey-register'), { label, response }))
      .catch((err) => ({ message: ceremonyFailed(err) }));
  });
}

/** @param {SubmitEvent} event */
function onRegister(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-passkey-register')) return;
  event.preventDefault();
  const label = /** @type {HTMLInputElement | null} */ (form.querySelector('[name="label"]'));
  if (!label || !label.value.trim()) {
    clearErrors(form);
    if (label) markField(label, 'required');
    show(form, 'Name the passkey first.', true);
    if (label) label.focus();
    return;
  }
  const button = form.querySelector('button');
  if (button) button.disabled = true;
  show(form, 'Your browser asks your device to make a passkey…', false);
  register(form, label.value.trim())
    .then((r) => {
      if (r.message !== undefined) return show(form, r.message, true);
      if (!r.ok) return showErrors(form, r.status, r.body);
      window.location.assign('/passkeys?added=' + encodeURIComponent(r.body && r.body.passkey.label));
    })
    .catch(() => show(form, 'Could not reach the server. Check the connection and try again.', true))
    .then(() => {
      if (button) button.disabled = false;
    });
}

export function installPasskeys() {
  document.addEventListener('submit', onRegister);
}
