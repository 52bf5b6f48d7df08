// @ts-check
// Field errors: next to the field (aria-invalid, aria-describedby), kept until the person
// changes that field; long forms (data-summary) also list them at the top, linked.
/* global document, Element */
import { attr, closestTo, show } from './dom.mjs';

/** @typedef {import('./dom.mjs').ApiBody} ApiBody */
/** @typedef {import('./dom.mjs').Issue} Issue */
/** @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Field */

/**
 * "assignments.guardian[1]" → the field named "assignments.guardian"; "value.sha256" stays.
 * @param {HTMLFormElement} form
 * @param {string} path
 * @returns {Field | null}
 */
function fieldFor(form, path) {
  let name = path.replace(/\[\d+\]/g, '');
  while (name) {
    const el = form.querySelector('[name="' + name.replace(/"/g, '') + '"]:not([type=hidden])');
    if (el) return /** @type {Field} */ (el);
    const dot = name.lastIndexOf('.');
    name = dot > 0 ? name.slice(0, dot) : '';
  }
  return null;
}

/**
 * The label's own words, without the help text it carries in <small> ("targetPort", not
 * "targetPort TCP port of the AI system.").
 * @param {Field} el
 */
function labelOf(el) {
  const label = el.id && el.form ? el.form.querySelector('label[for="' + el.id + '"]') : null;
  if (!label) return el.name;
  const copy = /** @type {Element} */ (label.cloneNode(true));
  copy.querySelectorAll('small').forEach((s) => s.remove());
  const words = (/** @type {Node} */ n) => (n.textContent || '').replace(/\s+/g, ' ').trim();
  return words(copy) || words(label);
}

/** @param {Field | null} el */
export function clearFieldError(el) {
  if (!el || el.getAttribute('aria-invalid') !== 'true') return;
  el.removeAttribute('aria-invalid');
  const msg = document.getElementById(el.id + '-error');
  if (msg) msg.remove();
  const described = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== el.id + '-error');
  if (described.length) el.setAttribute('aria-describedby', described.join(' '));
  else el.removeAttribute('aria-describedby');
  const form = el.form;
  if (form && !form.querySelector('[aria-invalid="true"]')) {
    const summary = form.querySelector('.error-summary');
    if (summary) summary.remove();
    const box = form.querySelector('.form-status[data-fields]');
    if (box) {
      box.textContent = '';
      box.className = 'form-status';
      box.removeAttribute('data-fields');
    }
  }
}

/** @param {HTMLFormElement} form */
export function clearErrors(form) {
  form.querySelectorAll('[aria-invalid="true"]').forEach((el) => clearFieldError(/** @type {Field} */ (el)));
  const summary = form.querySelector('.error-summary');
  if (summary) summary.remove();
}

/**
 * @param {Field} el
 * @param {string} message
 */
export function markField(el, message) {
  const msgId = el.id + '-error';
  let msg = document.getElementById(msgId);
  if (!msg) {
    msg = document.createElement('p');
    msg.id = msgId;
    msg.className = 'field-error';
    const field = el.closest('.field') || el.parentNode;
    if (field) field.appendChild(msg);
  }
  msg.textContent = msg.textContent ? msg.textContent + '; ' + message : message;
  el.setAttribute('aria-invalid', 'true');
  const described = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  if (described.indexOf(msgId) < 0) described.push(msgId);
  el.setAttribute('aria-describedby', described.join(' '));
}

/**
 * An API refusal on the form: each issue beside its field, the rest (refusals, unknown paths)
 * on the form's status line.
 * @param {HTMLFormElement} form
 * @param {number} status
 * @param {ApiBody | undefined} body
 */
export function showErrors(form, status, body) {
  clearErrors(form);
  const err = body && body.error;
  if (!err) {
    show(form, 'The server answered ' + status + '.', true);
    return;
  }
  const { marked, rest } = markIssues(form, err.issues || []);
  const lines =
    marked.length && !rest.length
      ? ['Fix the marked field' + (marked.length > 1 ? 's' : '') + '.']
      : // an issue the message already says (its path is no field here) is not said twice
        [err.message].concat(rest.filter((r) => err.message.indexOf(r.message) < 0).map((r) => r.line));
  show(form, lines, true);
  // A start refused because the system has a go-live in flight: a way to that run.
  if (err.runId) linkToRun(form, err.runId);
  const statusBox = form.querySelector('.form-status');
  if (statusBox && marked.length && !rest.length) statusBox.setAttribute('data-fields', '');
  if (marked.length && form.hasAttribute('data-summary')) {
    form.insertBefore(errorSummary(marked), form.firstChild && form.firstChild.nextSibling);
  }
  const first = marked[0];
  if (first) first.focus();
  else {
    const box = /** @type {HTMLElement | null} */ (form.querySelector('.form-status'));
    if (box) {
      box.setAttribute('tabindex', '-1');
      box.focus();
    }
  }
}

/**
 * Marks each issue's field; returns the fields marked and the lines no field took.
 * @param {HTMLFormElement} form
 * @param {Issue[]} issues
 */
function markIssues(form, issues) {
  /** @type {{ line: string, message: string }[]} */
  const rest = [];
  /** @type {Field[]} */
  const marked = [];
  issues.forEach((i) => {
    const el = i.path ? fieldFor(form, i.path) : null;
    if (el && el.id) {
      markField(el, i.message);
      if (marked.indexOf(el) < 0) marked.push(el);
    } else rest.push({ line: (i.path ? i.path + ': ' : '') + i.message, message: i.message });
  });
  return { marked, rest };
}

/**
 * @param {HTMLFormElement} form
 * @param {string} runId
 */
function linkToRun(form, runId) {
  const box = form.querySelector('.form-status');
  if (!box) return;
  const link = document.createElement('a');
  link.href = '/runs/' + encodeURIComponent(runId);
  link.textContent = 'Open the run in flight';
  box.appendChild(document.createElement('br'));
  box.appendChild(link);
}

/**
 * The list at the top of a long form: each marked field's label and error, a link to it.
 * @param {Field[]} marked
 */
function errorSummary(marked) {
  const summary = document.createElement('div');
  summary.className = 'error-summary';
  summary.setAttribute('role', 'alert');
  summary.setAttribute('tabindex', '-1');
  const h = document.createElement('h3');
  h.textContent = 'Fix ' + marked.length + ' field' + (marked.length > 1 ? 's' : '') + ' to go on';
  summary.appendChild(h);
  const ul = document.createElement('ul');
  marked.forEach((el) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#' + el.id;
    a.setAttribute('data-focus', el.id);
    const msg = document.getElementById(el.id + '-error');
    a.textContent = labelOf(el) + ': ' + (msg ? msg.textContent : '');
    li.appendChild(a);
    ul.appendChild(li);
  });
  summary.appendChild(ul);
  return summary;
}

/** A changed field's error goes; the rest stay until they are changed too. A summary link focuses its field. */
export function installFieldErrors() {
  /** @param {Event} event */
  const onEdit = (event) => {
    const el = event.target;
    if (el instanceof Element && 'form' in el && el.form && el.getAttribute('aria-invalid') === 'true')
      clearFieldError(/** @type {Field} */ (el));
  };
  document.addEventListener('input', onEdit);
  document.addEventListener('change', onEdit);
  document.addEventListener('click', (event) => {
    const link = closestTo(event, 'a[data-focus]');
    if (!link) return;
    const el = document.getElementById(attr(link, 'data-focus'));
    if (el) {
      event.preventDefault();
      el.focus();
    }
  });
}
