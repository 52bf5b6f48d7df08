// @ts-check
// Files and values: a document's SHA-256 computed here, dossier uploads to the verifier,
// dossier downloads with their manifest SHA-256, and copy buttons.
/* global document, window, fetch, navigator, crypto, URL, setTimeout, HTMLInputElement, HTMLFormElement */
import { attr, closestTo, csrf, show } from './dom.mjs';
import { clearFieldError } from './fieldErrors.mjs';

/** @typedef {import('./dom.mjs').ApiBody} ApiBody */

const UNREACHABLE = 'Could not reach the server. Check the connection and try again.';

/**
 * Documents: the file's SHA-256 is computed here (crypto.subtle), nothing is uploaded.
 * @param {Event} event
 */
function onDocumentChosen(event) {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.hasAttribute('data-hash-into')) return;
  const form = input.form;
  const file = input.files && input.files[0];
  if (!form || !file) return;
  const nameField = /** @type {HTMLInputElement | null} */ (document.getElementById(attr(input, 'data-hash-into')));
  const shaField = /** @type {HTMLInputElement | null} */ (form.querySelector('[name="value.sha256"]'));
  if (!window.crypto || !crypto.subtle) {
    show(form, 'This browser cannot compute SHA-256 here (it needs https or localhost): type the hash instead.', true);
    return;
  }
  show(form, 'Computing the SHA-256 of ' + file.name + '…', false);
  file
    .arrayBuffer()
    .then((buf) => crypto.subtle.digest('SHA-256', buf))
    .then((digest) => {
      const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
      if (nameField && !nameField.value) {
        nameField.value = file.name;
        clearFieldError(nameField);
      }
      if (shaField) {
        shaField.value = hex;
        clearFieldError(shaField);
      }
      show(form, 'SHA-256 of ' + file.name + ' (' + file.size + ' bytes) filled in.', false);
    })
    .catch(() => show(form, 'Could not read ' + file.name + ': type the name and hash instead.', true));
}

/**
 * @param {number} status
 * @param {ApiBody | undefined} body
 */
function errorLines(status, body) {
  const err = body && body.error;
  if (!err) return ['The server answered ' + status + '.'];
  return [err.message].concat((err.issues || []).map((i) => i.path + ': ' + i.message));
}

/**
 * The dossier verifier's verdict ({ok, ...}) in words the person can act on.
 * @param {Record<string, any>} v
 */
function verdictLines(v) {
  if (v.ok) {
    return [
      'Verified: dossier of ' +
        v.workflowId +
        ', ' +
        v.files +
        ' files, ' +
        v.entries +
        ' trail entries, nothing altered' +
        (v.passkeys && v.passkeys.checked
          ? '; ' + v.passkeys.checked + " approvals signed by the approver's own passkey"
          : '') +
        '.',
      'Chain head ' + v.head,
      'Manifest SHA-256 ' + v.manifestSha256 + ' (compare it with the one logged at export)',
    ];
  }
  return ['NOT verified: ' + v.file + (v.seq !== undefined ? ', entry ' + v.seq : '') + ' — ' + v.reason];
}

/**
 * Upload forms (data-upload) send one file as the raw body, typed by data-type.
 * @param {SubmitEvent} event
 */
function onUpload(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-upload')) return;
  event.preventDefault();
  const input = /** @type {HTMLInputElement | null} */ (form.querySelector('input[type=file]'));
  const file = input && input.files && input.files[0];
  if (!file) {
    show(form, 'Choose a file first.', true);
    return;
  }
  const button = form.querySelector('button');
  if (button) button.disabled = true;
  show(form, 'Checking…', false);
  fetch(attr(form, 'data-upload'), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrf, 'content-type': form.getAttribute('data-type') || 'application/octet-stream' },
    body: file,
  })
    .then((res) =>
      res
        .json()
        .catch(() => undefined)
        .then((body) => {
          if (!res.ok) show(form, errorLines(res.status, body), true);
          else show(form, verdictLines(body), !body.ok);
        }),
    )
    .catch(() => show(form, UNREACHABLE, true))
    .then(() => {
      if (button) button.disabled = false;
    });
}

/**
 * Dossier downloads (data-anchor): fetched here so the manifest SHA-256 the server returns in
 * X-Golive-Manifest-Sha256 (what `golive verify --expect-manifest` needs) is shown beside the
 * link once the file is saved. Without scripts the link still downloads the zip.
 * @param {MouseEvent} event
 */
function onDossierDownload(event) {
  const link = /** @type {HTMLAnchorElement | null} */ (closestTo(event, 'a[data-anchor]'));
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const out = document.getElementById(attr(link, 'data-anchor'));
  /** @param {string} text */
  const say = (text) => {
    if (out) {
      out.hidden = false;
      out.textContent = text;
    }
  };
  say('Preparing the dossier…');
  fetch(link.href, { credentials: 'same-origin' })
    .then((res) => {
      if (!res.ok)
        return res.json().then(
          (b) => say('Download failed: ' + ((b && b.error && b.error.message) || res.status)),
          () => say('Download failed: ' + res.status),
        );
      const anchor = res.headers.get('x-golive-manifest-sha256') || '';
      const name = (/filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '') || [])[1] || 'dossier.zip';
      return res.blob().then((blob) => {
        saveBlob(blob, name);
        say(
          'Saved ' +
            name +
            '. Manifest SHA-256: ' +
            anchor +
            // the file just saved: verify takes the zip as it is (or the folder it is unpacked to)
            ' — keep it: golive verify ' +
            name +
            ' --expect-manifest ' +
            anchor,
        );
        if (out) {
          const copy = document.createElement('button');
          copy.type = 'button';
          copy.className = 'link copy';
          copy.setAttribute('data-copy', anchor);
          copy.textContent = 'copy the SHA-256';
          out.appendChild(document.createTextNode(' '));
          out.appendChild(copy);
        }
      });
    })
    .catch(() => say(UNREACHABLE));
}

/**
 * @param {Blob} blob
 * @param {string} name
 */
function saveBlob(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}

/**
 * Copy buttons (data-copy) put a full value, e.g. a hash shown short, on the clipboard.
 * @param {MouseEvent} event
 */
function onCopy(event) {
  const button = closestTo(event, '[data-copy]');
  if (!button) return;
  const flash = document.getElementById('flash');
  const value = attr(button, 'data-copy');
  /** @param {string} text */
  const done = (text) => {
    if (flash) flash.textContent = text;
  };
  if (!navigator.clipboard) {
    done('Copying is not available here; the full value: ' + value);
    return;
  }
  navigator.clipboard.writeText(value).then(
    () => done('Copied ' + value),
    () => done('Could not copy; the full value: ' + value),
  );
}

export function installFiles() {
  document.addEventListener('change', onDocumentChosen);
  document.addEventListener('submit', onUpload);
  document.addEventListener('click', onDossierDownload);
  document.addEventListener('click', onCopy);
}
