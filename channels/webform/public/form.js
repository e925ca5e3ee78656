/*
 * Progressive enhancement of the support form: checks fields as the customer types (the same rules
 * as the server, which still checks everything), with the messages in the page's language, shown
 * in the error element each field names in aria-describedby. In an iframe it tells the parent page
 * its height (embed.js sizes the frame).
 */
(function () {
  var form = document.getElementById('support-form');
  function reportHeight() {
    if (window.parent !== window) {
      window.parent.postMessage({ type: 'helpdesk-form:height', height: document.documentElement.scrollHeight }, '*');
    }
  }
  window.addEventListener('load', reportHeight);
  window.addEventListener('resize', reportHeight);
  if (!form) { reportHeight(); return; }
  var messages = JSON.parse(form.getAttribute('data-messages') || '{}');
  var emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;

  function problem(el) {
    if (el.type === 'file') {
      var files = el.files || [];
      if (files.length > messages.maxFiles) return messages.too_many_files;
      for (var i = 0; i < files.length; i++) {
        if (files[i].size > messages.maxFileBytes) return messages.file_too_large;
        if (messages.allowedTypes.indexOf(files[i].type) < 0) return messages.unsupported_file_type;
      }
      return '';
    }
    var value = el.value.trim();
    if (el.required && !value) return messages.required;
    if (el.maxLength > 0 && value.length > el.maxLength) return messages.too_long.replace('{{max}}', el.maxLength);
    if (el.type === 'email' && value && !emailPattern.test(value)) return messages.invalid_email;
    return '';
  }

  function show(el) {
    var out = document.getElementById(el.id + '-error');
    if (!out) return true;
    var text = problem(el);
    out.textContent = text;
    if (text) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
    reportHeight();
    return !text;
  }

  var fields = form.querySelectorAll('input[id^="f-"]:not([tabindex="-1"]), textarea, select');
  Array.prototype.forEach.call(fields, function (el) {
    var touched = false;
    el.addEventListener('input', function () { if (touched || el.getAttribute('aria-invalid')) show(el); });
    el.addEventListener('change', function () { touched = true; show(el); });
    el.addEventListener('blur', function () { touched = true; show(el); });
  });
  form.addEventListener('submit', function (event) {
    var first = null;
    Array.prototype.forEach.call(fields, function (el) { if (!show(el) && !first) first = el; });
    if (first) { event.preventDefault(); first.focus(); return; }
    var button = form.querySelector('button[type="submit"]');
    // A second click sends the same submission id anyway; this only spares the extra request.
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });
  var summary = document.getElementById('form-errors');
  if (summary) summary.focus();
  reportHeight();
})();
