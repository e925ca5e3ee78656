// The queue: counts per status, filters (status, channel, tier, assignee) and the ticket list,
// reloaded whenever the live feed says a ticket changed.
import { api, query } from './api.js';
import { clear, h, select } from './dom.js';
import { formatDate, t } from './i18n.js';

const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];
const CHANNELS = ['email', 'chat', 'webform'];
const TIERS = ['L1', 'L2', 'L3'];
const PAGE = 50;

export class Queue {
  constructor(root, { agents, onOpen }) {
    this.root = root;
    this.agents = agents;
    this.onOpen = onOpen;
    this.filters = { status: '', channel: '', tier: '', assignee: '' };
    this.tickets = [];
    this.counts = null;
    this.nextCursor = null;
    this.selected = null;
  }

  agentName(id) {
    return this.agents().find((a) => a.id === id)?.displayName ?? id;
  }

  async load() {
    // The counts keep every filter but the status: they are the status tabs.
    const rest = { ...this.filters, status: '' };
    const [list, counts] = await Promise.all([
      api('GET', `/tickets${query({ ...this.filters, limit: PAGE })}`),
      api('GET', `/ticket-counts${query(rest)}`),
    ]);
    this.tickets = list.tickets;
    this.nextCursor = list.nextCursor;
    this.counts = counts;
    this.render();
  }

  async more() {
    const list = await api('GET', `/tickets${query({ ...this.filters, limit: PAGE, cursor: this.nextCursor })}`);
    this.tickets.push(...list.tickets);
    this.nextCursor = list.nextCursor;
    this.render();
  }

  setFilter(name, value) {
    this.filters[name] = value;
    this.load().catch((err) => this.showError(err));
  }

  select(number) {
    this.selected = number;
    for (const row of this.root.querySelectorAll('tr[data-number]')) {
      const on = Number(row.dataset.number) === number;
      row.classList.toggle('selected', on);
      row.querySelector('a')?.toggleAttribute('aria-current', on);
    }
  }

  showError(err) {
    this.root.querySelector('.queue-error')?.replaceChildren(t('error', { message: err.message }));
  }

  render() {
    const counts = this.counts?.counts ?? {};
    const tabs = h('div', { className: 'status-tabs', role: 'group', 'aria-label': t('status') },
      [['', `${t('all')} (${this.counts?.total ?? 0})`], ...STATUSES.map((s) => [s, `${t(`statuses.${s}`)} (${counts[s] ?? 0})`])].map(([value, label]) =>
        h('button', {
          type: 'button', className: 'tab', 'data-status': value || 'all', 'aria-pressed': String(this.filters.status === value),
          onclick: () => this.setFilter('status', value),
        }, label)));
    const field = (name, label, options) => h('label', {}, label, ' ',
      select({ name, onchange: (e) => this.setFilter(name, e.target.value) }, options, this.filters[name]));
    const filters = h('form', { className: 'filters', 'aria-label': t('filters'), onsubmit: (e) => e.preventDefault() },
      field('channel', t('channel'), [['', t('all')], ...CHANNELS.map((c) => [c, t(`channels.${c}`)])]),
      field('tier', t('tier'), [['', t('all')], ...TIERS.map((x) => [x, x])]),
      field('assignee', t('assignee'), [['', t('all')], ['me', t('me')], ['none', t('unassigned')], ...this.agents().map((a) => [a.id, a.displayName])]));
    const rows = this.tickets.map((tk) => h('tr', { 'data-number': tk.number, className: tk.number === this.selected ? 'selected' : '' },
      h('td', {}, h('a', { href: `#/tickets/${tk.number}`, 'aria-current': tk.number === this.selected ? 'true' : false }, `#${tk.number}`)),
      h('td', { className: 'subject' }, tk.subject || '—'),
      h('td', {}, tk.requester?.name || tk.requester?.emails?.[0] || '—'),
      h('td', {}, t(`channels.${tk.channel}`)),
      h('td', {}, h('span', { className: `badge status-${tk.status}` }, t(`statuses.${tk.status}`))),
      h('td', {}, t(`priorities.${tk.priority}`)),
      h('td', {}, tk.tier ?? '—'),
      h('td', {}, tk.assigneeId ? this.agentName(tk.assigneeId) : t('unassigned')),
      h('td', {}, h('time', { datetime: tk.lastMessageAt }, formatDate(tk.lastMessageAt)))));
    const table = this.tickets.length
      ? h('table', { className: 'tickets' }, h('caption', { className: 'visually-hidden' }, t('queue')),
        h('thead', {}, h('tr', {}, [t('number'), t('subject'), t('requester'), t('channel'), t('status'), t('priority'), t('tier'), t('assignee'), t('lastActivity')]
          .map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows))
      : h('p', { className: 'empty' }, t('noTickets'));
    clear(this.root).append(
      h('h2', { id: 'queue-heading' }, t('queue')), tabs, filters, h('p', { className: 'queue-error', role: 'alert' }), table,
      this.nextCursor ? h('button', { type: 'button', onclick: () => this.more().catch((err) => this.showError(err)) }, t('loadMore')) : null,
    );
    this.root.querySelector('tbody')?.addEventListener('click', (e) => {
      const row = e.target.closest('tr[data-number]');
      if (row && !e.target.closest('a')) this.onOpen(Number(row.dataset.number));
    });
  }
}
