// The intake rules view (#/rules): the ordered list any agent can read; admins add, edit, delete
// and reorder rules here and save the whole list in one PUT. The API validates: a list it refuses
// shows its message, which names the field (`rules.0.when.words.0: …`), and stays as edited.
import { api } from './api.js';
import { clear, h, select } from './dom.js';
import { t } from './i18n.js';
import './workflow.strings.js';

const CHANNELS = ['email', 'chat', 'webform'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const TIERS = ['L1', 'L2', 'L3'];
const LIST_CONDITIONS = ['words', 'senderDomains', 'recipients', 'formCategories', 'chatSites'];

const splitList = (text) => String(text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const slug = (name) => name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48);
const copy = (value) => JSON.parse(JSON.stringify(value));

export class RulesView {
  constructor(root, { me, agents }) {
    this.root = root;
    this.me = me;
    this.agents = agents;
    this.rules = [];
    this.stored = '[]';
    /** Index of the rule in the editor (rules.length: a new one), or null. */
    this.editing = null;
    this.notice = { text: '', error: false };
  }

  get admin() { return this.me()?.role === 'admin'; }
  get dirty() { return JSON.stringify(this.rules) !== this.stored; }

  async open() {
    // Edits not saved yet survive a re-render (the language switch, coming back from another page).
    if (this.dirty) return this.render();
    const { rules } = await api('GET', '/rules');
    this.rules = copy(rules);
    this.stored = JSON.stringify(this.rules);
    this.editing = null;
    this.render();
  }

  describe(rule) {
    const when = Object.entries(rule.when ?? {}).map(([k, v]) => `${t(`rules.conditions.${k}`)}: ${[v].flat().join(', ')}`);
    const then = Object.entries(rule.then ?? {}).map(([k, v]) => `${t(`rules.actions.${k}`)}: ${k === 'assigneeId' ? this.agentName(v) : [v].flat().join(', ')}`);
    return [`${t('rules.when')} ${when.length ? when.join('; ') : t('rules.anyTicket')}`, `${t('rules.then')} ${then.join('; ')}`];
  }

  agentName(id) { return this.agents().find((a) => a.id === id)?.displayName ?? id; }

  change(fn) {
    fn();
    this.notice = { text: '', error: false };
    this.render();
  }

  render() {
    const items = this.rules.map((rule, i) => {
      const [when, then] = this.describe(rule);
      const label = (action) => t('rules.ruleLabel', { action, name: rule.name });
      return h('li', { className: `rule${rule.enabled === false ? ' disabled' : ''}`, 'data-rule': rule.id },
        h('strong', {}, rule.name), ` (${rule.id})`, rule.enabled === false ? ` — ${t('rules.disabled')}` : '',
        h('p', { className: 'hint' }, when), h('p', { className: 'hint' }, then),
        this.admin ? h('div', { className: 'buttons' },
          h('button', { type: 'button', 'aria-label': label(t('rules.edit')), onclick: () => this.change(() => { this.editing = i; }) }, t('rules.edit')),
          h('button', { type: 'button', 'aria-label': label(t('rules.up')), disabled: i === 0, onclick: () => this.change(() => this.move(i, -1)) }, '↑'),
          h('button', { type: 'button', 'aria-label': label(t('rules.down')), disabled: i === this.rules.length - 1, onclick: () => this.change(() => this.move(i, 1)) }, '↓'),
          h('button', { type: 'button', 'aria-label': label(t('rules.delete')), onclick: () => this.change(() => { this.rules.splice(i, 1); this.editing = null; }) }, t('rules.delete'))) : null);
    });
    const notice = h('p', { className: `action-status${this.notice.error ? ' error' : ''}`, role: this.notice.error ? 'alert' : 'status' }, this.notice.text);
    clear(this.root).append(
      h('h2', { id: 'rules-heading', tabindex: '-1' }, t('rules.title')),
      h('p', { className: 'hint' }, t('rules.intro')),
      this.admin ? null : h('p', { className: 'hint' }, t('rules.readOnly')),
      items.length ? h('ol', { className: 'rules' }, items) : h('p', { className: 'empty' }, t('rules.none')),
      this.admin ? this.renderAdmin() : null,
      notice);
  }

  move(i, by) {
    const [rule] = this.rules.splice(i, 1);
    this.rules.splice(i + by, 0, rule);
    if (this.editing !== null) this.editing = null;
  }

  renderAdmin() {
    return h('div', { className: 'rules-admin' },
      this.editing === null ? h('button', { type: 'button', onclick: () => this.change(() => { this.editing = this.rules.length; }) }, t('rules.add')) : this.renderEditor(),
      this.dirty ? h('p', { className: 'unsaved' }, t('rules.unsaved')) : null,
      h('div', { className: 'buttons' },
        h('button', { type: 'button', className: 'primary', name: 'save-rules', disabled: !this.dirty, onclick: () => void this.save() }, t('rules.save')),
        h('button', { type: 'button', disabled: !this.dirty, onclick: () => this.change(() => { this.rules = JSON.parse(this.stored); this.editing = null; }) }, t('rules.discard'))));
  }

  renderEditor() {
    const rule = this.rules[this.editing] ?? { id: '', name: '', enabled: true, when: {}, then: {} };
    const field = (label, control, hint) => h('label', {}, h('span', {}, label), control, hint ? h('span', { className: 'hint' }, hint) : null);
    const text = (name, value, attrs = {}) => h('input', { name, value: value ?? '', ...attrs });
    const optional = (name, options, value) => select({ name }, [['', t('rules.keep')], ...options], value ?? '');
    const form = h('form', { className: 'rule-editor', 'aria-labelledby': 'rule-editor-heading' },
      h('h3', { id: 'rule-editor-heading' }, this.editing < this.rules.length ? t('rules.editing') : t('rules.adding')),
      field(t('rules.name'), text('name', rule.name, { required: true, maxlength: '100' })),
      field(t('rules.id'), text('id', rule.id, { maxlength: '48' })),
      h('label', { className: 'check' }, h('input', { type: 'checkbox', name: 'enabled', checked: rule.enabled !== false }), ' ', t('rules.enabled')),
      h('fieldset', {}, h('legend', {}, t('rules.when')),
        h('fieldset', { className: 'channels' }, h('legend', {}, t('rules.conditions.channels')),
          CHANNELS.map((c) => h('label', { className: 'check' }, h('input', { type: 'checkbox', name: 'channels', value: c, checked: (rule.when.channels ?? []).includes(c) }), ' ', t(`channels.${c}`)))),
        LIST_CONDITIONS.map((c) => field(t(`rules.conditions.${c}`), text(c, (rule.when[c] ?? []).join(', '), { maxlength: '4000' }))),
        h('p', { className: 'hint' }, t('rules.listHint'))),
      h('fieldset', {}, h('legend', {}, t('rules.then')),
        field(t('rules.actions.category'), text('category', rule.then.category, { maxlength: '100' })),
        field(t('rules.actions.priority'), optional('priority', PRIORITIES.map((p) => [p, t(`priorities.${p}`)]), rule.then.priority)),
        field(t('rules.actions.tier'), optional('tier', TIERS.map((x) => [x, x]), rule.then.tier)),
        field(t('rules.actions.assigneeId'), optional('assigneeId', this.agents().map((a) => [a.id, `${a.displayName} (${a.tier})`]), rule.then.assigneeId)),
        field(t('rules.actions.tags'), text('tags', (rule.then.tags ?? []).join(', '), { maxlength: '1000' }))),
      h('div', { className: 'buttons' },
        h('button', { type: 'submit' }, t('rules.apply')),
        h('button', { type: 'button', onclick: () => this.change(() => { this.editing = null; }) }, t('rules.cancel'))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const edited = this.fromForm(new FormData(form));
      this.change(() => {
        this.rules[this.editing] = edited;
        this.editing = null;
      });
    });
    queueMicrotask(() => form.querySelector('[name=name]')?.focus());
    return form;
  }

  /** The rule as the API takes it: empty conditions and actions are left out (the API refuses empty lists). */
  fromForm(data) {
    const name = String(data.get('name')).trim();
    const when = {};
    const channels = data.getAll('channels').map(String);
    if (channels.length) when.channels = channels;
    for (const c of LIST_CONDITIONS) {
      const values = splitList(data.get(c));
      if (values.length) when[c] = values;
    }
    const then = {};
    for (const a of ['category', 'priority', 'tier', 'assigneeId']) {
      const value = String(data.get(a) ?? '').trim();
      if (value) then[a] = value;
    }
    const tags = splitList(data.get('tags'));
    if (tags.length) then.tags = tags;
    return { id: String(data.get('id')).trim() || slug(name), name, enabled: data.get('enabled') !== null, when, then };
  }

  async save() {
    try {
      const { rules } = await api('PUT', '/rules', { rules: this.rules });
      this.rules = copy(rules);
      this.stored = JSON.stringify(this.rules);
      this.notice = { text: t('rules.saved'), error: false };
    } catch (err) {
      this.notice = { text: t('rules.refused', { message: err.message }), error: true };
    }
    this.render();
  }
}
