// @ts-check
// Live region: replaced whole on each poll (header, diagram, timeline, forms), except the
// forms someone is using (typed text, focus, errors, an open confirmation) and kept boxes
// (data-keep, e.g. a receipt), which stay as they are, focus and caret included.
/* global document, window, location, fetch, setInterval, HTMLFormElement, HTMLButtonElement, HTMLSelectElement, HTMLTextAreaElement, HTMLInputElement, HTMLDetailsElement */
import { attr, showOutage } from './dom.mjs';

const POLL_MS = 2500;
const live = document.getElementById('live');
const liveNote = document.getElementById('live-note');

/**
 * A field whose value differs from what the server rendered: someone typed or chose it.
 * @param {Element} el
 */
function changed(el) {
  if (el instanceof HTMLButtonElement) return false;
  if (el instanceof HTMLSelectElement) return Array.from(el.options).some((o) => o.selected !== o.defaultSelected);
  if (el instanceof HTMLTextAreaElement) return el.value !== el.defaultValue;
  if (!(el instanceof HTMLInputElement)) return false;
  if (el.type === 'hidden' || el.type === 'submit') return false;
  if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked;
  if (el.type === 'file') return !!(el.files && el.files.length);
  return el.value !== el.defaultValue;
}

/**
 * A form in use (focus, errors, an open confirmation, changed fields), or a kept box with content.
 * @param {HTMLElement} el
 */
function inUse(el) {
  if (!(el instanceof HTMLFormElement)) return !el.hidden && el.childNodes.length > 0;
  if (el.contains(document.activeElement)) return true;
  if (el.querySelector('[aria-invalid="true"], .form-status.error, .confirm:not([hidden])')) return true;
  return Array.from(el.elements).some(changed);
}

/**
 * @param {HTMLElement} region
 * @param {string} text server-rendered and escaped
 */
function swapIn(region, text) {
  const tpl = document.createElement('template');
  tpl.innerHTML = text;
  const fresh = tpl.content;
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const caret =
    active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement
      ? [active.selectionStart, active.selectionEnd]
      : null;
  const scrollY = window.scrollY;
  region.querySelectorAll('form[id], [data-keep][id]').forEach((old) => {
    if (!inUse(/** @type {HTMLElement} */ (old))) return;
    const twin = fresh.getElementById(old.id);
    if (twin) twin.replaceWith(old);
  });
  // Folded sections someone opened stay open.
  region.querySelectorAll('details[id][open]').forEach((old) => {
    const twin = fresh.getElementById(old.id);
    if (twin instanceof HTMLDetailsElement) twin.open = true;
  });
  region.replaceChildren(fresh);
  if (active && active !== document.body && region.contains(active) && document.activeElement !== active) {
    active.focus({ preventScroll: true });
    if (caret && typeof caret[0] === 'number') {
      try {
        /** @type {HTMLInputElement} */ (active).setSelectionRange(caret[0], caret[1] ?? caret[0]);
      } catch {
        /* not a text field */
      }
    }
  }
  window.scrollTo(window.scrollX, scrollY);
  announceStatus(region);
  markOverflow();
}

/**
 * A new run status is said once, in words, to screen readers (the live note).
 * @param {HTMLElement} region
 */
function announceStatus(region) {
  const status = region.querySelector('[data-run-status]');
  const now = status && status.getAttribute('data-run-status');
  // The words come with the page (src/contract/runStatus.ts), so no status list lives here.
  const words = status && status.getAttribute('data-run-status-words');
  if (now && liveNote && region.getAttribute('data-status') !== now)
    liveNote.textContent = 'The run is now ' + (words || now) + '.';
  if (now) region.setAttribute('data-status', now);
}

/** A diagram wider than its box says so ("Scroll sideways"), and can be scrolled by keyboard. */
function markOverflow() {
  document.querySelectorAll('.diagram').forEach((d) => {
    if (d.scrollWidth > d.clientWidth + 1) d.setAttribute('data-overflows', '');
    else d.removeAttribute('data-overflows');
  });
}

/** Polls the live region once (also right after a form that changes the run, data-refresh). */
export function refresh() {
  const region = live;
  if (!region) return;
  fetch(attr(region, 'data-live'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
    .then((res) => {
      if (res.status === 401) {
        window.location.assign('/login?next=' + encodeURIComponent(location.pathname));
        return;
      }
      showOutage(res.status === 503);
      return res.text().then((text) => {
        if (res.ok) swapIn(region, text);
      });
    })
    .catch(() => {
      /* offline for a moment: try again next tick */
    });
}

export function installLive() {
  markOverflow();
  window.addEventListener('resize', markOverflow);
  if (live && live.hasAttribute('data-live')) setInterval(refresh, POLL_MS);
}
