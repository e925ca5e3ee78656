// What the help desk's workflow adds to a ticket: its SLA due times (in the calendar's time zone),
// the intake rule that routed it, the knowledge base articles that match it and, once it is
// resolved, "Save as solution" (a draft article to edit and publish in the knowledge base view).
import { api } from './api.js';
import { h } from './dom.js';
import { language, t } from './i18n.js';
import './workflow.strings.js';

/** Suggestions last loaded per ticket number: a re-render (live events re-render often) shows them at once. */
const suggestionCache = new Map();

/** A time in the SLA calendar's zone (the zone the due times are counted in), in the agent's language. */
function inZone(iso, timeZone) {
  const options = { dateStyle: 'medium', timeStyle: 'short', timeZone };
  try {
    return new Intl.DateTimeFormat(language() === 'id' ? 'id-ID' : 'en-GB', options).format(new Date(iso));
  } catch {
    return new Date(iso).toISOString();
  }
}

function duration(ms) {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60_000));
  const hours = Math.floor(minutes / 60);
  return hours ? t('sla.hours', { h: hours, m: minutes % 60 }) : t('sla.minutes', { m: minutes });
}

/** One target's line and the state it is in: met, breached, warning, paused or running. */
function targetState(target, sla, status) {
  const at = (iso) => inZone(iso, sla.timeZone);
  if (target.metAt) return target.breachedAt ? ['breached', t('sla.metLate', { time: at(target.metAt) })] : ['met', t('sla.met', { time: at(target.metAt) })];
  if (sla.paused) {
    const left = target.remainingMs >= 0 ? t('sla.left', { time: duration(target.remainingMs) }) : t('sla.overdueBy', { time: duration(target.remainingMs) });
    return [target.breachedAt || target.remainingMs < 0 ? 'breached paused' : 'paused', `${status === 'pending' ? '⏸ ' : ''}${left}`];
  }
  if (target.breachedAt || target.remainingMs < 0) return ['breached', t('sla.breached', { time: at(target.dueAt ?? target.breachedAt) })];
  if (target.warnedAt) return ['warning', `${t('sla.due', { time: at(target.dueAt) })} — ${t('sla.warning')}`];
  return ['running', t('sla.due', { time: at(target.dueAt) })];
}

function slaPanel(tk) {
  const sla = tk.sla;
  const section = h('section', { className: 'sla', 'aria-labelledby': 'sla-heading' }, h('h3', { id: 'sla-heading' }, t('sla.title')));
  if (!sla) {
    section.append(h('p', { className: 'hint' }, t('sla.none')));
    return section;
  }
  const rows = ['firstResponse', 'resolution'].map((name) => {
    const [state, text] = targetState(sla[name], sla, tk.status);
    return [h('dt', {}, t(`sla.${name}`)), h('dd', { className: `sla-target sla-${state.replace(' ', ' sla-')}`, 'data-target': name, 'data-state': state }, text)];
  });
  section.append(
    h('p', { className: 'hint' }, t('sla.policy', { policy: sla.policy }), ' · ', t('sla.zone', { zone: sla.timeZone })),
    sla.paused ? h('p', { className: 'sla-paused' }, tk.status === 'pending' ? t('sla.pausedPending') : t('sla.stopped', { status: t(`statuses.${tk.status}`) })) : null,
    h('dl', { className: 'sla-times' }, rows.flat()));
  return section;
}

/** The decision log entry of the intake rule that fired (on the message that opened the ticket). */
function ruleDecision(tk) {
  const decision = tk.messages.flatMap((m) => m.decisions ?? []).find((d) => d?.step === 'rule');
  return h('p', { className: 'rule-decision' }, h('strong', {}, `${t('decision.title')}: `),
    decision ? t('decision.rule', { detail: decision.detail ?? decision.rule }) : t('decision.noRule'));
}

function articleLink(a) {
  return h('span', {}, h('a', { href: `#/kb/${a.id ?? a.articleId}` }, a.problem ?? a.articleId),
    a.publicUrl ? [' · ', h('a', { href: a.publicUrl, target: '_blank', rel: 'noopener' }, t('kb.publicPage'))] : null);
}

function fillSuggestions(box, data) {
  const offered = data.offered.length ? [h('h4', {}, t('kb.offered')), h('ol', {}, data.offered.map((s) => h('li', {}, articleLink(s),
    s.answer ? ` — ${t('kb.answered', { answer: t(`kb.answer.${s.answer}`) })}` : '')))] : [];
  const matches = data.matches.length
    ? [h('h4', {}, t('kb.matches')), h('ol', { className: 'kb-matches' }, data.matches.map((a) => h('li', {}, articleLink(a), ' ',
      h('span', { className: `badge kb-${a.status}` }, t(`kb.states.${a.status}`)))))]
    : [h('p', { className: 'hint' }, t('kb.noMatches'))];
  box.replaceChildren(...offered, ...matches);
}

function suggestionsPanel(tk) {
  const box = h('div', { className: 'kb-suggestions-list', 'aria-live': 'polite' });
  const cached = suggestionCache.get(tk.number);
  if (cached) fillSuggestions(box, cached);
  api('GET', `/tickets/${tk.number}/suggestions`).then((data) => {
    suggestionCache.set(tk.number, data);
    fillSuggestions(box, data);
  }).catch((err) => { box.replaceChildren(h('p', { className: 'error' }, t('error', { message: err.message }))); });
  return h('section', { className: 'kb-suggestions', 'aria-labelledby': 'kb-suggestions-heading' },
    h('h3', { id: 'kb-suggestions-heading' }, t('kb.suggestions')), box);
}

function saveAsSolution(tk, view) {
  if (tk.status !== 'resolved' && tk.status !== 'closed') return null;
  const button = h('button', { type: 'button', 'aria-describedby': 'save-solution-hint' }, t('kb.saveAsSolution'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const article = await api('POST', `/tickets/${tk.number}/save-as-solution`, {});
      suggestionCache.delete(tk.number);
      location.hash = `#/kb/${article.id}`;
    } catch (err) {
      button.disabled = false;
      view.status(t('error', { message: err.message }), true);
    }
  });
  return h('p', { className: 'save-solution' }, button, ' ', h('span', { id: 'save-solution-hint', className: 'hint' }, t('kb.saveHint')));
}

/** Everything above for the ticket `view` shows, as one block of the ticket view. */
export function ticketWorkflow(view) {
  const tk = view.ticket;
  return h('div', { className: 'workflow' }, slaPanel(tk), ruleDecision(tk), suggestionsPanel(tk), saveAsSolution(tk, view));
}
