// Joining a chat ticket's live conversation from the console: a socket to the chat's `/agents`
// namespace, signed in by the session cookie and the session's CSRF token (the server also checks
// that the page is the console's). The panel shows the conversation so far and every new line as
// it comes, the visitor's typing, a reply box that answers through the socket and tells the visitor
// when the agent types, and a way to leave. Its element survives the ticket view's re-renders.
import { io } from '/console/vendor/socket.io.esm.min.js';
import { csrf } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import './chat.strings.js';

/** After this long without a keystroke the visitor is told the agent stopped typing. */
const TYPING_IDLE_MS = 3000;

const clientId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export class LiveChat {
  constructor() {
    this.root = h('section', { className: 'live-chat', 'aria-labelledby': 'live-chat-heading' });
    this.ticketNumber = null;
    this.socket = null;
    /** Lines by seq: a reconnect's history and live lines may overlap. */
    this.lines = new Map();
    this.visitorTyping = false;
    this.note = '';
    this.typing = false;
    this.idle = null;
  }

  /** The panel for this ticket (leaves the conversation of another ticket first). */
  element(ticketNumber) {
    if (this.ticketNumber !== ticketNumber) {
      this.leave(false);
      this.ticketNumber = ticketNumber;
      this.note = '';
      this.render();
    }
    return this.root;
  }

  /** Leaves, and shows nothing until element() is asked for a ticket again. */
  forget() {
    this.leave(false);
    this.ticketNumber = null;
  }

  get joined() { return this.socket !== null; }

  join() {
    const ticketNumber = this.ticketNumber;
    this.lines.clear();
    this.note = t('chat.joining');
    this.socket = io('/agents', { auth: { csrfToken: csrf() }, transports: ['websocket'] });
    this.socket.on('connect', () => {
      // Again after every reconnect: the server forgets which rooms a socket was in.
      this.socket?.timeout(10_000).emit('conversation:join', { ticketNumber }, (err, answer) => {
        if (err || !answer?.ok) return this.say(t('chat.failed', { code: answer?.code ?? 'timeout' }));
        for (const line of answer.messages) this.lines.set(line.seq, line);
        this.say(t('chat.joined'));
        this.renderLines();
      });
    });
    this.socket.on('connect_error', (err) => this.say(t('chat.failed', { code: err?.message ?? 'unavailable' })));
    this.socket.on('disconnect', () => { if (this.socket) this.say(t('chat.reconnecting')); });
    this.socket.on('message', (line) => {
      if (line.ticketNumber !== ticketNumber) return;
      this.lines.set(line.seq, line);
      if (line.author === 'visitor') { this.visitorTyping = false; this.renderTyping(); }
      this.renderLines();
    });
    this.socket.on('typing', (e) => {
      if (e.ticketNumber !== ticketNumber) return;
      this.visitorTyping = Boolean(e.typing);
      this.renderTyping();
    });
    this.render();
    this.root.querySelector('[name=chat-text]')?.focus();
  }

  /** Leaves the conversation (the socket goes: the visitor no longer counts this agent as online). */
  leave(announce = true) {
    this.stopTyping();
    this.socket?.disconnect();
    this.socket = null;
    this.lines.clear();
    this.visitorTyping = false;
    if (announce) { this.note = t('chat.left'); this.render(); }
  }

  say(note) {
    this.note = note;
    const el = this.root.querySelector('.chat-note');
    if (el) el.textContent = note;
  }

  typed() {
    if (!this.typing) { this.typing = true; this.socket?.emit('typing', { ticketNumber: this.ticketNumber, typing: true }); }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.idle);
    if (this.typing) { this.typing = false; this.socket?.emit('typing', { ticketNumber: this.ticketNumber, typing: false }); }
  }

  send(text) {
    const payload = { ticketNumber: this.ticketNumber, clientId: clientId(), text };
    this.stopTyping();
    return new Promise((resolve) => {
      this.socket?.timeout(20_000).emit('message:send', payload, (err, answer) => {
        if (err || !answer?.ok) { this.say(t('chat.failed', { code: answer?.code ?? 'timeout' })); return resolve(false); }
        resolve(true);
      });
    });
  }

  renderTyping() {
    const el = this.root.querySelector('.chat-typing');
    if (el) { el.textContent = this.visitorTyping ? t('chat.visitorTyping') : ''; el.hidden = !this.visitorTyping; }
  }

  /** The whole panel: the Join button, or (joined) the lines, the typing line and the reply box. */
  render() {
    const heading = h('h3', { id: 'live-chat-heading' }, t('chat.title'));
    const note = h('p', { className: 'chat-note', role: 'status', 'aria-live': 'polite' }, this.note);
    if (!this.joined) {
      this.root.replaceChildren(heading, h('p', { className: 'hint' }, t('chat.intro')), note,
        h('button', { type: 'button', className: 'chat-join', onclick: () => this.join() }, t('chat.join')));
      return;
    }
    const text = h('textarea', { name: 'chat-text', id: 'chat-text', rows: '2', required: true, maxlength: '5000' });
    text.addEventListener('input', () => this.typed());
    text.addEventListener('blur', () => this.stopTyping());
    const form = h('form', { className: 'chat-reply' },
      h('label', { for: 'chat-text' }, t('chat.message')), text,
      h('div', { className: 'buttons' }, h('button', { type: 'submit' }, t('chat.send')),
        h('button', { type: 'button', onclick: () => this.leave() }, t('chat.leave'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = text.value.trim();
      if (value && await this.send(value)) text.value = '';
    });
    this.root.replaceChildren(heading, note, h('ol', { className: 'chat-lines', 'aria-label': t('chat.lines') }),
      h('p', { className: 'chat-typing', role: 'status', hidden: true }), form);
    this.renderLines();
    this.renderTyping();
  }

  /** Only the lines change as they come: the reply box (and what is typed in it) stays as it is. */
  renderLines() {
    const list = this.root.querySelector('.chat-lines');
    if (!list) return;
    const lines = [...this.lines.values()].sort((a, b) => a.seq - b.seq);
    list.replaceChildren(...lines.map((line) => h('li', { className: `chat-line chat-${line.author}` },
      h('strong', {}, line.author === 'agent' ? (line.agentName || t('chat.agent')) : t(line.author === 'visitor' ? 'chat.visitor' : 'chat.system')), ': ',
      h('span', { className: 'text' }, line.text))));
    list.scrollTop = list.scrollHeight;
  }
}
