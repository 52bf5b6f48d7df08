// @ts-check
// A form's fields → the JSON body the API takes.
/* global HTMLInputElement, HTMLButtonElement */

/**
 * @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Field
 * @typedef {HTMLButtonElement | HTMLInputElement | null | undefined} Submitter
 */

/**
 * @param {Record<string, any>} target
 * @param {string} path
 * @param {unknown} value
 */
function setPath(target, path, value) {
  const parts = path.split('.');
  let o = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = /** @type {string} */ (parts[i]);
    // "findings.0.summary": a numeric part makes a list, so forms can send arrays of objects.
    if (typeof o[part] !== 'object' || o[part] === null) o[part] = /^\d+$/.test(parts[i + 1] ?? '') ? [] : {};
    o = o[part];
  }
  o[/** @type {string} */ (parts[parts.length - 1])] = value;
}

/**
 * Each field's data-type says how its text becomes JSON; empty fields are left out so the
 * server's defaults apply.
 * data-blank-for="reject": sent even when blank for that button, so the server can say why
 * ("a rejection needs a comment") instead of "required".
 * @param {Field} el
 * @param {Submitter} submitter
 * @returns {unknown}
 */
function fieldValue(el, submitter) {
  const type = el.getAttribute('data-type');
  if (el instanceof HTMLInputElement && el.type === 'checkbox')
    return type === 'boolean'
      ? el.checked
      : el.checked
        ? type === 'json'
          ? JSON.parse(el.value)
          : el.value
        : undefined;
  if (el.type === 'file') return undefined;
  const v = el.value;
  if (v.trim() === '') return submitter && el.getAttribute('data-blank-for') === submitter.value ? v : undefined;
  if (type === 'number') return Number(v);
  // A SHA-256 as Windows prints it (Get-FileHash: upper case) is the same digest: sent in lower case, as stored.
  if (type === 'hex') return v.trim().toLowerCase();
  if (type === 'list')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (type === 'json') {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

/**
 * @param {HTMLFormElement} form
 * @param {Submitter} submitter
 * @returns {Record<string, any>}
 */
export function serialize(form, submitter) {
  /** @type {Record<string, any>} */
  const body = {};
  for (const el of /** @type {Iterable<Field | HTMLButtonElement>} */ (form.elements)) {
    if (!el.name || el.disabled || el.type === 'submit' || el instanceof HTMLButtonElement) continue;
    const value = fieldValue(el, submitter);
    if (value !== undefined) setPath(body, el.name, value);
  }
  if (submitter && submitter.name) setPath(body, submitter.name, submitter.value);
  return body;
}
