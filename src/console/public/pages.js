// Whole-page views besides the queue and the open ticket, each at its own hash (#/<name>, with
// anything after a further slash handed to its `open`): the knowledge base, the intake rules, the
// reports and the agent's own notification settings.
import './workflow.strings.js';
import { KbView } from './kb-view.js';
import { NotificationsView } from './notifications-view.js';
import { ReportsView } from './reports.js';
import { RulesView } from './rules-view.js';

export const PAGES = [
  { name: 'kb', label: 'kb.nav', View: KbView },
  { name: 'rules', label: 'rules.nav', View: RulesView },
  { name: 'reports', label: 'reports.nav', View: ReportsView },
  { name: 'notifications', label: 'notify.nav', View: NotificationsView },
];

/** `#/kb/kb_0123…` -> { name: 'kb', rest: 'kb_0123…' }; null for the queue and ticket routes. */
export function pageOf(hash) {
  const match = /^#\/([a-z]+)(?:\/([\w-]{1,64}))?$/.exec(hash);
  return match && PAGES.some((p) => p.name === match[1]) ? { name: match[1], rest: match[2] ?? '' } : null;
}
