/** The `/chat/demo` page: a plain host page with the one-line embed, in English or Indonesian. */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const COPY = {
  en: {
    title: 'Live chat demo',
    intro: 'This page embeds the chat widget exactly as a customer\'s website would, with one script tag:',
    try: 'Open the chat bubble at the bottom right, write a message, and answer it as an agent.',
    other: 'Bahasa Indonesia',
  },
  id: {
    title: 'Demo obrolan langsung',
    intro: 'Halaman ini memasang widget obrolan persis seperti situs pelanggan, dengan satu tag script:',
    try: 'Buka gelembung obrolan di kanan bawah, tulis pesan, lalu jawab sebagai agen.',
    other: 'English',
  },
} as const;

export function demoPage(siteKey: string, lang: 'en' | 'id'): string {
  const t = COPY[lang];
  const embed = `<script src="/widget.js" data-site-key="${escape(siteKey)}" data-locale="${lang}"></script>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}code{background:#f2f4f8;padding:.2rem .4rem;border-radius:4px;word-break:break-all}</style>
</head>
<body>
<main>
<h1>${t.title}</h1>
<p>${t.intro}</p>
<p><code>${escape(embed)}</code></p>
<p>${t.try}</p>
<p><a href="/chat/demo?lang=${lang === 'en' ? 'id' : 'en'}" lang="${lang === 'en' ? 'id' : 'en'}">${t.other}</a></p>
</main>
${embed}
</body>
</html>
`;
}
