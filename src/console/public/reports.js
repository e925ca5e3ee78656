// The reports page: a date range, a grouping (agent, tier, channel, category) and optional
// channel/category filters; the figures of GET /api/v1/reports as a table (the charts' text
// alternative) and as two Chart.js charts; a CSV download of the same report.
import { api, query } from './api.js';
import { clear, h, select } from './dom.js';
import { language, t } from './i18n.js';
import './reports.strings.js';

const DIMENSIONS = ['agent', 'tier', 'channel', 'category'];
const CHANNELS = ['email', 'chat', 'webform'];
const COLUMNS = ['ticketsHandled', 'firstResponseMedianMin', 'firstResponseP90Min', 'resolutionMedianMin', 'resolutionP90Min',
  'slaCompliance', 'escalations', 'reopenRate', 'articlesSuggested', 'articlesAccepted'];
const RATES = new Set(['slaCompliance', 'reopenRate']);
const DAY = 24 * 60 * 60 * 1000;
// Colours told apart by people with the common colour-vision deficiencies (Okabe-Ito), darker for the p90 bars.
const COLOURS = { tickets: '#0072b2', sla: '#d55e00', frMedian: '#56b4e9', frP90: '#0072b2', resMedian: '#e69f00', resP90: '#a06a00' };

/** UTC calendar dates, as the API takes them. */
const isoDate = (ms) => new Date(ms).toISOString().slice(0, 10);

let chartLibrary = null;
/** Chart.js is loaded the first time a report is shown: the queue never pays for it. */
async function loadChart() {
  // The UMD bundle sets globalThis.Chart when it runs as a module.
  chartLibrary ??= import('/console/vendor/chart.umd.min.js').then(() => globalThis.Chart);
  return chartLibrary;
}

export class ReportsView {
  constructor(root, { agents }) {
    this.root = root;
    this.root.setAttribute('aria-labelledby', 'reports-heading');
    this.agents = agents;
    const today = Date.now();
    // The form's "to" day is inclusive; the API's `to` is the day after.
    this.params = { from: isoDate(today - 29 * DAY), to: isoDate(today), dimension: 'agent', channel: '', category: '' };
    this.report = null;
    this.charts = [];
  }

  apiQuery() {
    const { from, to, channel, category } = this.params;
    return query({ from, to: isoDate(Date.parse(`${to}T00:00:00Z`) + DAY), channel, category });
  }

  async open() {
    this.render();
    await this.load();
  }

  async load() {
    const status = this.root.querySelector('.report-status');
    if (status) { status.className = 'report-status'; status.textContent = t('reports.loading'); }
    try {
      const [report, Chart] = await Promise.all([api('GET', `/reports${this.apiQuery()}`), loadChart()]);
      this.report = report;
      this.renderResult(Chart);
    } catch (err) {
      this.report = null;
      this.renderResult(null);
      if (status) { status.className = 'report-status error'; status.setAttribute('role', 'alert'); status.textContent = t('error', { message: err.message }); }
    }
  }

  /** A row's label as people read it: agent names, translated channels, "(no category)". */
  label(key) {
    const d = this.params.dimension;
    if (d === 'agent') return key === '(unassigned)' ? t('unassigned') : this.agents().find((a) => a.id === key)?.displayName ?? key;
    if (d === 'channel') return t(`channels.${key}`);
    if (d === 'category' && key === '(none)') return t('reports.noCategory');
    return key;
  }

  /** Rows by what they are called (agents by name), the ones without an agent or category last. */
  sorted(rows) {
    const last = (key) => (key === '(unassigned)' || key === '(none)' ? 1 : 0);
    return [...rows].sort((a, b) => last(a.key) - last(b.key) || this.label(a.key).localeCompare(this.label(b.key), language()));
  }

  format(column, value) {
    if (value === null || value === undefined) return '—';
    const locale = language() === 'id' ? 'id-ID' : 'en-GB';
    return RATES.has(column)
      ? new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(value)
      : new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
  }

