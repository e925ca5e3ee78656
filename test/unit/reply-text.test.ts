/** The visible reply: what the customer just wrote, in each client's quoting style. */
import { describe, expect, it } from 'vitest';
import { visibleReplyText } from '../../channels/email/body/reply-text.ts';

const QUOTED = '> Hello Ann,\n>\n> please restart the printer.\n';

describe('quote headers of the common clients', () => {
  it.each([
    ['Gmail', 'On Tue, Mar 5, 2024 at 10:12 AM Help Desk <support@helpdesk.test> wrote:'],
    ['Gmail, wrapped, with U+202F before AM', 'On Tue, Mar 5, 2024 at 10:12\u202fAM Help Desk <support@helpdesk.test>\nwrote:'],
    ['Apple Mail', 'On 5 Mar 2024, at 10:12, Help Desk <support@helpdesk.test> wrote:'],
    ['Thunderbird', 'On 05/03/2024 10:12, Help Desk wrote:'],
    ['Thunderbird, German', 'Am 05.03.24 um 10:12 schrieb Help Desk:'],
    ['Gmail, French', 'Le mar. 5 mars 2024 à 10:12, Help Desk <support@helpdesk.test> a écrit :'],
    ['Gmail, Spanish', 'El mar, 5 mar 2024 a las 10:12, Help Desk (<support@helpdesk.test>) escribió:'],
    ['Gmail, Indonesian', 'Pada Sel, 5 Mar 2024 pukul 10.12 Help Desk <support@helpdesk.test> menulis:'],
    ['Gmail, Indonesian, wrapped', 'Pada Sel, 5 Mar 2024 pukul 10.12 Help Desk <support@helpdesk.test>\nmenulis:'],
    ['Gmail, German, wrapped inside the address', 'Am Di., 5. März 2024 um 10:12 Uhr schrieb Help Desk <\nsupport@helpdesk.test>:'],
    ['Gmail, Portuguese, wrapped', 'Em ter., 5 de mar. de 2024 às 10:12, Help Desk <support@helpdesk.test>\nescreveu:'],
    ['Gmail, Dutch', 'Op di 5 mrt 2024 om 10:12 schreef Help Desk <support@helpdesk.test>:'],
    ['Gmail, Russian', 'вт, 5 мар. 2024 г. в 10:12, Help Desk <support@helpdesk.test>:'],
    ['Thunderbird, Russian', '05.03.2024 10:12, Help Desk пишет:'],
    ['Outlook, Portuguese (Brazil)', 'De: Help Desk\nEnviada em: terça-feira, 5 de março de 2024 10:12\nPara: Ann\nAssunto: Impressora'],
  ])('%s', (_client, header) => {
    expect(visibleReplyText(`Thanks, it works now.\n\nAnn\n\n${header}\n\n${QUOTED}`)).toBe('Thanks, it works now.\n\nAnn');
  });

  it('keeps a sentence that only looks like an attribution when no quote follows it', () => {
    const text = 'Pada hari Senin saya menulis:\nprinter mati lagi.';
    expect(visibleReplyText(text)).toBe(text);
  });

  it('keeps what is written below the quote (bottom posting) and drops the "-- " signature', () => {
    const text = `On 05/03/2024 10:12, Help Desk wrote:\n${QUOTED}\nThat fixed it, thanks!\n\n-- \nErik Svensson\nNordic Widgets AB\n`;
    expect(visibleReplyText(text)).toBe('That fixed it, thanks!');
  });

  it('drops "Sent from my iPhone" and the quoted attribution of iOS Mail', () => {
    const text = 'Yes, go ahead.\n\nSent from my iPhone\n\n> On 5. Mar 2024, at 10:12, Help Desk <support@helpdesk.test> wrote:\n> \n> Shall we?\n';
    expect(visibleReplyText(text)).toBe('Yes, go ahead.');
  });
});

