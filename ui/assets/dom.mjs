// @ts-check
// What every part of the page script shares: the CSRF token, the form's status line, JSON
// requests to the API, and the outage banner.
/* global document, fetch, Element */

const csrfMeta = document.querySelector('meta[name="csrf-token"]');
export const csrf = (csrfMeta && csrfMeta.getAttribute('content')) || '';

/**
 * @typedef {{ path?: string; message: string }} Issue
 * @typedef {{ message: string; issues?: Issue[]; runId?: string }} ApiError
 * @typedef {{ error?: ApiError; [key: string]: any }} ApiBody
 * @typedef {{ status: number; ok: boolean; body: ApiBody | undefined; message?: undefined }} ApiAnswer
 * @typedef {{ message: string; ok?: undefined }} LocalFailure A step in this browser failed (nothing was sent).
 */

/**
 * The form's status line: one line, or several.
 * @param {HTMLFormElement} form
 * @param {string | string[]} text
 * @param {boolean} isError
 */
export function show(form, text, isError) {
  const box = form.querySelector('.form-status');
  if (!box) return;
  box.textContent = '';
  box.className = 'form-status ' + (isError ? 'error' : 'ok');
  const lines = Array.isArray(text) ? text : [text];
  lines.forEach((line, i) => {
    if (i > 0) box.appendChild(document.createElement('br'));
    box.appendChild(document.createTextNode(line));
  });
}

/**
 * @param {Response} res
 * @returns {Promise<ApiAnswer>}
 */
export function readJson(res) {
  return res.text().then((text) => {
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, ok: res.ok, body };
  });
}

/**
 * @param {string} url
 * @param {unknown} body
 */
export function postJson(url, body) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(readJson);
}

/**
 * The banner across the top while Temporal (or the database) is away: shown on a 503, hidden on
 * the next answer that is not one.
 * @param {boolean} on
 */
export function showOutage(on) {
  const banner = document.getElementById('outage');
  if (banner) banner.hidden = !on;
}

/**
 * The element an event happened in (or inside of) that matches the selector.
 * @param {Event} event
 * @param {string} selector
 * @returns {HTMLElement | null}
 */
export function closestTo(event, selector) {
  return event.target instanceof Element ? /** @type {HTMLElement | null} */ (event.target.closest(selector)) : null;
}

/**
 * An attribute the server always renders on this element.
 * @param {Element} el
 * @param {string} name
 */
export function attr(el, name) {
  return el.getAttribute(name) || '';
}
