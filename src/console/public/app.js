// The console's entry: sign-in, the language switch, the queue beside the open ticket, and the
// live feed that keeps both current. Routes are hashes: #/ (queue), #/tickets/<number>, and the
// pages of pages.js (#/kb, #/rules).
import { api, ApiError, setCsrf } from './api.js';
import { clear, h, select } from './dom.js';
import { initialLanguage, LANGUAGES, language, setLanguage, t } from './i18n.js';
import { connectLive, disconnectLive, onConnectionState, onPresence, onTicketEvent, viewTicket } from './live.js';
import { pageOf, PAGES } from './pages.js';
import { Queue } from './queue.js';
import { TicketView } from './ticket-view.js';

const app = document.getElementById('app');
let me = null;
let agents = [];
let queue = null;
let ticketView = null;
let online = false;
let pages = {};

function languageSwitch() {
  return h('label', { className: 'language' }, t('language'), ' ', select({
    name: 'language', onchange: async (e) => {
      setLanguage(e.target.value);
      // The agent's setting follows the switch, so the next sign-in starts in it.
      if (me) me = await api('PATCH', '/auth/me', { language: e.target.value }).catch(() => me);
      render();
    },
  }, LANGUAGES.map((l) => [l.code, l.name]), language()));
}

function renderLogin(message = '') {
  document.title = t('appTitle');
  const form = h('form', { className: 'login', 'aria-labelledby': 'login-heading' },
    h('h1', { id: 'login-heading' }, t('appTitle')),
    h('label', {}, t('email'), h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true })),
    h('label', {}, t('password'), h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true })),
    h('p', { className: 'error', role: 'alert' }, message),
    h('button', { type: 'submit' }, t('signIn')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    try {
      const session = await api('POST', '/auth/login', { email: data.get('email'), password: data.get('password') });
      await signedIn(session);
    } catch (err) {
      // The form stays as typed; only the message changes.
      form.querySelector('.error').textContent = err instanceof ApiError && err.status === 429 ? t('tooManyAttempts')
        : err instanceof ApiError && err.status === 401 ? t('signInFailed') : t('error', { message: err.message });
      form.querySelector('[name=password]').select();
    }
  });
  clear(app).append(h('header', { className: 'bar' }, languageSwitch()), h('main', {}, form));
  form.querySelector('input')?.focus();
}

async function signedIn(session) {
  me = session.agent;
  setCsrf(session.csrfToken);
  setLanguage(me?.language ?? language());
  agents = (await api('GET', '/agent-directory')).agents;
  queue = new Queue(h('section', { className: 'queue', 'aria-labelledby': 'queue-heading' }), { agents: () => agents, onOpen: (n) => { location.hash = `#/tickets/${n}`; } });
  ticketView = new TicketView(h('section', { className: 'ticket', 'aria-labelledby': 'ticket-heading' }), { agents: () => agents, me: () => me });
  pages = Object.fromEntries(PAGES.map((p) => [p.name, new p.View(h('section', { className: `page page-${p.name}` }), { agents: () => agents, me: () => me })]));
  connectLive(session.csrfToken);
  render();
}

async function signOut() {
  await api('POST', '/auth/logout').catch(() => {});
  disconnectLive();
  me = null;
  setCsrf(null);
  renderLogin();
}

function render() {
  if (!me) return renderLogin();
  document.title = t('appTitle');
  clear(app).append(
    h('header', { className: 'bar' },
      h('h1', {}, t('appTitle')),
      h('nav', { className: 'pages', 'aria-label': t('pages') }, h('a', { href: '#/' }, t('queue')), PAGES.map((p) => h('a', { href: `#/${p.name}` }, t(p.label)))),
      h('span', { className: `live ${online ? 'on' : 'off'}`, role: 'status' }, online ? t('live') : t('offline')),
      h('span', {}, t('signedInAs', { name: me.displayName, tier: me.tier })),
      languageSwitch(),
      h('button', { type: 'button', onclick: signOut }, t('signOut'))),
    h('div', { className: 'announcer visually-hidden', role: 'status', 'aria-live': 'polite', id: 'announcer' }),
    h('main', { className: 'workspace' }, queue.root, ticketView.root));
  queue.render();
  void route();
}

async function route() {
  if (showPage(pageOf(location.hash))) return;
  const match = /^#\/tickets\/(\d+)$/.exec(location.hash);
  const number = match ? Number(match[1]) : null;
  queue.select(number);
  viewTicket(number);
  if (number === null) return ticketView.close();
  try {
    await ticketView.open(number);
    if (ticketView.ticket?.number === number) ticketView.root.querySelector('#ticket-heading')?.focus();
  } catch (err) {
    clear(ticketView.root).append(h('p', { className: 'error', role: 'alert' }, t('error', { message: err.message })));
  }
}

/** Shows a page of pages.js in place of the queue and ticket (true), or puts those back (false). */
function showPage(page) {
  const main = document.querySelector('main');
  if (!page) {
    if (!main.classList.contains('workspace')) main.replaceChildren(queue.root, ticketView.root);
    main.className = 'workspace';
    return false;
  }
  viewTicket(null);
  ticketView.close();
  const view = pages[page.name];
  main.className = 'page';
  main.replaceChildren(view.root);
  view.open(page.rest).then(() => view.root.querySelector('h2')?.focus())
    .catch((err) => clear(view.root).append(h('p', { className: 'error', role: 'alert' }, t('error', { message: err.message }))));
  return true;
}

// Live: the queue reloads on any ticket event (coalesced), the open ticket when it is the one.
let reloadQueue = null;
onTicketEvent((e) => {
  if (!me) return;
  const announcer = document.getElementById('announcer');
  if (announcer) announcer.textContent = t(e.type === 'ticket.created' ? 'newTicket' : e.type === 'message.appended' ? 'newMessage' : 'ticketChanged', { number: e.ticketNumber });
  clearTimeout(reloadQueue);
  reloadQueue = setTimeout(() => queue.load().catch((err) => queue.showError(err)), 150);
  if (ticketView.ticket?.number === e.ticketNumber) ticketView.reload().catch(() => {});
});
onPresence((p) => ticketView?.setPresence(p));
onConnectionState((up) => {
  const changed = up !== online;
  online = up;
  const badge = document.querySelector('.live');
  if (badge) { badge.className = `live ${up ? 'on' : 'off'}`; badge.textContent = up ? t('live') : t('offline'); }
  // Back online: whatever happened meanwhile is in the API.
  if (changed && up && queue) queue.load().catch((err) => queue.showError(err));
});
window.addEventListener('hashchange', () => { if (me) void route(); });

async function start() {
  setLanguage(initialLanguage());
  try {
    const session = await api('GET', '/auth/me');
    if (session.via !== 'session') return renderLogin();
    await signedIn(session);
  } catch {
    renderLogin();
  }
}
void start();
