// The words of the console's live chat panel in English and Indonesian.
import { addStrings } from './i18n.js';

addStrings({
  en: {
    chat: {
      title: 'Live chat', join: 'Join chat', leave: 'Leave chat', joining: 'Joining the conversation…',
      intro: 'Join to see the conversation as it happens, answer the visitor live and let them see you typing.',
      joined: 'You are in the conversation.', left: 'You left the conversation.', reconnecting: 'Connection lost; reconnecting…',
      visitorTyping: 'The visitor is typing…', message: 'Message to the visitor', send: 'Send to chat',
      lines: 'Conversation lines', visitor: 'Visitor', agent: 'Agent', system: 'System',
      failed: 'The chat refused this: {code}',
    },
  },
  id: {
    chat: {
      title: 'Obrolan langsung', join: 'Gabung ke obrolan', leave: 'Tinggalkan obrolan', joining: 'Bergabung ke percakapan…',
      intro: 'Bergabunglah untuk melihat percakapan secara langsung, menjawab pengunjung dan menampilkan bahwa Anda sedang mengetik.',
      joined: 'Anda berada dalam percakapan.', left: 'Anda meninggalkan percakapan.', reconnecting: 'Koneksi terputus; menyambung ulang…',
      visitorTyping: 'Pengunjung sedang mengetik…', message: 'Pesan untuk pengunjung', send: 'Kirim ke obrolan',
      lines: 'Baris percakapan', visitor: 'Pengunjung', agent: 'Agen', system: 'Sistem',
      failed: 'Obrolan menolak ini: {code}',
    },
  },
});
