/*
 * The embeddable chat widget: <script src="https://<gateway>/widget.js" data-site-key="..."></script>
 * Plain JavaScript, no framework and no build step; it loads the socket.io client the gateway serves
 * beside it. English and Indonesian (data-locale, else the browser's language). The visitor token and
 * the last sequence number seen stay in localStorage, so a reload resumes the conversation.
 * Speaks the public protocol of docs/chat-protocol.md and nothing else.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__helpdeskWidget) return;
  window.__helpdeskWidget = true;

  var gateway = new URL(script.src, location.href).origin;
  var siteKey = script.getAttribute('data-site-key') || '';
  var lang = (script.getAttribute('data-locale') || navigator.language || 'en').toLowerCase();
  var locale = lang.slice(0, 2) === 'id' || lang.slice(0, 2) === 'in' ? 'id' : 'en';
  var storeKey = 'helpdesk-chat:' + gateway + ':' + siteKey;

  var TEXT = {
    en: {
      open: 'Open chat with support', close: 'Close chat', title: 'Chat with support',
      log: 'Conversation', input: 'Your message', send: 'Send', you: 'You', agent: 'Support', system: 'Notice',
      online: 'An agent is online.', offline: 'No agent is online right now. Leave your email address and we will answer by email; your message still reaches us.',
      email: 'Your email address', saveEmail: 'Save email', emailSaved: 'Thanks, we will answer at {email} if you are gone.',
      emailBad: 'Please enter a valid email address.', typing: '{name} is typing…',
      transcript: 'Email me a transcript', transcriptSent: 'The transcript is on its way to {email}.',
      transcriptNeedsEmail: 'Enter your email address first, then ask again.',
      failed: 'Not sent. Press Send to try again.', connecting: 'Connecting…', reconnecting: 'Connection lost, reconnecting…',
      ticket: 'Ticket #{n}', status: 'Ticket #{n} is now {status}.',
      statuses: { new: 'new', open: 'open', pending: 'waiting for you', resolved: 'resolved', closed: 'closed' },
      sending: 'sending…',
    },
    id: {
      open: 'Buka obrolan dengan dukungan', close: 'Tutup obrolan', title: 'Obrolan dengan dukungan',
      log: 'Percakapan', input: 'Pesan Anda', send: 'Kirim', you: 'Anda', agent: 'Dukungan', system: 'Pemberitahuan',
      online: 'Seorang agen sedang daring.', offline: 'Saat ini tidak ada agen yang daring. Tinggalkan alamat email Anda dan kami akan menjawab lewat email; pesan Anda tetap kami terima.',
      email: 'Alamat email Anda', saveEmail: 'Simpan email', emailSaved: 'Terima kasih, kami akan menjawab ke {email} jika Anda sudah pergi.',
      emailBad: 'Masukkan alamat email yang valid.', typing: '{name} sedang mengetik…',
      transcript: 'Kirim transkrip ke email saya', transcriptSent: 'Transkrip sedang dikirim ke {email}.',
      transcriptNeedsEmail: 'Masukkan alamat email Anda dulu, lalu minta lagi.',
      failed: 'Tidak terkirim. Tekan Kirim untuk mencoba lagi.', connecting: 'Menghubungkan…', reconnecting: 'Koneksi terputus, menghubungkan kembali…',
      ticket: 'Tiket #{n}', status: 'Tiket #{n} sekarang {status}.',
      statuses: { new: 'baru', open: 'terbuka', pending: 'menunggu Anda', resolved: 'selesai', closed: 'ditutup' },
      sending: 'mengirim…',
    },
  }[locale];
  var fill = function (s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k] == null ? '' : String(vars[k]); }); };

  // State kept across reloads: who the visitor is and how far the conversation was seen.
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(storeKey) || '{}') || {}; } catch { saved = {}; }
  var state = { token: saved.token || null, lastSeq: saved.lastSeq || 0, email: saved.email || '', open: !!saved.open };
  function persist() {
    try { localStorage.setItem(storeKey, JSON.stringify({ token: state.token, lastSeq: state.lastSeq, email: state.email, open: state.open })); } catch { /* private mode: the chat still works */ }
  }

  // ---- DOM ----------------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }
  var css = '.hdw{all:initial;font:15px/1.4 system-ui,sans-serif;color:#1d1d1f}' +
    '.hdw *{box-sizing:border-box;font:inherit}' +
    '.hdw-bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#1f5fbf;color:#fff;font-size:26px;cursor:pointer;z-index:2147483000}' +
    '.hdw-bubble:focus-visible,.hdw button:focus-visible,.hdw textarea:focus-visible,.hdw input:focus-visible{outline:3px solid #f5a623;outline-offset:2px}' +
    '.hdw-panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;border:1px solid #c8c8cc;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.2);z-index:2147483000}' +
    '.hdw-panel[hidden]{display:none}' +
    '.hdw-head{display:flex;align-items:center;justify-content:space-between;padding:10px 12px;background:#1f5fbf;color:#fff;border-radius:10px 10px 0 0}' +
    '.hdw-head h2{margin:0;font-size:16px;font-weight:600}' +
    '.hdw-head button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer}' +
    '.hdw-note{padding:6px 12px;font-size:13px;background:#f2f4f8;border-bottom:1px solid #e0e0e4}' +
    '.hdw-log{flex:1;overflow-y:auto;padding:10px 12px;list-style:none;margin:0}' +
    '.hdw-msg{margin:6px 0;padding:6px 10px;border-radius:8px;max-width:85%;white-space:pre-wrap;word-wrap:break-word}' +
    '.hdw-msg[data-author=visitor]{margin-left:auto;background:#dbe8fb}' +
    '.hdw-msg[data-author=agent]{background:#eef0f2}' +
    '.hdw-msg[data-author=system]{margin:6px auto;background:none;color:#555;font-size:13px;text-align:center}' +
    '.hdw-who{display:block;font-size:12px;color:#555}' +
    '.hdw-typing{min-height:20px;padding:0 12px;font-size:13px;color:#555}' +
    '.hdw-form{display:flex;gap:6px;padding:8px 12px;border-top:1px solid #e0e0e4}' +
    '.hdw-form textarea,.hdw-email input{flex:1;min-height:38px;padding:6px;border:1px solid #8e8e93;border-radius:6px;resize:none}' +
    '.hdw-form button,.hdw-email button,.hdw-transcript{padding:6px 12px;border:0;border-radius:6px;background:#1f5fbf;color:#fff;cursor:pointer}' +
    '.hdw-email{display:flex;flex-wrap:wrap;gap:6px;padding:8px 12px;border-bottom:1px solid #e0e0e4}' +
    '.hdw-email[hidden]{display:none}' +
    '.hdw-email label{flex-basis:100%;font-size:13px}' +
    '.hdw-transcript{margin:0 12px 8px;background:#fff;color:#1f5fbf;border:1px solid #1f5fbf}' +
    '.hdw-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}';

  var root = el('div', { class: 'hdw', lang: locale });
  root.appendChild(el('style', {}, css));
  var bubble = el('button', { type: 'button', class: 'hdw-bubble', 'aria-label': TEXT.open, 'aria-expanded': 'false', 'aria-controls': 'hdw-panel' }, '💬');
  var panel = el('section', { id: 'hdw-panel', class: 'hdw-panel', role: 'dialog', 'aria-labelledby': 'hdw-title', hidden: '' });
  var head = el('div', { class: 'hdw-head' });
  head.appendChild(el('h2', { id: 'hdw-title' }, TEXT.title));
  var closeBtn = el('button', { type: 'button', 'aria-label': TEXT.close }, '×');
  head.appendChild(closeBtn);
  var note = el('p', { class: 'hdw-note', role: 'status' }, TEXT.connecting);
  var emailForm = el('form', { class: 'hdw-email', hidden: '', novalidate: '' });
  var emailInput = el('input', { id: 'hdw-email', type: 'email', name: 'email', autocomplete: 'email', maxlength: '254' });
  emailForm.appendChild(el('label', { for: 'hdw-email' }, TEXT.email));
  emailForm.appendChild(emailInput);
  emailForm.appendChild(el('button', { type: 'submit' }, TEXT.saveEmail));
  var log = el('ol', { class: 'hdw-log', role: 'log', 'aria-live': 'polite', 'aria-label': TEXT.log, tabindex: '0' });
  var typing = el('div', { class: 'hdw-typing', 'aria-live': 'polite' });
  var transcriptBtn = el('button', { type: 'button', class: 'hdw-transcript' }, TEXT.transcript);
  var form = el('form', { class: 'hdw-form' });
  var input = el('textarea', { id: 'hdw-input', name: 'text', rows: '1', maxlength: '4000' });
  form.appendChild(el('label', { for: 'hdw-input', class: 'hdw-sr' }, TEXT.input));
  form.appendChild(input);
  form.appendChild(el('button', { type: 'submit' }, TEXT.send));
  [head, note, emailForm, log, typing, transcriptBtn, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(bubble);
  root.appendChild(panel);

  // ---- messages ------------------------------------------------------------------------------
  var bySeq = {};
  function authorName(m) {
    if (m.author === 'visitor') return TEXT.you;
    if (m.author === 'system') return TEXT.system;
    return m.agentName || TEXT.agent;
  }
  /** Inserts a message at its place by seq; a seq already shown is shown once. */
  function show(m) {
    if (bySeq[m.seq]) return bySeq[m.seq];
    var item = el('li', { class: 'hdw-msg', 'data-author': m.author, 'data-seq': String(m.seq) });
    var who = authorName(m);
    item.appendChild(el('span', { class: 'hdw-who' }, who));
    item.appendChild(document.createTextNode(m.text));
    bySeq[m.seq] = item;
    var after = null;
    for (var i = 0; i < log.children.length; i++) {
      var s = Number(log.children[i].getAttribute('data-seq'));
      if (s > m.seq) { after = log.children[i]; break; }
    }
    log.insertBefore(item, after);
    if (m.seq > state.lastSeq) { state.lastSeq = m.seq; persist(); }
    log.scrollTop = log.scrollHeight;
    return item;
  }
  function notice(text) {
    var item = el('li', { class: 'hdw-msg', 'data-author': 'system', 'data-seq': String(Number.MAX_SAFE_INTEGER) }, text);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  // ---- connection ----------------------------------------------------------------------------
  var socket = null;
  var starting = null;
  var historyLoaded = false;
  function post(body) {
    return fetch(gateway + '/api/v1/chat/visitors', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then(function (res) { return res.json().then(function (data) { return { ok: res.ok, data: data }; }); });
  }
  function visitor() {
    var resume = state.token ? post({ visitorToken: state.token, siteKey: siteKey, locale: locale }) : Promise.resolve({ ok: false });
    return resume.then(function (r) {
      if (r.ok && r.data.visitorToken) return r.data;
      return post({ siteKey: siteKey, locale: locale }).then(function (fresh) {
        if (!fresh.ok) throw new Error(fresh.data && fresh.data.code || 'visitor_failed');
        state.lastSeq = 0; // a new visitor has seen nothing
        return fresh.data;
      });
    }).then(function (data) { state.token = data.visitorToken; persist(); });
  }
  function loadClient() {
    if (window.io) return Promise.resolve(window.io);
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = gateway + '/widget/socket.io.min.js';
      s.onload = function () { resolve(window.io); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function start() {
    if (starting) return starting;
    starting = Promise.all([visitor(), loadClient()]).then(function (r) {
      var io = r[1];
      // auth as a function: every reconnect sends the lastSeq of that moment, so the server replays only what is missing.
      socket = io(gateway + '/chat', { auth: function (cb) { cb({ visitorToken: state.token, lastSeq: state.lastSeq }); }, transports: ['websocket', 'polling'] });
      socket.on('connect', function () {
        note.textContent = '';
        if (historyLoaded) return;
        // After a reload the log is empty: fetch what came before lastSeq once (each connect replays the rest).
        socket.emit('history', { afterSeq: 0 }, function (res) {
          if (res && res.ok) { historyLoaded = true; res.messages.forEach(show); }
        });
      });
      socket.on('disconnect', function () { note.textContent = TEXT.reconnecting; });
      socket.on('connect_error', function (err) {
        note.textContent = TEXT.reconnecting;
        // A token the server no longer accepts: start over as a new visitor.
        if (err && err.message === 'unauthorized') { state.token = null; persist(); starting = null; socket.close(); start(); }
      });
      socket.on('message', function (m) { show(m); if (m.author === 'agent') typing.textContent = ''; });
      socket.on('presence', function (p) { setPresence(p.agentsOnline > 0); });
      socket.on('typing', function (t) {
        typing.textContent = t && t.typing !== false ? fill(TEXT.typing, { name: (t && t.agentName) || TEXT.agent }) : '';
      });
      socket.on('status', function (s) {
        notice(fill(TEXT.status, { n: s.ticketNumber, status: TEXT.statuses[s.status] || s.status }));
      });
    }, function (err) { note.textContent = TEXT.failed; starting = null; throw err; });
    return starting;
  }

  function setPresence(online) {
    note.textContent = online ? TEXT.online : TEXT.offline;
    emailForm.hidden = online || !!state.email;
    panel.setAttribute('data-agents-online', online ? 'yes' : 'no');
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  /** Sends one line; the same clientId on a retry, so the server stores it once. */
  function send(text, clientId, pending) {
    pending.setAttribute('aria-busy', 'true');
    socket.timeout(10000).emit('message:send', { clientId: clientId, text: text }, function (err, ack) {
      pending.removeAttribute('aria-busy');
      if (err || !ack || !ack.ok) {
        pending.setAttribute('data-failed', (ack && ack.code) || 'timeout');
        pending.querySelector('.hdw-who').textContent = TEXT.you + ' — ' + TEXT.failed;
        // A click (or the next send) retries with the same clientId: stored once whatever happened.
        pending.retry = function () { pending.retry = pending.onclick = null; send(text, clientId, pending); };
        pending.onclick = pending.retry;
        return;
      }
      pending.removeAttribute('data-failed');
      pending.querySelector('.hdw-who').textContent = TEXT.you;
      if (ack.ticketNumber) panel.setAttribute('data-ticket', String(ack.ticketNumber));
      // The server's echo of the line may come before or after the ack: keep one of them.
      if (bySeq[ack.seq] && bySeq[ack.seq] !== pending) { pending.remove(); return; }
      pending.setAttribute('data-seq', String(ack.seq));
      bySeq[ack.seq] = pending;
      if (ack.seq > state.lastSeq) { state.lastSeq = ack.seq; persist(); }
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var failed = log.querySelector('[data-failed]');
    input.value = '';
    stopTyping();
    start().then(function () {
      if (failed && failed.retry) failed.retry();
      var pending = el('li', { class: 'hdw-msg', 'data-author': 'visitor', 'data-seq': String(Number.MAX_SAFE_INTEGER) });
      pending.appendChild(el('span', { class: 'hdw-who' }, TEXT.you + ' — ' + TEXT.sending));
      pending.appendChild(document.createTextNode(text));
      log.appendChild(pending);
      log.scrollTop = log.scrollHeight;
      send(text, uuid(), pending);
    });
  });
  // Enter sends, Shift+Enter is a new line.
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event('submit', { cancelable: true })); }
  });
  // Typing: on at the first key, off after 3 s without one (or when the line is sent).
  var typingTimer = null;
  function stopTyping() {
    if (!typingTimer) return;
    clearTimeout(typingTimer);
    typingTimer = null;
    if (socket && socket.connected) socket.emit('typing', { typing: false });
  }
  input.addEventListener('input', function () {
    if (!socket || !socket.connected) return;
    if (!typingTimer) socket.emit('typing', { typing: true });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  });

  var EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;
  emailForm.addEventListener('submit', function (e) {
    e.preventDefault();
    var email = emailInput.value.trim();
    if (email.length > 254 || !EMAIL.test(email)) { emailInput.setAttribute('aria-invalid', 'true'); notice(TEXT.emailBad); emailInput.focus(); return; }
    emailInput.removeAttribute('aria-invalid');
    start().then(function () {
      socket.timeout(10000).emit('followup:email', { email: email }, function (err, ack) {
        if (err || !ack || !ack.ok) { notice(TEXT.emailBad); return; }
        state.email = email; persist();
        emailForm.hidden = true;
        notice(fill(TEXT.emailSaved, { email: email }));
        input.focus();
      });
    });
  });
  transcriptBtn.addEventListener('click', function () {
    start().then(function () {
      socket.timeout(10000).emit('transcript:request', {}, function (err, ack) {
        if (!err && ack && ack.ok) { notice(fill(TEXT.transcriptSent, { email: ack.email || state.email })); return; }
        if (ack && ack.code === 'no_email') { emailForm.hidden = false; notice(TEXT.transcriptNeedsEmail); emailInput.focus(); return; }
        notice(TEXT.failed);
      });
    });
  });

  function openPanel() {
    panel.hidden = false;
    bubble.setAttribute('aria-expanded', 'true');
    state.open = true; persist();
    input.focus();
    start();
  }
  function closePanel() {
    panel.hidden = true;
    bubble.setAttribute('aria-expanded', 'false');
    state.open = false; persist();
    bubble.focus();
  }
  bubble.addEventListener('click', function () { if (panel.hidden) openPanel(); else closePanel(); });
  closeBtn.addEventListener('click', closePanel);
  panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') { e.preventDefault(); closePanel(); } });

  function mount() {
    document.body.appendChild(root);
    // A visitor with a conversation gets it back after a reload, the panel as they left it.
    if (state.token) { if (state.open) openPanel(); else start(); }
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
