// The words of the reports page in English and Indonesian, merged into i18n.js's table.
import { addStrings } from './i18n.js';

addStrings({
  en: {
    reports: {
      nav: 'Reports', heading: 'Reports', from: 'From', to: 'To (inclusive)', groupBy: 'Group by', anyChannel: 'All channels', show: 'Show',
      csv: 'Download CSV', loading: 'Loading…', empty: 'No tickets were opened in this range.', utc: 'Days are UTC dates; a ticket counts in the day it was opened.',
      total: 'Total', noCategory: '(no category)', minutes: 'Minutes', slaOff: 'SLA is turned off: there is no compliance figure.',
      caption: 'Tickets opened from {from} to {to}, per {dimension}', chartVolume: 'Tickets handled and SLA compliance per {dimension}',
      chartTimes: 'First response and resolution times per {dimension} (minutes)', chartAlt: '{title}. The table below has the same figures.',
      dims: { agent: 'Agent', tier: 'Tier', channel: 'Channel', category: 'Category' }, per: { agent: 'agent', tier: 'tier', channel: 'channel', category: 'category' },
      cols: { ticketsHandled: 'Tickets handled', firstResponseMedianMin: 'First response, median (min)', firstResponseP90Min: 'First response, p90 (min)',
        resolutionMedianMin: 'Resolution, median (min)', resolutionP90Min: 'Resolution, p90 (min)', slaCompliance: 'SLA compliance', escalations: 'Escalations',
        reopenRate: 'Reopen rate', articlesSuggested: 'Articles suggested', articlesAccepted: 'Articles accepted' },
      legend: { tickets: 'Tickets handled', sla: 'SLA compliance (%)', frMedian: 'First response, median', frP90: 'First response, p90', resMedian: 'Resolution, median', resP90: 'Resolution, p90' },
    },
  },
  id: {
    reports: {
      nav: 'Laporan', heading: 'Laporan', from: 'Dari', to: 'Sampai (termasuk)', groupBy: 'Kelompokkan menurut', anyChannel: 'Semua saluran', show: 'Tampilkan',
      csv: 'Unduh CSV', loading: 'Memuat…', empty: 'Tidak ada tiket yang dibuka dalam rentang ini.', utc: 'Hari adalah tanggal UTC; tiket dihitung pada hari tiket dibuka.',
      total: 'Total', noCategory: '(tanpa kategori)', minutes: 'Menit', slaOff: 'SLA dinonaktifkan: tidak ada angka kepatuhan.',
      caption: 'Tiket yang dibuka dari {from} sampai {to}, per {dimension}', chartVolume: 'Tiket ditangani dan kepatuhan SLA per {dimension}',
      chartTimes: 'Waktu respons pertama dan penyelesaian per {dimension} (menit)', chartAlt: '{title}. Tabel di bawah memuat angka yang sama.',
      dims: { agent: 'Agen', tier: 'Tingkat', channel: 'Saluran', category: 'Kategori' }, per: { agent: 'agen', tier: 'tingkat', channel: 'saluran', category: 'kategori' },
      cols: { ticketsHandled: 'Tiket ditangani', firstResponseMedianMin: 'Respons pertama, median (menit)', firstResponseP90Min: 'Respons pertama, p90 (menit)',
        resolutionMedianMin: 'Penyelesaian, median (menit)', resolutionP90Min: 'Penyelesaian, p90 (menit)', slaCompliance: 'Kepatuhan SLA', escalations: 'Eskalasi',
        reopenRate: 'Tingkat dibuka ulang', articlesSuggested: 'Artikel disarankan', articlesAccepted: 'Artikel diterima' },
      legend: { tickets: 'Tiket ditangani', sla: 'Kepatuhan SLA (%)', frMedian: 'Respons pertama, median', frP90: 'Respons pertama, p90', resMedian: 'Penyelesaian, median', resP90: 'Penyelesaian, p90' },
    },
  },
});
