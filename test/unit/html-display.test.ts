/** displayHtml: quoted history removed, then nothing that runs, only what formats. */
import { describe, expect, it } from 'vitest';
import { displayHtml } from '../../channels/email/body/html-display.ts';
import type { AttachmentRef } from '../../src/core/index.ts';

const url = (blobId: string) => `https://helpdesk.test/api/v1/attachments/${blobId}`;
const show = (html: string, attachments: AttachmentRef[] = []) => displayHtml(html, attachments, url);
const image = (contentId: string, blobId: string): AttachmentRef => ({
  blobId, contentId, filename: `${blobId}.png`, contentType: 'image/png', size: 10, checksum: 'x', inline: true,
});

describe('nothing that runs survives', () => {
  it.each([
    ['a script element and its text', '<p>Hi</p><script>alert(1)</script>', '<p>Hi</p>'],
    ['a style element and its text', '<style>p{background:expression(alert(1))}</style><p>Hi</p>', '<p>Hi</p>'],
    ['event handlers', '<p onclick="alert(1)" onmouseover="alert(2)">Hi</p>', '<p>Hi</p>'],
    ['an iframe', '<p>Hi</p><iframe src="https://evil.example"></iframe>', '<p>Hi</p>'],
    ['a form and its controls', '<form action="https://evil.example"><input name="pw"><button>Go</button></form>', 'Go'],
    ['svg with onload', '<svg onload="alert(1)"><circle r="4"/></svg>ok', 'ok'],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">ok', 'ok'],
    ['meta refresh and base', '<meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/">ok', 'ok'],
  ])('%s', (_what, html, expected) => {
    expect(show(html)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', '&#106;avascript:alert(1)', 'java&#x09;script:alert(1)', ' javascript:alert(1)',
    'vbscript:msgbox(1)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', '/api/v1/tickets/1/close', '//evil.example/x',
  ])('a link to %s loses its href', (href) => {
    expect(show(`<a href="${href}">click</a>`)).toBe('<a rel="noopener noreferrer nofollow" target="_blank">click</a>');
  });

  it.each(['data:image/png;base64,iVBORw0KGgo=', 'javascript:alert(1)', 'x', '/api/v1/tickets/1', '//evil.example/pixel.gif'])('an image from %s is dropped', (src) => {
    expect(show(`<p>a<img src="${src}" alt="i">b</p>`)).toBe('<p>ab</p>');
  });

  it('inline CSS keeps what formats and loses what could run or overlay', () => {
    const html = '<p style="color: red; font-weight: bold; width: expression(alert(1)); background-image: url(javascript:alert(1)); position: fixed">x</p>';
    expect(show(html)).toBe('<p style="color:red;font-weight:bold">x</p>');
  });
});

describe('what formats stays', () => {
  it('links open in a new tab without access to the console', () => {
    expect(show('<a href="https://shop.example/o?id=1&amp;x=2" target="_self" rel="opener">order</a>'))
      .toBe('<a href="https://shop.example/o?id=1&amp;x=2" target="_blank" rel="noopener noreferrer nofollow">order</a>');
  });

  it('keeps mailto: links, tables, lists and emphasis', () => {
    const html = '<table border="1"><tr><th>Order</th></tr><tr><td colspan="2">5521</td></tr></table><ul><li><b>bold</b> <i>it</i></li></ul><a href="mailto:a@example.org">mail</a>';
    expect(show(html)).toBe('<table border="1"><tr><th>Order</th></tr><tr><td colspan="2">5521</td></tr></table><ul><li><b>bold</b> <i>it</i></li></ul><a href="mailto:a@example.org" rel="noopener noreferrer nofollow" target="_blank">mail</a>');
  });

  it('shows images from http(s) only when the agent asks for them', () => {
    const html = '<img src="https://cdn.example/logo.png" alt="logo" width="20">';
    expect(displayHtml(html, [], url, { remoteImages: true })).toBe('<img src="https://cdn.example/logo.png" alt="logo" width="20" />');
  });

  it('drops the text of <title> and of Outlook\'s <xml> settings', () => {
    expect(show('<html><head><title>Re: x</title><xml><o:PixelsPerInch>96</o:PixelsPerInch></xml></head><body><p>Hi</p></body></html>')).toBe('<p>Hi</p>');
  });
});

describe('very large HTML', () => {
  it('shows the first 512 KiB and says it was shortened', () => {
    const html = `<p>First paragraph</p>${'<p>filler text</p>'.repeat(40_000)}<p>Last paragraph</p>`;
    const shown = show(html);
    expect(shown.startsWith('<p>First paragraph</p>')).toBe(true);
    expect(shown).not.toContain('Last paragraph');
    expect(shown.endsWith('<p title="Shortened for display">[…]</p>')).toBe(true);
  });
});

describe('remote images are blocked by default', () => {
  it.each([
    ['a tracking pixel without alt text', '<p>Hi<img src="https://t.example/open.gif?u=42" width="1" height="1"></p>', '<p>Hi<span title="Remote image blocked">[image]</span></p>'],
    ['a logo with alt text', '<p><img src="http://cdn.example/logo.png" alt="ACME logo"></p>', '<p><span title="Remote image blocked">[image: ACME logo]</span></p>'],
    ['alt text with markup', '<img src="https://x.example/a.png" alt="<b>x</b>">', '<span title="Remote image blocked">[image: &lt;b&gt;x&lt;/b&gt;]</span>'],
  ])('%s becomes a placeholder', (_what, html, expected) => {
    expect(show(html)).toBe(expected);
  });

  it('still shows embedded (cid:) images next to a blocked one', () => {
    expect(show('<img src="cid:logo@mail.example"><img src="https://t.example/p.gif">', [image('logo@mail.example', 'blob1')]))
      .toBe(`<img src="${url('blob1')}" /><span title="Remote image blocked">[image]</span>`);
  });
});

describe('embedded images (cid:)', () => {
  it('points an image at the attachment that carries its Content-ID', () => {
    expect(show('<img src="cid:logo@mail.example" alt="l">', [image('logo@mail.example', 'blob1')]))
      .toBe(`<img src="${url('blob1')}" alt="l" />`);
  });

  it('matches a %-encoded cid (RFC 2392) and ignores case', () => {
    expect(show('<img src="CID:Part1%40Mail.Example">', [image('part1@mail.example', 'blob2')])).toBe(`<img src="${url('blob2')}" />`);
  });

  it('drops an image whose Content-ID no attachment has', () => {
    expect(show('<p>x<img src="cid:missing@mail.example">y</p>', [image('logo@mail.example', 'blob1')])).toBe('<p>xy</p>');
  });
});

describe('quoted history', () => {
  it('Gmail: div.gmail_quote', () => {
    expect(show('<div dir="ltr">Works!</div><br><div class="gmail_quote"><div class="gmail_attr">On Tue, Help Desk wrote:<br></div><blockquote class="gmail_quote">old</blockquote></div>'))
      .toBe('<div dir="ltr">Works!</div><br />');
  });

  it('Apple Mail: blockquote type=cite with the attribution inside', () => {
    expect(show('Works!<div><br><blockquote type="cite"><div>On 5 Mar 2024, at 10:12, Help Desk wrote:</div><div>old</div></blockquote></div>'))
      .toBe('Works!<div><br /></div>');
  });

  it('Thunderbird: div.moz-cite-prefix and the blockquote after it', () => {
    expect(show('<p>Works!</p><div class="moz-cite-prefix">On 05/03/2024, Help Desk wrote:<br></div><blockquote>old</blockquote><pre class="moz-signature">-- \nErik</pre>'))
      .toBe('<p>Works!</p><pre>-- \nErik</pre>');
  });

  it('Outlook on the web: div#divRplyFwdMsg, the rule before it and everything after it, at every level', () => {
    const html = '<div><div>Works!</div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg"><b>From:</b> Help Desk</div><div>old 1</div></div><div>old 2</div>';
    expect(show(html)).toBe('<div><div>Works!</div></div>');
  });

  it('Outlook desktop: the top-bordered header block and everything after it', () => {
    const html = '<div class="WordSection1"><p class="MsoNormal">Works!</p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p><b>From:</b> Help Desk</p></div></div><p class="MsoNormal">old</p></div>';
    expect(show(html)).toBe('<div><p>Works!</p><div></div></div>');
  });

  it('keeps a forwarded message (Gmail and Apple Mail), which is content', () => {
    const gmail = '<div>FYI</div><div class="gmail_quote"><div class="gmail_attr">---------- Forwarded message ---------<br>From: Frank</div><div>Damaged box</div></div>';
    expect(show(gmail)).toContain('Damaged box');
    const apple = '<div>FYI</div><blockquote type="cite"><div>Begin forwarded message:</div><div>Damaged box</div></blockquote>';
    expect(show(apple)).toContain('Damaged box');
  });

  it('shows the whole mail when the quote is all there is', () => {
    expect(show('<div id="divRplyFwdMsg"><b>From:</b> Frank</div><div>Damaged box</div>')).toContain('Damaged box');
  });
});

describe('input it will not render', () => {
  it('is empty for empty HTML', () => {
    expect(show('')).toBe('');
    expect(show('  \n')).toBe('');
  });

  it('is empty, and fast, for markup nested too deep to parse safely', () => {
    const started = performance.now();
    expect(show(`${'<b>'.repeat(100_000)}x`)).toBe('');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
