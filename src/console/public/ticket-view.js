// One ticket: its fields and controls, the whole thread (sanitized HTML from the API, attachments,
// the delivery state of everything we sent), the reply box that says which channel the reply
// takes, internal notes, who else is looking at the ticket or typing, and on a chat ticket the
// live conversation to join (live-chat.js).
import { api } from './api.js';
import { clear, h, select } from './dom.js';
import { formatDate, t } from './i18n.js';
import { stoppedTyping, typed } from './live.js';
import { LiveChat } from './live-chat.js';
import { ticketWorkflow } from './ticket-workflow.js';

const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const TIERS = ['L1', 'L2', 'L3'];
/** While something we sent is still on its way, the view looks again this often. */
const DELIVERY_POLL_MS = 2000;

const requestId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export class TicketView {
  constructor(root, { agents, me }) {
    this.root = root;
    this.agents = agents;
    this.me = me;
    this.ticket = null;
    /** The last presence the feed reported (it can arrive before the ticket has loaded). */
    this.presence = { ticketNumber: null, viewers: [] };
    this.poll = null;
    /** What the last action said; kept across re-renders (a live event re-renders the ticket). */
    this.notice = { text: '', error: false };
    /** Control values the agent changed and has not saved yet. */
    this.edits = {};
    this.draft = { mode: 'reply', text: '' };
    /** The chat ticket's live conversation; one panel, kept across re-renders. */
    this.liveChat = new LiveChat();
  }

  async open(number) {
    if (this.ticket?.number !== number) {
      this.draft = { mode: 'reply', text: '', requestId: requestId() };
      this.notice = { text: '', error: false };
      this.edits = {};
      this.liveChat.forget();
    }
    await this.reload(number);
  }

  close() {
    clearTimeout(this.poll);
    this.ticket = null;
    this.liveChat.forget();
    stoppedTyping();
    clear(this.root).append(h('p', { className: 'empty' }, t('selectTicket')));
  }

  async reload(number = this.ticket?.number) {
    if (!number) return;
    const ticket = await api('GET', `/tickets/${number}`);
    this.ticket = ticket;
    this.render();
    clearTimeout(this.poll);
    const inFlight = ticket.messages.some((m) => m.delivery && ['pending', 'sending'].includes(m.delivery.status));
    if (inFlight) this.poll = setTimeout(() => this.reload(number).catch(() => {}), DELIVERY_POLL_MS);
  }

  setPresence(presence) {
    this.presence = presence;
    this.renderPresence();
  }

  renderPresence() {
    const box = this.root.querySelector('.presence');
    if (!box) return;
    const others = this.presence.ticketNumber === this.ticket?.number ? this.presence.viewers.filter((v) => v.agentId !== this.me().id) : [];
    const typing = others.filter((v) => v.typing).map((v) => v.name);
    const viewing = others.filter((v) => !v.typing).map((v) => v.name);
    const lines = [];
    if (typing.length) lines.push(t(typing.length === 1 ? 'typingOne' : 'typing', { names: typing.join(', ') }));
    if (viewing.length) lines.push(t(viewing.length === 1 ? 'viewingOne' : 'viewing', { names: viewing.join(', ') }));
    box.replaceChildren(...lines.map((l) => h('p', {}, l)));
    box.hidden = lines.length === 0;
  }

  status(message, isError = false) {
    this.notice = { text: message, error: isError };
    const el = this.root.querySelector('.action-status');
    if (el) { el.textContent = message; el.classList.toggle('error', isError); }
  }

  async act(fn, done) {
    try {
      await fn();
      this.status(done);
      await this.reload();
    } catch (err) {
      this.status(t('error', { message: err.message }), true);
    }
  }

  render() {
    const tk = this.ticket;
    const focused = this.root.contains(document.activeElement) ? document.activeElement?.getAttribute('name') : null;
    clear(this.root).append(
      h('a', { href: '#/', className: 'back' }, t('back')),
      h('h2', { id: 'ticket-heading', tabindex: '-1' }, `#${tk.number} ${tk.subject}`),
      h('div', { className: 'presence', role: 'status', 'aria-live': 'polite', hidden: true }),
      this.renderMeta(), ticketWorkflow(this), this.renderControls(),
      ...(tk.channel === 'chat' ? [this.liveChat.element(tk.number)] : []), this.renderThread(), this.renderReplyBox(),
    );
    this.renderPresence();
    if (focused) this.root.querySelector(`[name="${focused}"]`)?.focus();
  }

  renderMeta() {
    const tk = this.ticket;
    const requester = tk.requester ? [tk.requester.name, ...(tk.requester.emails ?? [])].filter(Boolean).join(' · ') : '—';
    return h('dl', { className: 'meta' },
      h('dt', {}, t('requester')), h('dd', {}, requester),
      h('dt', {}, t('channel')), h('dd', {}, t(`channels.${tk.channel}`)),
      h('dt', {}, t('status')), h('dd', {}, h('span', { className: `badge status-${tk.status}` }, t(`statuses.${tk.status}`))),
      h('dt', {}, t('created')), h('dd', {}, formatDate(tk.createdAt)));
  }

  renderControls() {
    const tk = this.ticket;
    // What the agent changed but has not saved survives a re-render (live events re-render often).
    const edits = this.edits;
    const value = (name, stored) => (name in edits ? edits[name] : stored);
    const remember = (form) => form.addEventListener('input', (e) => { if (e.target.name) edits[e.target.name] = e.target.value; });
    const field = (label, control) => h('label', {}, h('span', {}, label), control);
    const form = h('form', { className: 'controls', 'aria-labelledby': 'fields-heading' },
      h('h3', { id: 'fields-heading' }, t('ticketFields')),
      field(t('status'), select({ name: 'status' }, STATUSES.map((s) => [s, t(`statuses.${s}`)]), value('status', tk.status))),
      field(t('priority'), select({ name: 'priority' }, PRIORITIES.map((p) => [p, t(`priorities.${p}`)]), value('priority', tk.priority))),
      field(t('category'), h('input', { name: 'category', value: value('category', tk.category ?? ''), maxlength: '100' })),
      field(t('assignee'), select({ name: 'assigneeId' }, [['', t('unassigned')], ...this.agents().map((a) => [a.id, `${a.displayName} (${a.tier})`])], value('assigneeId', tk.assigneeId ?? ''))),
      h('button', { type: 'submit' }, t('save')));
    remember(form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const change = {};
      if (data.get('status') !== tk.status) change.status = data.get('status');
      if (data.get('priority') !== tk.priority) change.priority = data.get('priority');
      const category = String(data.get('category')).trim() || null;
      if (category !== (tk.category ?? null)) change.category = category;
      const assignee = String(data.get('assigneeId')) || null;
      if (assignee !== (tk.assigneeId ?? null)) change.assigneeId = assignee;
      for (const name of ['status', 'priority', 'category', 'assigneeId']) delete edits[name];
      if (!Object.keys(change).length) return;
      void this.act(() => api('PATCH', `/tickets/${tk.number}`, change), t('saved'));
    });
    const nextTier = TIERS[Math.min(TIERS.indexOf(tk.tier ?? 'L1') + 1, 2)];
    const reason = h('textarea', { name: 'reason', rows: '2', required: true, maxlength: '2000' });
    reason.value = value('reason', '');
    const escalate = h('form', { className: 'escalate', 'aria-labelledby': 'escalate-heading' },
      h('h3', { id: 'escalate-heading' }, t('escalate')),
      field(t('escalateTo'), select({ name: 'tier' }, TIERS.map((x) => [x, x]), value('tier', nextTier))),
      field(t('reason'), reason),
      h('button', { type: 'submit' }, t('escalate')));
    remember(escalate);
    escalate.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(escalate);
      const tier = String(data.get('tier'));
      delete edits.tier;
      delete edits.reason;
      void this.act(() => api('POST', `/tickets/${tk.number}/escalate`, { tier, reason: String(data.get('reason')) }), t('escalated', { tier }));
    });
    return h('section', { className: 'actions' }, form, escalate, h('p', { className: `action-status${this.notice.error ? ' error' : ''}`, role: 'status', 'aria-live': 'polite' }, this.notice.text));
  }

  renderThread() {
    return h('section', { className: 'thread', 'aria-labelledby': 'thread-heading' },
      h('h3', { id: 'thread-heading' }, t('thread')),
      h('ol', {}, this.ticket.messages.map((m) => h('li', {}, this.renderMessage(m)))));
  }

  renderMessage(m) {
    const who = m.internal ? t('internalNote') : t(m.author === 'customer' ? 'customer' : m.author === 'agent' ? 'agent' : 'system');
    const from = m.from?.name || m.from?.address || '';
    const body = h('div', { className: 'body' });
    // The API's HTML is sanitized on the server (no scripts, no handlers, no remote images) and the
    // page's CSP blocks anything that slipped through; plain text goes in as text.
    if (m.html) body.innerHTML = m.html;
    else body.append(h('p', { className: 'text' }, m.visibleText || m.text));
    const files = m.attachments.filter((a) => !a.inline);
    const delivery = m.delivery ? h('p', { className: `delivery delivery-${m.delivery.status}` },
      t('delivery', { state: t(`deliveryStates.${m.delivery.status}`) }),
      m.delivery.lastError && m.delivery.status !== 'sent' ? ` — ${t('deliveryError', { error: m.delivery.lastError })}` : null,
      m.delivery.status === 'failed' ? [' ', this.resendButton(m)] : null) : null;
    return h('article', { className: `message ${m.internal ? 'internal' : m.direction}`, 'aria-label': `${who} ${from}` },
      h('header', {}, h('strong', {}, who), from ? ` · ${from}` : '', ' · ', h('time', { datetime: m.createdAt }, formatDate(m.createdAt)),
        m.flagged ? h('span', { className: 'badge flagged' }, t('flagged')) : null),
      body,
      m.body?.truncated ? h('p', {}, h('a', { href: m.body.htmlUrl || m.body.textUrl, target: '_blank', rel: 'noopener' }, t('fullBody'))) : null,
      files.length ? h('ul', { className: 'attachments', 'aria-label': t('attachments') },
        files.map((a) => h('li', {}, h('a', { href: a.url, download: a.filename }, a.filename), ` (${Math.ceil(a.size / 1024)} KB)`))) : null,
      delivery);
  }

  /** Sends a failed delivery again; the view then follows it (queued, sending, sent) like any other. */
  resendButton(m) {
    const button = h('button', { type: 'button', className: 'resend' }, t('resend'));
    button.addEventListener('click', () => {
      button.disabled = true;
      void this.act(() => api('POST', `/tickets/${this.ticket.number}/messages/${encodeURIComponent(m.id)}/resend`), t('resent'));
    });
    return button;
  }

  renderReplyBox() {
    const tk = this.ticket;
    const to = tk.requester?.emails?.[0];
    const via = t(`replyVia.${tk.channel === 'chat' && !to ? 'chatOnly' : tk.channel}`, { to: to ?? '' });
    const text = h('textarea', { name: 'text', rows: '6', required: true, 'aria-describedby': 'reply-hint', maxlength: '100000' });
    text.value = this.draft.text;
    text.addEventListener('input', () => { this.draft.text = text.value; typed(); });
    text.addEventListener('blur', () => stoppedTyping());
    const hint = h('p', { id: 'reply-hint', className: 'hint' }, this.draft.mode === 'reply' ? via : t('noteHint'));
    const mode = (value, label) => h('label', { className: 'mode' },
      h('input', { type: 'radio', name: 'mode', value, checked: this.draft.mode === value, onchange: () => {
        this.draft.mode = value;
        hint.textContent = value === 'reply' ? via : t('noteHint');
        submit.textContent = value === 'reply' ? t('send') : t('saveNote');
      } }), ' ', label);
    const submit = h('button', { type: 'submit' }, this.draft.mode === 'reply' ? t('send') : t('saveNote'));
    const form = h('form', { className: 'reply', 'aria-labelledby': 'reply-heading' },
      h('h3', { id: 'reply-heading' }, t('reply')),
      h('fieldset', {}, h('legend', { className: 'visually-hidden' }, t('reply')), mode('reply', t('publicReply')), mode('note', t('addNote'))),
      h('label', { className: 'visually-hidden', for: 'reply-text' }, t('reply')), text, hint, submit);
    text.id = 'reply-text';
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = { text: text.value, requestId: this.draft.requestId };
      const kind = this.draft.mode === 'reply' ? 'replies' : 'notes';
      stoppedTyping();
      void this.act(async () => {
        await api('POST', `/tickets/${tk.number}/${kind}`, body);
        this.draft = { mode: this.draft.mode, text: '', requestId: requestId() };
      }, kind === 'replies' ? t('sent') : t('noteAdded'));
    });
    return form;
  }
}
