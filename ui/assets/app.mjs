// golive UI: forms post JSON to the API (with the page's CSRF token) and show the outcome in
// place; run pages refresh their live region by polling. No framework: the server renders HTML
// (escaped there), this file only moves it. Loaded as a module (deferred, strict).
/* global document, window, location, fetch, setInterval, navigator, crypto, Element, HTMLFormElement, HTMLSelectElement, HTMLInputElement, URL, setTimeout */

(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var POLL_MS = 2500;

  function setPath(target, path, value) {
    var parts = path.split('.');
    var o = target;
    for (var i = 0; i < parts.length - 1; i++) {
      // "findings.0.summary": a numeric part makes a list, so forms can send arrays of objects.
      if (typeof o[parts[i]] !== 'object' || o[parts[i]] === null) o[parts[i]] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      o = o[parts[i]];
    }
    o[parts[parts.length - 1]] = value;
  }

  // Each field's data-type says how its text becomes JSON; empty fields are left out so the
  // server's defaults apply.
  // data-blank-for="reject": sent even when blank for that button, so the server can say why
  // ("a rejection needs a comment") instead of "required".
  function fieldValue(el, submitter) {
    var type = el.getAttribute('data-type');
    if (el.type === 'checkbox')
      return type === 'boolean'
        ? el.checked
        : el.checked
          ? type === 'json'
            ? JSON.parse(el.value)
            : el.value
          : undefined;
    if (el.type === 'file') return undefined;
    var v = el.value;
    if (v.trim() === '') return submitter && el.getAttribute('data-blank-for') === submitter.value ? v : undefined;
    if (type === 'number') return Number(v);
    if (type === 'list')
      return v
        .split(',')
        .map(function (s) {
          return s.trim();
        })
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

  function serialize(form, submitter) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === 'submit' || el.tagName === 'BUTTON') return;
      var value = fieldValue(el, submitter);
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

  // --- Field errors: next to the field (aria-invalid, aria-describedby), kept until the person
  // changes that field; long forms (data-summary) also list them at the top, linked.
  function fieldFor(form, path) {
    // "assignments.guardian[1]" → the field named "assignments.guardian"; "value.sha256" stays.
    var name = path.replace(/\[\d+\]/g, '');
    while (name) {
      var el = form.querySelector('[name="' + name.replace(/"/g, '') + '"]:not([type=hidden])');
      if (el) return el;
      var dot = name.lastIndexOf('.');
      name = dot > 0 ? name.slice(0, dot) : '';
    }
    return null;
  }

  // The label's own words, without the help text it carries in <small> ("targetPort", not
  // "targetPort TCP port of the AI system.").
  function labelOf(el) {
    var label = el.id ? el.form.querySelector('label[for="' + el.id + '"]') : null;
    if (!label) return el.name;
    var copy = label.cloneNode(true);
    copy.querySelectorAll('small').forEach(function (s) {
      s.remove();
    });
    return copy.textContent.replace(/\s+/g, ' ').trim() || label.textContent.replace(/\s+/g, ' ').trim();
  }

  function clearFieldError(el) {
    if (!el || el.getAttribute('aria-invalid') !== 'true') return;
    el.removeAttribute('aria-invalid');
    var msg = document.getElementById(el.id + '-error');
    if (msg) msg.remove();
    var described = (el.getAttribute('aria-describedby') || '').split(' ').filter(function (x) {
      return x && x !== el.id + '-error';
    });
    if (described.length) el.setAttribute('aria-describedby', described.join(' '));
    else el.removeAttribute('aria-describedby');
    var form = el.form;
    if (form && !form.querySelector('[aria-invalid="true"]')) {
      var summary = form.querySelector('.error-summary');
      if (summary) summary.remove();
      var box = form.querySelector('.form-status[data-fields]');
      if (box) {
        box.textContent = '';
        box.className = 'form-status';
        box.removeAttribute('data-fields');
      }
    }
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid="true"]'), clearFieldError);
    var summary = form.querySelector('.error-summary');
    if (summary) summary.remove();
  }

  function markField(el, message) {
    var msgId = el.id + '-error';
    var msg = document.getElementById(msgId);
    if (!msg) {
      msg = document.createElement('p');
      msg.id = msgId;
      msg.className = 'field-error';
      var field = el.closest('.field') || el.parentNode;
      field.appendChild(msg);
    }
    msg.textContent = msg.textContent ? msg.textContent + '; ' + message : message;
    el.setAttribute('aria-invalid', 'true');
    var described = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (described.indexOf(msgId) < 0) described.push(msgId);
    el.setAttribute('aria-describedby', described.join(' '));
  }

  // Returns the lines no field took (refusals, unknown paths), for the form's status line.
  function showErrors(form, status, body) {
    clearErrors(form);
    var err = body && body.error;
    if (!err) {
      show(form, 'The server answered ' + status + '.', true);
      return;
    }
    var rest = [];
    var marked = [];
    (err.issues || []).forEach(function (i) {
      var el = i.path ? fieldFor(form, i.path) : null;
      if (el && el.id) {
        markField(el, i.message);
        if (marked.indexOf(el) < 0) marked.push(el);
      } else rest.push((i.path ? i.path + ': ' : '') + i.message);
    });
    var lines =
      marked.length && !rest.length
        ? ['Fix the marked field' + (marked.length > 1 ? 's' : '') + '.']
        : [err.message].concat(rest);
    show(form, lines, true);
    // A start refused because the system has a go-live in flight: a way to that run.
    if (err.runId) {
      var box0 = form.querySelector('.form-status');
      if (box0) {
        var link = document.createElement('a');
        link.href = '/runs/' + encodeURIComponent(err.runId);
        link.textContent = 'Open the run in flight';
        box0.appendChild(document.createElement('br'));
        box0.appendChild(link);
      }
    }
    var statusBox = form.querySelector('.form-status');
    if (statusBox && marked.length && !rest.length) statusBox.setAttribute('data-fields', '');
    if (marked.length && form.hasAttribute('data-summary')) {
      var summary = document.createElement('div');
      summary.className = 'error-summary';
      summary.setAttribute('role', 'alert');
      summary.setAttribute('tabindex', '-1');
      var h = document.createElement('h3');
      h.textContent = 'Fix ' + marked.length + ' field' + (marked.length > 1 ? 's' : '') + ' to go on';
      summary.appendChild(h);
      var ul = document.createElement('ul');
      marked.forEach(function (el) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = '#' + el.id;
        a.setAttribute('data-focus', el.id);
        var msg = document.getElementById(el.id + '-error');
        a.textContent = labelOf(el) + ': ' + (msg ? msg.textContent : '');
        li.appendChild(a);
        ul.appendChild(li);
      });
      summary.appendChild(ul);
      form.insertBefore(summary, form.firstChild.nextSibling);
    }
    if (marked.length) marked[0].focus();
    else {
      var box = form.querySelector('.form-status');
      if (box) {
        box.setAttribute('tabindex', '-1');
        box.focus();
      }
    }
  }

  // A changed field's error goes; the rest stay until they are changed too.
  function onEdit(event) {
    var el = event.target;
    if (el instanceof Element && el.form && el.getAttribute('aria-invalid') === 'true') clearFieldError(el);
  }
  document.addEventListener('input', onEdit);
  document.addEventListener('change', onEdit);

  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('a[data-focus]') : null;
    if (!link) return;
    var el = document.getElementById(link.getAttribute('data-focus'));
    if (el) {
      event.preventDefault();
      el.focus();
    }
  });

  // --- Two-step forms (data-confirm): the first submit opens the question, the "Yes" sends.
  function confirmPanel(form) {
    return form.querySelector('.confirm');
  }
  document.addEventListener('click', function (event) {
    var cancel = event.target instanceof Element ? event.target.closest('[data-cancel]') : null;
    if (!cancel || !cancel.form) return;
    var panel = confirmPanel(cancel.form);
    if (panel) panel.hidden = true;
    var first = cancel.form.querySelector('button[type=submit]:not([data-confirmed])');
    if (first) first.focus();
  });

  // --- Anonymous receipt: shown beside the form, explained, copyable; it exists only once.
  function showReceipt(form, receipt) {
    var box = document.getElementById(form.getAttribute('data-receipt'));
    if (!box) return false;
    box.textContent = '';
    var h = document.createElement('h3');
    h.textContent = 'Your anonymous receipt';
    var p = document.createElement('p');
    p.textContent =
      "Keep this receipt: it proves the report was yours (the report in the audit trail carries its hash; the server keeps nothing else). It is shown once. The answer to your report appears under Red Button reports on this run's page.";
    var code = document.createElement('code');
    code.className = 'receipt-code';
    code.textContent = receipt;
    var copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'secondary';
    copy.setAttribute('data-copy', receipt);
    copy.textContent = 'Copy the receipt';
    var row = document.createElement('p');
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

  // --- Documents: the file's SHA-256 is computed here (crypto.subtle), nothing is uploaded.
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute('data-hash-into')) return;
    var form = input.form;
    var file = input.files && input.files[0];
    if (!form || !file) return;
    var nameField = document.getElementById(input.getAttribute('data-hash-into'));
    var shaField = form.querySelector('[name="value.sha256"]');
    if (!window.crypto || !crypto.subtle) {
      show(
        form,
        'This browser cannot compute SHA-256 here (it needs https or localhost): type the hash instead.',
        true,
      );
      return;
    }
    show(form, 'Computing the SHA-256 of ' + file.name + '…', false);
    file
      .arrayBuffer()
      .then(function (buf) {
        return crypto.subtle.digest('SHA-256', buf);
      })
      .then(function (digest) {
        var hex = Array.prototype.map
          .call(new Uint8Array(digest), function (b) {
            return b.toString(16).padStart(2, '0');
          })
          .join('');
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
      .catch(function () {
        show(form, 'Could not read ' + file.name + ': type the name and hash instead.', true);
      });
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-api')) return;
    event.preventDefault();
    var submitter = event.submitter;
    var panel = confirmPanel(form);
    // Two-step forms check their required fields here, inline (the form has novalidate, so no
    // browser popup), before asking the question.
    if (form.hasAttribute('data-confirm') && !(submitter && submitter.hasAttribute('data-confirmed'))) {
      var missing = Array.prototype.filter.call(form.querySelectorAll('[required]'), function (el) {
        return el.id && !el.disabled && el.value.trim() === '';
      });
      if (missing.length) {
        clearErrors(form);
        missing.forEach(function (el) {
          markField(el, 'required');
        });
        show(form, 'Fix the marked field' + (missing.length > 1 ? 's' : '') + '.', true);
        var statusBox0 = form.querySelector('.form-status');
        if (statusBox0) statusBox0.setAttribute('data-fields', '');
        if (panel) panel.hidden = true;
        missing[0].focus();
        return;
      }
    }
    if (form.hasAttribute('data-confirm') && panel && !(submitter && submitter.hasAttribute('data-confirmed'))) {
      panel.hidden = false;
      var yes = panel.querySelector('[data-confirmed]');
      if (yes) yes.focus();
      return;
    }
    var buttons = form.querySelectorAll('button');
    Array.prototype.forEach.call(buttons, function (b) {
      b.disabled = true;
    });
    var method = form.getAttribute('data-method') || 'POST';
    var init = { method: method, credentials: 'same-origin', headers: { 'x-csrf-token': csrf } };
    var body = method !== 'DELETE' ? serialize(form, submitter) : undefined;
    // Steps decided with a passkey: the device signs this exact decision first.
    var ready = form.hasAttribute('data-passkey') ? withPasskey(form, body) : Promise.resolve({ ok: true, body: body });
    ready
      .then(function (prepared) {
        if (!prepared.ok) return prepared;
        if (method !== 'DELETE') {
          init.headers['content-type'] = 'application/json';
          init.body = JSON.stringify(prepared.body);
          // One key per attempt to do this, kept until it succeeds: a resend after a lost answer or
          // a 503 is applied at most once and answered with the first outcome.
          if (!form.dataset.idempotencyKey) form.dataset.idempotencyKey = newIdempotencyKey();
          init.headers['idempotency-key'] = form.dataset.idempotencyKey;
        }
        show(form, 'Sending…', false);
        return fetch(form.getAttribute('data-api'), init).then(readJson);
      })
      .then(function (r) {
        if (r.message) {
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
        if (panel) panel.hidden = true;
        var redirect = form.getAttribute('data-redirect');
        if (redirect) {
          window.location.assign(redirect.replace('{runId}', encodeURIComponent((r.body && r.body.runId) || '')));
          return;
        }
        var receipt = r.body && r.body.receipt;
        // What happened, in words: per button (data-success-approve) or for the form.
        var message =
          (submitter && submitter.value && form.getAttribute('data-success-' + submitter.value)) ||
          form.getAttribute('data-success') ||
          'Done.';
        var receiptShown = receipt && showReceipt(form, receipt);
        if (receipt && !receiptShown) message += ' Your anonymous receipt (keep it, it is shown once): ' + receipt;
        show(form, message, false);
        form.reset();
        // The live region may replace this form right away: keep the outcome where it stays, and
        // put the focus there (not on BODY) unless the receipt took it.
        var flash = document.getElementById('flash');
        if (flash) {
          flash.textContent = message;
          if (!receiptShown) flash.focus();
        }
        if (form.hasAttribute('data-refresh')) refresh();
      })
      .catch(function () {
        show(form, 'Could not reach the server. Check the connection and try again.', true);
      })
      .then(function () {
        Array.prototype.forEach.call(buttons, function (b) {
          b.disabled = false;
        });
      });
  });

  function readJson(res) {
    return res.text().then(function (text) {
      var body;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, ok: res.ok, body: body };
    });
  }

  function postJson(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(readJson);
  }

  // @simplewebauthn/browser, served by golive itself (no CDN), loaded only when a passkey is used.
  function webauthn() {
    return import('/assets/vendor/simplewebauthn/index.js');
  }

  // What the browser says when the person cancels or the device refuses, in words.
  function ceremonyFailed(err) {
    var name = err && err.name;
    if (name === 'NotAllowedError')
      return 'The passkey was not used (cancelled, timed out, or this device has none of your passkeys). Nothing was sent.';
    if (name === 'InvalidStateError') return 'This device holds one of your passkeys already.';
    return 'The passkey could not be used: ' + ((err && err.message) || String(err)) + '. Nothing was sent.';
  }

  // A decision signed with a passkey: ask golive for the challenge derived from this decision,
  // let the device sign it, and send the answer with the decision.
  function withPasskey(form, body) {
    show(form, 'Preparing the decision for your passkey…', false);
    return postJson(form.getAttribute('data-passkey'), { decision: body.decision, comment: body.comment }).then(
      function (r) {
        if (!r.ok) return r;
        show(form, 'Your browser asks your passkey to sign this decision…', false);
        return webauthn()
          .then(function (lib) {
            return lib.startAuthentication({ optionsJSON: r.body.options });
          })
          .then(function (response) {
            body.passkey = { binding: r.body.binding, response: response };
            return { ok: true, body: body };
          })
          .catch(function (err) {
            return { message: ceremonyFailed(err) };
          });
      },
    );
  }

  // Adding a passkey: the creation options from golive, the device makes the key, golive keeps it.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-passkey-register')) return;
    event.preventDefault();
    var label = form.querySelector('[name="label"]');
    if (!label || !label.value.trim()) {
      clearErrors(form);
      markField(label, 'required');
      show(form, 'Name the passkey first.', true);
      label.focus();
      return;
    }
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    show(form, 'Your browser asks your device to make a passkey…', false);
    postJson('/api/passkeys/registration-options', {})
      .then(function (r) {
        if (!r.ok) return r;
        return webauthn()
          .then(function (lib) {
            return lib.startRegistration({ optionsJSON: r.body.options });
          })
          .then(function (response) {
            return postJson(form.getAttribute('data-passkey-register'), {
              label: label.value.trim(),
              response: response,
            });
          })
          .catch(function (err) {
            return { message: ceremonyFailed(err) };
          });
      })
      .then(function (r) {
        if (r.message) {
          show(form, r.message, true);
          return;
        }
        if (!r.ok) {
          showErrors(form, r.status, r.body);
          return;
        }
        window.location.assign('/passkeys?added=' + encodeURIComponent(r.body.passkey.label));
      })
      .catch(function () {
        show(form, 'Could not reach the server. Check the connection and try again.', true);
      })
      .then(function () {
        if (button) button.disabled = false;
      });
  });

  function newIdempotencyKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join('');
  }

  // The banner across the top while Temporal (or the database) is away: shown on a 503, hidden on
  // the next answer that is not one.
  function showOutage(on) {
    var banner = document.getElementById('outage');
    if (banner) banner.hidden = !on;
  }

  function errorLines(status, body) {
    var err = body && body.error;
    if (!err) return ['The server answered ' + status + '.'];
    var lines = [err.message];
    (err.issues || []).forEach(function (i) {
      lines.push(i.path + ': ' + i.message);
    });
    return lines;
  }

  // Upload forms (data-upload) send one file as the raw body, typed by data-type: the dossier
  // verifier answers {ok, ...} in words the person can act on.
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

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-upload')) return;
    event.preventDefault();
    var input = form.querySelector('input[type=file]');
    var file = input && input.files && input.files[0];
    if (!file) {
      show(form, 'Choose a file first.', true);
      return;
    }
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
        return res
          .json()
          .catch(function () {
            return undefined;
          })
          .then(function (body) {
            if (!res.ok) show(form, errorLines(res.status, body), true);
            else show(form, verdictLines(body), !body.ok);
          });
      })
      .catch(function () {
        show(form, 'Could not reach the server. Check the connection and try again.', true);
      })
      .then(function () {
        if (button) button.disabled = false;
      });
  });

  // Dossier downloads (data-anchor): fetched here so the manifest SHA-256 the server returns in
  // X-Golive-Manifest-Sha256 (what `golive verify --expect-manifest` needs) is shown beside the
  // link once the file is saved. Without scripts the link still downloads the zip.
  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('a[data-anchor]') : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    var out = document.getElementById(link.getAttribute('data-anchor'));
    var say = function (text) {
      if (out) {
        out.hidden = false;
        out.textContent = text;
      }
    };
    say('Preparing the dossier…');
    fetch(link.href, { credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok)
          return res.json().then(
            function (b) {
              say('Download failed: ' + ((b && b.error && b.error.message) || res.status));
            },
            function () {
              say('Download failed: ' + res.status);
            },
          );
        var anchor = res.headers.get('x-golive-manifest-sha256') || '';
        var name = (/filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '') || [])[1] || 'dossier.zip';
        return res.blob().then(function (blob) {
          var a = document.createElement('a');
          a.href = URL.createObjectURL(blob);
          a.download = name;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () {
            URL.revokeObjectURL(a.href);
          }, 60000);
          say(
            'Saved ' +
              name +
              '. Manifest SHA-256: ' +
              anchor +
              ' — keep it: golive verify ' +
              name.replace(/\.zip$/, '') +
              ' --expect-manifest ' +
              anchor,
          );
          if (out) {
            var copy = document.createElement('button');
            copy.type = 'button';
            copy.className = 'link copy';
            copy.setAttribute('data-copy', anchor);
            copy.textContent = 'copy the SHA-256';
            out.appendChild(document.createTextNode(' '));
            out.appendChild(copy);
          }
        });
      })
      .catch(function () {
        say('Could not reach the server. Check the connection and try again.');
      });
  });

  // Copy buttons (data-copy) put a full value, e.g. a hash shown short, on the clipboard.
  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (!button) return;
    var flash = document.getElementById('flash');
    var value = button.getAttribute('data-copy');
    var done = function (text) {
      if (flash) flash.textContent = text;
    };
    if (!navigator.clipboard) {
      done('Copying is not available here; the full value: ' + value);
      return;
    }
    navigator.clipboard.writeText(value).then(
      function () {
        done('Copied ' + value);
      },
      function () {
        done('Could not copy; the full value: ' + value);
      },
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

  // Live region: replaced whole on each poll (header, diagram, timeline, forms), except the
  // forms someone is using (typed text, focus, errors, an open confirmation) and kept boxes
  // (data-keep, e.g. a receipt), which stay as they are, focus and caret included.
  var live = document.getElementById('live');
  var liveNote = document.getElementById('live-note');

  function changed(el) {
    if (el.type === 'hidden' || el.type === 'submit' || el.tagName === 'BUTTON') return false;
    if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked;
    if (el.tagName === 'SELECT')
      return Array.prototype.some.call(el.options, function (o) {
        return o.selected !== o.defaultSelected;
      });
    if (el.type === 'file') return !!(el.files && el.files.length);
    return el.value !== el.defaultValue;
  }

  function inUse(el) {
    if (el.tagName !== 'FORM') return !el.hidden && el.childNodes.length > 0;
    if (el.contains(document.activeElement)) return true;
    if (el.querySelector('[aria-invalid="true"], .form-status.error, .confirm:not([hidden])')) return true;
    return Array.prototype.some.call(el.elements, changed);
  }

  function swapIn(text) {
    var tpl = document.createElement('template');
    tpl.innerHTML = text; // server-rendered and escaped
    var fresh = tpl.content;
    var active = document.activeElement;
    var caret =
      active && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
    var scrollY = window.scrollY;
    live.querySelectorAll('form[id], [data-keep][id]').forEach(function (old) {
      if (!inUse(old)) return;
      var twin = fresh.getElementById(old.id);
      if (twin) twin.replaceWith(old);
    });
    // Folded sections someone opened stay open.
    live.querySelectorAll('details[id][open]').forEach(function (old) {
      var twin = fresh.getElementById(old.id);
      if (twin) twin.open = true;
    });
    live.replaceChildren(fresh);
    if (active && active !== document.body && live.contains(active) && document.activeElement !== active) {
      active.focus({ preventScroll: true });
      if (caret) {
        try {
          active.setSelectionRange(caret[0], caret[1]);
        } catch {
          /* not a text field */
        }
      }
    }
    window.scrollTo(window.scrollX, scrollY);
    var status = live.querySelector('[data-run-status]');
    var now = status && status.getAttribute('data-run-status');
    if (now && liveNote && live.getAttribute('data-status') !== now) liveNote.textContent = statusSentence(now);
    if (now) live.setAttribute('data-status', now);
    markOverflow();
  }

  var STATUS_WORDS = {
    running: 'running',
    waiting: 'waiting for input',
    hypercare: 'in hypercare',
    compensating: 'rolling back',
    live: 'live',
    'rolled-back': 'rolled back',
    'rollback-incomplete': 'rolled back only in part',
    cancelled: 'cancelled',
  };
  function statusSentence(status) {
    return 'The run is now ' + (STATUS_WORDS[status] || status) + '.';
  }

  // A diagram wider than its box says so ("Scroll sideways"), and can be scrolled by keyboard.
  function markOverflow() {
    document.querySelectorAll('.diagram').forEach(function (d) {
      if (d.scrollWidth > d.clientWidth + 1) d.setAttribute('data-overflows', '');
      else d.removeAttribute('data-overflows');
    });
  }
  markOverflow();
  window.addEventListener('resize', markOverflow);

  function refresh() {
    if (!live) return;
    fetch(live.getAttribute('data-live'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 401) {
          window.location.assign('/login?next=' + encodeURIComponent(location.pathname));
          return;
        }
        showOutage(res.status === 503);
        return res.text().then(function (text) {
          if (res.ok) swapIn(text);
        });
      })
      .catch(function () {
        /* offline for a moment: try again next tick */
      });
  }
  if (live && live.hasAttribute('data-live')) setInterval(refresh, POLL_MS);
})();
