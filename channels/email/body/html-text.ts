/**
 * Plain text from an HTML body, for mail that has no text part (many mobile and marketing
 * senders): html-to-text, the converter mailparser itself uses, set up for a help desk reader:
 * no hard wrapping (the agent's screen wraps), headings as written (not uppercased), links as
 * `text [url]` unless the text is the url, images left out; tables are read as blocks, since
 * mail uses them for layout.
 */
import { compile } from 'html-to-text';
import { nestsDeeperThan } from './html-nesting.ts';

const convert = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/** The readable text of an HTML document; '' for markup nested too deep to parse safely. */
export function htmlToPlainText(html: string): string {
  if (nestsDeeperThan(html)) return '';
  // Mail editors write blank lines as <div><br></div>, which stack up; two line breaks are enough.
  return convert(html).replace(/\n{3,}/g, '\n\n').trim();
}