  render() {
    const p = this.params;
    // A label apart from its control, so the control's name is the label alone (not the label and its value).
    const field = (name, label, input) => { input.id = `report-${name}`; return h('div', { className: 'field' }, h('label', { for: input.id }, label), input); };
    const form = h('form', { className: 'report-form', 'aria-label': t('reports.heading') },
      field('from', t('reports.from'), h('input', { type: 'date', name: 'from', value: p.from, required: true })),
      field('to', t('reports.to'), h('input', { type: 'date', name: 'to', value: p.to, required: true })),
      // Another grouping of the same report needs no new request.
      field('dimension', t('reports.groupBy'), select({ name: 'dimension', onchange: (e) => { this.params.dimension = e.target.value; this.renderResult(globalThis.Chart); } }, DIMENSIONS.map((d) => [d, t(`reports.dims.${d}`)]), p.dimension)),
      field('channel', t('channel'), select({ name: 'channel' }, [['', t('reports.anyChannel')], ...CHANNELS.map((c) => [c, t(`channels.${c}`)])], p.channel)),
      field('category', t('category'), h('input', { type: 'text', name: 'category', value: p.category, maxlength: 100 })),
      h('button', { type: 'submit' }, t('reports.show')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      for (const name of Object.keys(this.params)) this.params[name] = String(data.get(name) ?? '').trim();
      void this.load();
    });
    clear(this.root).append(
      h('h2', { id: 'reports-heading', tabindex: '-1' }, t('reports.heading')),
      form,
      h('p', { className: 'hint' }, t('reports.utc')),
      h('p', { className: 'report-status', 'aria-live': 'polite' }),
      h('div', { className: 'report-result' }));
  }

  renderResult(Chart) {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const result = clear(this.root.querySelector('.report-result'));
    const status = this.root.querySelector('.report-status');
    const r = this.report;
    if (!r) return;
    status.removeAttribute('role');
    const rows = this.sorted(r.by[this.params.dimension] ?? []);
    status.textContent = rows.length ? '' : t('reports.empty');
    const dimension = t(`reports.per.${this.params.dimension}`);
    const tableId = 'report-table';
    const volumeTitle = t('reports.chartVolume', { dimension });
    const timesTitle = t('reports.chartTimes', { dimension });
    const canvas = (name, title) => h('figure', { className: 'chart' },
      h('figcaption', {}, title),
      h('div', { className: 'chart-box' },
        h('canvas', { 'data-chart': name, role: 'img', 'aria-label': t('reports.chartAlt', { title }), 'aria-describedby': tableId })));
    const volume = canvas('volume', volumeTitle);
    const times = canvas('times', timesTitle);
    result.append(
      h('p', {}, h('a', { className: 'csv', href: `/api/v1/reports.csv${this.apiQuery()}`, download: '' }, t('reports.csv'))),
      ...(rows.length ? [h('div', { className: 'charts' }, volume, times)] : []),
      ...(r.slaAvailable ? [] : [h('p', { className: 'hint' }, t('reports.slaOff'))]),
      this.table(tableId, rows, r.total));
    if (rows.length && Chart) this.draw(Chart, rows, volume.querySelector('canvas'), times.querySelector('canvas'));
  }

  table(id, rows, total) {
    const p = this.params;
    const cells = (row) => COLUMNS.map((c) => h('td', { 'data-column': c }, this.format(c, row[c])));
    return h('table', { className: 'report', id },
      h('caption', {}, t('reports.caption', { from: p.from, to: p.to, dimension: t(`reports.per.${p.dimension}`) })),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t(`reports.dims.${p.dimension}`)),
        COLUMNS.map((c) => h('th', { scope: 'col' }, t(`reports.cols.${c}`))))),
      h('tbody', {}, rows.map((row) => h('tr', { 'data-key': row.key }, h('th', { scope: 'row' }, this.label(row.key)), cells(row)))),
      h('tfoot', {}, h('tr', { 'data-key': 'total' }, h('th', { scope: 'row' }, t('reports.total')), cells(total))));
  }

  draw(Chart, rows, volumeCanvas, timesCanvas) {
    const labels = rows.map((row) => this.label(row.key));
    const series = (key, column, extra = {}) => ({
      label: t(`reports.legend.${key}`), data: rows.map((row) => (row[column] === null ? null : RATES.has(column) ? row[column] * 100 : row[column])),
      backgroundColor: COLOURS[key], borderColor: COLOURS[key], ...extra,
    });
    // No animation: the chart is final when drawn (and the browser test reads its pixels).
    const common = { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } };
    const volume = [series('tickets', 'ticketsHandled', { yAxisID: 'count', order: 2 })];
    if (this.report.slaAvailable) volume.push(series('sla', 'slaCompliance', { type: 'line', yAxisID: 'share', order: 1, pointRadius: 4, borderWidth: 2 }));
    this.charts.push(new Chart(volumeCanvas, {
      type: 'bar', data: { labels, datasets: volume },
      options: {
        ...common,
        scales: {
          count: { type: 'linear', position: 'left', beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('reports.legend.tickets') } },
          ...(this.report.slaAvailable ? { share: { type: 'linear', position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: t('reports.legend.sla') } } } : {}),
        },
      },
    }));
    this.charts.push(new Chart(timesCanvas, {
      type: 'bar',
      data: { labels, datasets: [series('frMedian', 'firstResponseMedianMin'), series('frP90', 'firstResponseP90Min'), series('resMedian', 'resolutionMedianMin'), series('resP90', 'resolutionP90Min')] },
      options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: t('reports.minutes') } } } },
    }));
  }
}
