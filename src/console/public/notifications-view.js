// The agent's own notification settings (#/notifications): which mails the help desk sends them
// (new tickets in their tier and escalations to it, assignments, customer replies on their
// tickets), saved on their account with PATCH /auth/me.
import { api } from './api.js';
import { clear, h } from './dom.js';
import { t } from './i18n.js';

const SWITCHES = ['newTickets', 'assignments', 'customerReplies'];

export class NotificationsView {
  constructor(root) {
    this.root = root;
  }

  async open() {
    const { agent } = await api('GET', '/auth/me');
    if (!agent) {
      clear(this.root).append(h('h2', { id: 'notify-heading', tabindex: '-1' }, t('notify.title')), h('p', {}, t('notify.noAccount')));
      return;
    }
    this.show(agent);
  }

  show(agent, notice = { text: '', error: false }) {
    const status = h('p', { className: `action-status${notice.error ? ' error' : ''}`, role: notice.error ? 'alert' : 'status' }, notice.text);
    const form = h('form', { className: 'notify-settings', 'aria-labelledby': 'notify-heading' },
      h('fieldset', {}, h('legend', {}, t('notify.legend')),
        SWITCHES.map((key) => h('label', { className: 'check' },
          h('input', { type: 'checkbox', name: key, checked: agent.notifications[key] }), ' ', t(`notify.switches.${key}`, { tier: agent.tier })))),
      h('div', { className: 'buttons' }, h('button', { type: 'submit' }, t('notify.save'))),
      status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const notifications = Object.fromEntries(SWITCHES.map((key) => [key, form.querySelector(`[name=${key}]`).checked]));
      try {
        this.show(await api('PATCH', '/auth/me', { notifications }), { text: t('notify.saved'), error: false });
        this.root.querySelector('.action-status')?.focus?.();
      } catch (err) {
        status.textContent = t('error', { message: err.message });
        status.className = 'action-status error';
        status.setAttribute('role', 'alert');
      }
    });
    clear(this.root).append(
      h('h2', { id: 'notify-heading', tabindex: '-1' }, t('notify.title')),
      h('p', {}, t('notify.intro', { address: agent.email })),
      form,
      h('p', { className: 'hint' }, t('notify.replyHint')));
  }
}
