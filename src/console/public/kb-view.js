// The knowledge base view (#/kb, #/kb/new, #/kb/<id>): the articles by language and state, search
// by words (the API's ranking, drafts included), and an editor to write, save, publish and
// unpublish an article, including the drafts "Save as solution" makes from a resolved ticket.
import { api, query } from './api.js';
import { clear, h, select } from './dom.js';
import { formatDate, t } from './i18n.js';
import './workflow.strings.js';

const LOCALES = ['en', 'id'];
const STATES = ['draft', 'published'];

const splitList = (text) => String(text).split(',').map((s) => s.trim()).filter(Boolean);

export class KbView {
  constructor(root) {
    this.root = root;
    this.filters = { q: '', language: '', status: '' };
    this.notice = { text: '', error: false };
  }

  /** `rest` is what follows #/kb/: nothing (the list), `new`, or an article id. */
  async open(rest) {
    if (!rest) return this.showList();
    if (rest === 'new') return this.showEditor(null);
    return this.showEditor(await api('GET', `/kb/articles/${encodeURIComponent(rest)}`));
  }

  async load() {
    const { q, language, status } = this.filters;
    const languages = language ? [language] : LOCALES;
    if (!q.trim()) {
      const { articles } = await api('GET', `/kb/articles${query({ language, status, limit: 200 })}`);
      return articles;
    }
    // Search ranks within one language; with both, the two rankings are merged by score.
    const results = (await Promise.all(languages.map((l) => api('GET', `/kb/search${query({ q: q.slice(0, 2000), language: l, drafts: '1', limit: 50 })}`))))
      .flatMap((r) => r.results).sort((a, b) => b.score - a.score);
    return status ? results.filter((a) => a.status === status) : results;
  }

  async showList() {
    const articles = await this.load();
    const form = h('form', { className: 'filters kb-filters', role: 'search', 'aria-label': t('kb.search') },
      h('label', {}, t('kb.searchWords'), ' ', h('input', { type: 'search', name: 'q', value: this.filters.q, maxlength: '2000' })),
      h('label', {}, t('kb.language'), ' ', select({ name: 'language' }, [['', t('kb.allLanguages')], ...LOCALES.map((l) => [l, t(`kb.languages.${l}`)])], this.filters.language)),
      h('label', {}, t('kb.state'), ' ', select({ name: 'status' }, [['', t('kb.allStates')], ...STATES.map((s) => [s, t(`kb.states.${s}`)])], this.filters.status)),
      h('button', { type: 'submit' }, t('kb.search')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      this.filters = { q: String(data.get('q')), language: String(data.get('language')), status: String(data.get('status')) };
      this.showList().catch((err) => this.fail(err));
    });
    const table = articles.length
      ? h('table', { className: 'tickets kb-articles' },
        h('thead', {}, h('tr', {}, [t('kb.problem'), t('kb.language'), t('kb.state'), t('kb.updated')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, articles.map((a) => h('tr', { 'data-article': a.id },
          h('td', {}, h('a', { href: `#/kb/${a.id}` }, a.problem)),
          h('td', {}, t(`kb.languages.${a.language}`)),
          h('td', {}, h('span', { className: `badge kb-${a.status}` }, t(`kb.states.${a.status}`))),
          h('td', {}, formatDate(a.updatedAt))))))
      : h('p', { className: 'empty' }, t('kb.noArticles'));
    clear(this.root).append(
      h('h2', { id: 'kb-heading', tabindex: '-1' }, t('kb.title')),
      h('p', {}, h('a', { href: '#/kb/new' }, t('kb.newArticle'))),
      form, table);
    if (this.filters.q) form.querySelector('[name=q]').focus();
  }

  showEditor(article) {
    const a = article ?? { problem: '', solution: '', tags: [], language: 'en', status: 'draft' };
    const notice = h('p', { className: `action-status${this.notice.error ? ' error' : ''}`, role: this.notice.error ? 'alert' : 'status' }, this.notice.text);
    this.notice = { text: '', error: false };
    const solution = h('textarea', { name: 'solution', rows: '8', required: true, maxlength: '20000' });
    solution.value = a.solution;
    const form = h('form', { className: 'kb-editor', 'aria-labelledby': 'kb-heading' },
      h('label', {}, t('kb.problem'), h('input', { name: 'problem', value: a.problem, required: true, maxlength: '300' })),
      h('label', {}, t('kb.solution'), solution),
      h('label', {}, t('kb.tags'), h('input', { name: 'tags', value: a.tags.join(', ') })),
      h('label', {}, t('kb.language'), select({ name: 'language' }, LOCALES.map((l) => [l, t(`kb.languages.${l}`)]), a.language)),
      h('p', {}, `${t('kb.state')}: `, h('span', { className: `badge kb-${a.status}`, 'data-state': a.status }, t(`kb.states.${a.status}`))),
      h('div', { className: 'buttons' },
        h('button', { type: 'submit', name: 'save' }, t('kb.save')),
        h('button', { type: 'button', name: 'toggle' }, a.status === 'published' ? t('kb.unpublish') : t('kb.publish'))),
      notice);
    const body = (status) => {
      const data = new FormData(form);
      return { problem: String(data.get('problem')), solution: String(data.get('solution')), tags: splitList(data.get('tags')), language: String(data.get('language')), status };
    };
    const submit = async (status, done) => {
      try {
        const saved = article ? await api('PATCH', `/kb/articles/${article.id}`, body(status)) : await api('POST', '/kb/articles', body(status));
        this.notice = { text: done, error: false };
        if (!article) location.hash = `#/kb/${saved.id}`;
        else this.showEditor(saved);
      } catch (err) {
        notice.textContent = t('error', { message: err.message });
        notice.className = 'action-status error';
        notice.setAttribute('role', 'alert');
      }
    };
    form.addEventListener('submit', (e) => { e.preventDefault(); void submit(a.status, t('kb.saved')); });
    form.querySelector('[name=toggle]').addEventListener('click', () => {
      if (!form.reportValidity()) return;
      const next = a.status === 'published' ? 'draft' : 'published';
      void submit(next, next === 'published' ? t('kb.published') : t('kb.unpublished'));
    });
    clear(this.root).append(
      h('p', {}, h('a', { href: '#/kb' }, t('kb.backToList'))),
      h('h2', { id: 'kb-heading', tabindex: '-1' }, article ? t('kb.editArticle') : t('kb.creating')),
      a.sourceTicketNumber ? h('p', {}, h('a', { href: `#/tickets/${a.sourceTicketNumber}` }, t('kb.fromTicket', { number: a.sourceTicketNumber }))) : null,
      a.publicUrl ? h('p', {}, h('a', { href: a.publicUrl, target: '_blank', rel: 'noopener', className: 'public-url' }, t('kb.publicPage'))) : null,
      form);
  }

  fail(err) {
    this.root.append(h('p', { className: 'error', role: 'alert' }, t('error', { message: err.message })));
  }
}
