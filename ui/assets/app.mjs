// golive UI: forms post JSON to the API (with the page's CSRF token) and show the outcome in
// place; run pages refresh their live region by polling. No framework: the server renders HTML
// (escaped there), this file only moves it. Loaded as a module (deferred, strict).
/* global document, window, location, fetch, setInterval, navigator, Element, HTMLFormElement, HTMLSelectElement */

(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var POLL_MS = 2500;

  function setPath(target, path, value) {
    var parts = path.split('.');
    var o = target;
    for (var i = 0; i < parts.length - 1; i++) {
      if (typeof o[parts[i]] !== 'object' || o[parts[i]] === null) o[parts[i]] = {};
      o = o[parts[i]];
    }
    o[parts[parts.length - 1]] = value;
  }

  // Each field's data-type says how its text becomes JSON; empty fields are left out so the
  // server's defaults apply.
  function fieldValue(el) {
    var type = el.getAttribute('data-type');
    if (el.type === 'checkbox') return type === 'boolean' ? el.checked : el.checked ? el.value : undefined;
    var v = el.value;
    if (v.trim() === '') return undefined;
    if (type === 'number') return Number(v);
    if (type === 'list') return v.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
    if (type === 'json') { try { return JSON.parse(v); } catch { return v; } }
    return v;
  }

  function serialize(form, submitter) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === 'submit' || el.tagName === 'BUTTON') return;
      var value = fieldValue(el);
      if (value !== undefined) setPath(body, el.name, value);
    });
    if (submitter && submitter.name) setPath(body, submitter.name, submitter.value);
    return body;
  }

  function show(form, text, isError) {
    var box = form.querySelector('.form-status');
    if (!box) return;
    box.textContent = '';
    box.className = 'form-status ' + (isError ? 'error' : 'ok');
    var lines = Array.isArray(text) ? text : [text];
    lines.forEach(function (line, i) {
      if (i > 0) box.appendChild(document.createElement('br'));
      box.appendChild(document.createTextNode(line));
    });
  }

  function errorLines(status, body) {
    var err = body && body.error;
    if (!err) return ['The server answered ' + status + '.'];
    var lines = [err.message];
    (err.issues || []).forEach(function (i) { lines.push(i.path + ': ' + i.message); });
    return lines;
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-api')) return;
    event.preventDefault();
    var submitter = event.submitter;
    var buttons = form.querySelectorAll('button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    var method = form.getAttribute('data-method') || 'POST';
    var init = { method: method, credentials: 'same-origin', headers: { 'x-csrf-token': csrf } };
    if (method !== 'DELETE') {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(serialize(form, submitter));
    }
    show(form, 'Sending…', false);
    fetch(form.getAttribute('data-api'), init)
      .then(function (res) {
        return res.text().then(function (text) {
          var body;
          try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
          return { status: res.status, ok: res.ok, body: body };
        });
      })
      .then(function (r) {
        if (!r.ok) {
          show(form, errorLines(r.status, r.body), true);
          return;
        }
        var redirect = form.getAttribute('data-redirect');
        if (redirect) {
          window.location.assign(redirect.replace('{runId}', encodeURIComponent((r.body && r.body.runId) || '')));
          return;
        }
        var receipt = r.body && r.body.receipt ? ' Your anonymous receipt: ' + r.body.receipt : '';
        var message = (form.getAttribute('data-success') || 'Done.') + receipt;
        show(form, message, false);
        // The live region may replace this form right away: keep the outcome where it stays.
        var flash = document.getElementById('flash');
        if (flash) flash.textContent = message;
        form.reset();
        if (form.hasAttribute('data-refresh')) refresh(true);
      })
      .catch(function () { show(form, 'Could not reach the server. Check the connection and try again.', true); })
      .then(function () { Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; }); });
  });

  // Upload forms (data-upload) send one file as the raw body, typed by data-type: the dossier
  // verifier answers {ok, ...} in words the person can act on.
  function verdictLines(v) {
    if (v.ok) {
      return ['Verified: dossier of ' + v.workflowId + ', ' + v.files + ' files, ' + v.entries + ' trail entries, nothing altered.',
        'Chain head ' + v.head, 'Manifest SHA-256 ' + v.manifestSha256 + ' (compare it with the one logged at export)'];
    }
    return ['NOT verified: ' + v.file + (v.seq !== undefined ? ', entry ' + v.seq : '') + ' — ' + v.reason];
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-upload')) return;
    event.preventDefault();
    var input = form.querySelector('input[type=file]');
    var file = input && input.files && input.files[0];
    if (!file) { show(form, 'Choose a file first.', true); return; }
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    show(form, 'Checking…', false);
    fetch(form.getAttribute('data-upload'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrf, 'content-type': form.getAttribute('data-type') || 'application/octet-stream' },
      body: file,
    })
      .then(function (res) {
        return res.json().catch(function () { return undefined; }).then(function (body) {
          if (!res.ok) show(form, errorLines(res.status, body), true);
          else show(form, verdictLines(body), !body.ok);
        });
      })
      .catch(function () { show(form, 'Could not reach the server. Check the connection and try again.', true); })
      .then(function () { if (button) button.disabled = false; });
  });

  // Copy buttons (data-copy) put a full value, e.g. a hash shown short, on the clipboard.
  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (!button) return;
    var flash = document.getElementById('flash');
    var value = button.getAttribute('data-copy');
    var done = function (text) { if (flash) flash.textContent = text; };
    if (!navigator.clipboard) { done('Copying is not available here; the full value: ' + value); return; }
    navigator.clipboard.writeText(value).then(
      function () { done('Copied ' + value); },
      function () { done('Could not copy; the full value: ' + value); },
    );
  });

  // The start form shows only the selected runbook's fieldset (disabled ones are not sent).
  document.addEventListener('change', function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute('data-switch')) return;
    document.querySelectorAll('fieldset.' + select.getAttribute('data-switch')).forEach(function (fs) {
      var on = fs.getAttribute('data-runbook') === select.value;
      fs.disabled = !on;
      fs.hidden = !on;
    });
  });

  // Live region: replaced only while the person is not in the middle of typing in it.
  var live = document.getElementById('live');
  function busy() {
    if (!live) return true;
    if (live.contains(document.activeElement) && document.activeElement !== live) return true;
    return Array.prototype.some.call(live.querySelectorAll('textarea, input:not([type=hidden]):not([type=checkbox])'), function (el) {
      return el.value !== el.defaultValue;
    });
  }
  function refresh(force) {
    if (!live || (!force && busy())) return;
    fetch(live.getAttribute('data-live'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 401) { window.location.assign('/login?next=' + encodeURIComponent(location.pathname)); return; }
        return res.text().then(function (text) {
          if (res.ok && !busy()) live.innerHTML = text; // server-rendered and escaped
        });
      })
      .catch(function () { /* offline for a moment: try again next tick */ });
  }
  if (live && live.hasAttribute('data-live')) setInterval(function () { refresh(false); }, POLL_MS);
})();