describe("Outlook's header block", () => {
  const history = 'Hello Bob,\nplease replace the cartridge.\n';

  it.each([
    ['with an address', 'From: Help Desk <support@helpdesk.test>\nSent: Tuesday, March 5, 2024 10:12 AM\nTo: Bob <bob@acme.example>\nSubject: RE: [#57] Toner'],
    ['without an address', 'From: Help Desk\nSent: Tuesday, March 5, 2024 10:12 AM\nTo: Miller, Bob\nSubject: RE: [#57] Toner'],
    ['in bold (rich text turned plain)', '*From:* Help Desk\n*Sent:* Tuesday, March 5, 2024 10:12 AM\n*To:* Bob'],
    ['German', 'Von: Help Desk\nGesendet: Dienstag, 5. März 2024 10:12\nAn: Müller, Jörg\nBetreff: AW: Drucker'],
    ['French', 'De : Help Desk\nEnvoyé : mardi 5 mars 2024 10:12\nÀ : Durand, Amélie\nObjet : RE: Commande'],
    ['Spanish', 'De: Help Desk\nEnviado el: martes, 5 de marzo de 2024 10:12\nPara: Lucía\nAsunto: RE: Factura'],
    ['Outlook on the web, under a rule', '________________________________\nFrom: Help Desk <support@helpdesk.test>\nSent: Tuesday, March 5, 2024 10:12\nTo: Bob'],
    ['Outlook 2010', '-----Original Message-----\nFrom: Help Desk [mailto:support@helpdesk.test]\nSent: 05 March 2024 10:12\nTo: Bob'],
  ])('%s', (_variant, block) => {
    expect(visibleReplyText(`The light is still blinking.\n\n${block}\n\n${history}`)).toBe('The light is still blinking.');
  });

  it('is not mistaken in a message that only mentions a From: line', () => {
    const text = 'The sender shows as\nFrom: noreply@shop.example\nin my inbox, is that you?';
    expect(visibleReplyText(text)).toBe(text);
  });
});

describe('forwards', () => {
  it.each([
    ['Gmail', '---------- Forwarded message ---------'],
    ['Thunderbird', '-------- Forwarded Message --------'],
    ['Gmail, German', '---------- Weitergeleitete Nachricht ---------'],
    ['Apple Mail', 'Begin forwarded message:'],
  ])('%s keeps the forwarded message, which is what the customer wants read', (_client, marker) => {
    const forwarded = `${marker}\nFrom: Frank Buyer <frank@buyer.example>\nDate: Mon, Mar 4, 2024 at 4:55 PM\nSubject: Broken delivery\n\nThe package arrived damaged.`;
    expect(visibleReplyText(`Can you help this customer?\n\nGrace\n\n${forwarded}\n`)).toBe(`Can you help this customer?\n\nGrace\n\n${forwarded}`);
  });

  it('a rule of dashes in a signature is no forward marker', () => {
    const text = `Works now.\n\n------------------------------\nAnn Customer\n\nOn 05/03/2024 10:12, Help Desk wrote:\n${QUOTED}`;
    expect(visibleReplyText(text)).toBe('Works now.\n\n------------------------------\nAnn Customer');
  });

  it('a forward without a note is the forwarded message', () => {
    const forwarded = '---------- Forwarded message ---------\nFrom: Frank <frank@buyer.example>\nSubject: Broken\n\nDamaged.';
    expect(visibleReplyText(forwarded)).toBe(forwarded);
  });
});

describe('edge cases', () => {
  it('returns the whole text when nothing is quoted', () => {
    expect(visibleReplyText('  Just one line.  \n')).toBe('Just one line.');
  });

  it('returns the whole text rather than nothing when all of it looks quoted', () => {
    expect(visibleReplyText(QUOTED)).toBe(QUOTED.trim());
  });

  it('reads CRLF text the same as LF', () => {
    expect(visibleReplyText('Thanks!\r\n\r\nOn 05/03/2024 10:12, Help Desk wrote:\r\n> old\r\n')).toBe('Thanks!');
  });

  it('is empty for empty text', () => {
    expect(visibleReplyText('')).toBe('');
    expect(visibleReplyText(' \n ')).toBe('');
  });

  it('stays fast on text crafted to make the parser backtrack, and keeps all of it', () => {
    // Without RE2 the parser's "… skrev …:" pattern takes minutes on 64 KB of such lines.
    const crafted = 'Hello\n' + 'abc. x skrev y\n'.repeat(5000);
    const started = performance.now();
    const visible = visibleReplyText(crafted);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(visible).toBe(crafted.trim());
  });

  it('finds the quote in a long reply whose history starts early', () => {
    const history = '> old line\n'.repeat(5000);
    expect(visibleReplyText(`Short answer.\n\nOn 05/03/2024 10:12, Help Desk wrote:\n${history}`)).toBe('Short answer.');
  });
});
