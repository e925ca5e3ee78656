// Every word of the console in English and Indonesian. `t(key, vars)` fills {name} placeholders.
const STRINGS = {
  en: {
    appTitle: 'Help desk console', language: 'Language', signIn: 'Sign in', signOut: 'Sign out', email: 'Email address',
    password: 'Password', signInFailed: 'Wrong address or password.', tooManyAttempts: 'Too many failed sign-ins. Try again later.',
    signedInAs: 'Signed in as {name} ({tier})', queue: 'Queue', filters: 'Filters', status: 'Status', channel: 'Channel',
    tier: 'Tier', assignee: 'Assignee', priority: 'Priority', category: 'Category', all: 'All', me: 'Me', unassigned: 'Unassigned',
    subject: 'Subject', requester: 'Requester', lastActivity: 'Last activity', number: 'Number', noTickets: 'No tickets match.',
    loadMore: 'Load more', total: 'Total', live: 'Live', offline: 'Reconnecting…', newTicket: 'New ticket #{number}',
    ticketChanged: 'Ticket #{number} changed', newMessage: 'New message on ticket #{number}', selectTicket: 'Select a ticket from the queue.',
    thread: 'Conversation', customer: 'Customer', agent: 'Agent', system: 'System', internalNote: 'Internal note',
    attachments: 'Attachments', fullBody: 'Full message', delivery: 'Delivery: {state}', deliveryError: 'Last error: {error}',
    reply: 'Reply', note: 'Note', publicReply: 'Public reply', addNote: 'Internal note (never sent to the customer)',
    send: 'Send', saveNote: 'Add note', replyVia: { email: 'This reply goes by email to {to}.', chat: 'This reply goes to the live chat; if the visitor is not connected, by email to {to}.', webform: 'This reply goes by email to {to} and shows on the form\'s status page.', chatOnly: 'This reply goes to the live chat; the visitor sees it when they are connected (there is no address to mail).' },
    resend: 'Resend', resent: 'Queued to be sent again.',
    noteHint: 'Only agents see notes.', sent: 'Sent.', noteAdded: 'Note added.', saved: 'Saved.',
    ticketFields: 'Ticket', save: 'Save changes', escalate: 'Escalate', escalateTo: 'Escalate to tier', reason: 'Reason',
    escalated: 'Escalated to {tier}.', none: 'None', viewing: '{names} also viewing this ticket.', typing: '{names} typing a reply.',
    viewingOne: '{names} is also viewing this ticket.', typingOne: '{names} is typing a reply.', error: 'Something went wrong: {message}',
    back: 'Back to the queue', created: 'Created', from: 'From', to: 'To', flagged: 'Flagged for review',
    statuses: { new: 'New', open: 'Open', pending: 'Pending', resolved: 'Resolved', closed: 'Closed' },
    priorities: { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' },
    channels: { email: 'Email', chat: 'Chat', webform: 'Web form' },
    deliveryStates: { pending: 'queued', sending: 'sending', sent: 'sent', failed: 'failed', undelivered: 'undelivered' },
    notify: {
      nav: 'Notifications', title: 'Notification mails', legend: 'Mail me about',
      intro: 'Which mails the help desk sends you at {address}.',
      switches: { newTickets: 'New tickets in my tier ({tier}), and tickets escalated to it', assignments: 'Tickets assigned to me', customerReplies: 'Customer replies on tickets assigned to me' },
      save: 'Save', saved: 'Notification settings saved.', noAccount: 'The admin token has no account and gets no mail.',
      replyHint: 'Reply to a notification mail to answer the customer on the ticket\'s channel; start the reply with a line "#note" to add an internal note instead.',
    },
  },
  id: {
    appTitle: 'Konsol layanan bantuan', language: 'Bahasa', signIn: 'Masuk', signOut: 'Keluar', email: 'Alamat email',
    password: 'Kata sandi', signInFailed: 'Alamat atau kata sandi salah.', tooManyAttempts: 'Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti.',
    signedInAs: 'Masuk sebagai {name} ({tier})', queue: 'Antrean', filters: 'Penyaring', status: 'Status', channel: 'Saluran',
    tier: 'Tingkat', assignee: 'Penanggung jawab', priority: 'Prioritas', category: 'Kategori', all: 'Semua', me: 'Saya', unassigned: 'Belum ditugaskan',
    subject: 'Subjek', requester: 'Pemohon', lastActivity: 'Aktivitas terakhir', number: 'Nomor', noTickets: 'Tidak ada tiket yang cocok.',
    loadMore: 'Muat lagi', total: 'Total', live: 'Langsung', offline: 'Menyambung ulang…', newTicket: 'Tiket baru #{number}',
    ticketChanged: 'Tiket #{number} berubah', newMessage: 'Pesan baru pada tiket #{number}', selectTicket: 'Pilih tiket dari antrean.',
    thread: 'Percakapan', customer: 'Pelanggan', agent: 'Agen', system: 'Sistem', internalNote: 'Catatan internal',
    attachments: 'Lampiran', fullBody: 'Pesan lengkap', delivery: 'Pengiriman: {state}', deliveryError: 'Galat terakhir: {error}',
    reply: 'Balas', note: 'Catatan', publicReply: 'Balasan publik', addNote: 'Catatan internal (tidak pernah dikirim ke pelanggan)',
    send: 'Kirim', saveNote: 'Tambah catatan', replyVia: { email: 'Balasan ini dikirim lewat email ke {to}.', chat: 'Balasan ini dikirim ke obrolan langsung; jika pengunjung tidak tersambung, lewat email ke {to}.', webform: 'Balasan ini dikirim lewat email ke {to} dan tampil di halaman status formulir.', chatOnly: 'Balasan ini dikirim ke obrolan langsung; pengunjung melihatnya saat tersambung (tidak ada alamat email).' },
    resend: 'Kirim ulang', resent: 'Dijadwalkan untuk dikirim ulang.',
    noteHint: 'Hanya agen yang melihat catatan.', sent: 'Terkirim.', noteAdded: 'Catatan ditambahkan.', saved: 'Tersimpan.',
    ticketFields: 'Tiket', save: 'Simpan perubahan', escalate: 'Eskalasi', escalateTo: 'Eskalasi ke tingkat', reason: 'Alasan',
    escalated: 'Dieskalasi ke {tier}.', none: 'Tidak ada', viewing: '{names} juga sedang melihat tiket ini.', typing: '{names} sedang mengetik balasan.',
    viewingOne: '{names} juga sedang melihat tiket ini.', typingOne: '{names} sedang mengetik balasan.', error: 'Terjadi kesalahan: {message}',
    back: 'Kembali ke antrean', created: 'Dibuat', from: 'Dari', to: 'Kepada', flagged: 'Ditandai untuk ditinjau',
    statuses: { new: 'Baru', open: 'Terbuka', pending: 'Menunggu', resolved: 'Selesai', closed: 'Ditutup' },
    priorities: { low: 'Rendah', normal: 'Normal', high: 'Tinggi', urgent: 'Mendesak' },
    channels: { email: 'Email', chat: 'Obrolan', webform: 'Formulir web' },
    deliveryStates: { pending: 'dalam antrean', sending: 'sedang dikirim', sent: 'terkirim', failed: 'gagal', undelivered: 'tidak terkirim' },
    notify: {
      nav: 'Notifikasi', title: 'Email notifikasi', legend: 'Kirimi saya email tentang',
      intro: 'Email yang dikirim layanan bantuan kepada Anda di {address}.',
      switches: { newTickets: 'Tiket baru di tingkat saya ({tier}), dan tiket yang dieskalasi ke sana', assignments: 'Tiket yang ditugaskan kepada saya', customerReplies: 'Balasan pelanggan pada tiket yang ditugaskan kepada saya' },
      save: 'Simpan', saved: 'Pengaturan notifikasi tersimpan.', noAccount: 'Token admin tidak memiliki akun dan tidak menerima email.',
      replyHint: 'Balas email notifikasi untuk menjawab pelanggan melalui kanal tiket; awali balasan dengan baris "#note" untuk menambahkan catatan internal.',
    },
  },
};

export const LANGUAGES = [{ code: 'en', name: 'English' }, { code: 'id', name: 'Bahasa Indonesia' }];
let current = 'en';

export function setLanguage(code) {
  current = STRINGS[code] ? code : 'en';
  document.documentElement.lang = current;
  localStorage.setItem('helpdesk.language', current);
}

export const language = () => current;

/** The language before anyone signs in: the last one used here, else the browser's. */
export function initialLanguage() {
  const saved = localStorage.getItem('helpdesk.language');
  if (saved && STRINGS[saved]) return saved;
  return (navigator.language || '').toLowerCase().startsWith('id') ? 'id' : 'en';
}

/** `t('statuses.open')`, `t('newTicket', { number: 4 })`. */
export function t(key, vars = {}) {
  const value = key.split('.').reduce((node, part) => (node == null ? node : node[part]), STRINGS[current]);
  const text = typeof value === 'string' ? value : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Dates in the agent's language. */
export function formatDate(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A view in its own file brings its own words (both languages), merged into the tables above. */
export function addStrings(table) {
  for (const [code, words] of Object.entries(table)) Object.assign(STRINGS[code], words);
}
