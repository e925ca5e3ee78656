/**
 * The HTML of an inbound mail, made safe to show an agent: the quoted history removed
 * (html-quotes.ts), then sanitize-html with an allowlist. Nothing that runs survives (script,
 * event handlers, javascript:/data: URLs, iframes, forms, style sheets); ordinary formatting,
 * tables and links do, and links open in a new tab without handing the console to the target
 * page. Images embedded in the mail (`cid:`) show from our own attachment URL; an embedded image
 * the mail does not carry is dropped. Remote http(s) images are replaced by their alt text unless
 * the agent asks for them (`remoteImages`). The raw HTML stays stored as
 * received: this runs when the API shows a message, so a better policy applies to old mail too.
 */
import sanitizeHtml from 'sanitize-html';
import type { AttachmentRef } from '../../../src/core/index.ts';
import { nestsDeeperThan } from './html-nesting.ts';
import { stripQuoteContainers } from './html-quotes.ts';

/**
 * sanitize-html tests a declaration's value against these patterns; a value over
 * MAX_STYLE_VALUE_CHARS (real ones are under 100) is refused before any pattern reads it.
 * Each pattern is unambiguous (no two quantifiers can share a character), so it runs in linear
 * time: `(\d+\s*){1,4}` could split 200 digits in a million ways before failing.
 */
const MAX_STYLE_VALUE_CHARS = 200;
class CappedPattern extends RegExp {
  override test(value: string): boolean {
    return value.length <= MAX_STYLE_VALUE_CHARS && super.test(value);
  }
}
const capped = (pattern: RegExp) => new CappedPattern(pattern.source, pattern.flags);

const COLOR = capped(/^(#[0-9a-f]{3,8}|rgba?\([\d.%\s,]+\)|[a-z]+)$/i);
const LENGTH = capped(/^-?\d+(\.\d+)?(px|pt|em|rem|ex|%|cm|mm|in)?$/i);
/** One to four lengths, separated by whitespace. */
const LENGTHS = capped(/^(-?\d+(\.\d+)?(px|pt|em|rem|ex|%|cm|mm|in)?|auto)(\s+(-?\d+(\.\d+)?(px|pt|em|rem|ex|%|cm|mm|in)?|auto)){0,3}$/i);
const BORDER = capped(/^(\d+(\.\d+)?(px|pt|em)?\s*)?(none|solid|dashed|dotted|double)?(\s*(#[0-9a-f]{3,8}|[a-z]+))?$/i);

/**
 * Inline CSS a mail may keep. Values are matched whole, so nothing with `url(`, `expression(` or
 * `position` (page overlays) can pass.
 */
const ALLOWED_STYLES: Record<string, RegExp[]> = {
  color: [COLOR], 'background-color': [COLOR],
  'font-family': [capped(/^[\w\s,'"-]+$/)], 'font-size': [LENGTH, /^(x*-small|small|medium|large|x*-large)$/i],
  'font-weight': [/^(normal|bold|bolder|lighter|[1-9]00)$/i], 'font-style': [/^(normal|italic|oblique)$/i],
  'text-align': [/^(left|right|center|justify)$/i], 'text-decoration': [/^(none|underline|overline|line-through)$/i],
  'vertical-align': [/^(top|middle|bottom|baseline)$/i], 'white-space': [/^(normal|nowrap|pre|pre-wrap|pre-line)$/i],
  'line-height': [LENGTH, /^normal$/i], width: [LENGTH, /^auto$/i], height: [LENGTH, /^auto$/i],
  margin: [LENGTHS], 'margin-left': [LENGTH], 'margin-right': [LENGTH], 'margin-top': [LENGTH], 'margin-bottom': [LENGTH],
  padding: [LENGTHS], 'padding-left': [LENGTH], 'padding-right': [LENGTH], 'padding-top': [LENGTH], 'padding-bottom': [LENGTH],
  border: [BORDER], 'border-left': [BORDER], 'border-top': [BORDER], 'border-collapse': [/^(collapse|separate)$/i],
};

/**
 * How much of a mail's HTML is shown. This runs on the API's thread for every view, at about a
 * second per MiB; a mail may carry 20 MiB of HTML. The rest stays in the stored mail.
 */
const MAX_DISPLAY_HTML_CHARS = 512 * 1024;

const ABSOLUTE_LINK = /^\s*(https?:\/\/|mailto:|tel:)/i;
const ABSOLUTE_IMAGE = /^\s*https?:\/\//i;
const CELL = ['colspan', 'rowspan', 'align', 'valign', 'width', 'height', 'bgcolor'];

/** A `cid:` URL names a Content-ID, %-encoded (RFC 2392); clients are careless about its case. */
function contentIdOf(src: string): string {
  const id = src.trim().slice('cid:'.length);
  try {
    return decodeURIComponent(id).toLowerCase();
  } catch {
    return id.toLowerCase();
  }
}

export interface DisplayOptions {
  /**
   * Load images from other sites. Off by default: a remote image tells its sender when and where
   * the mail was read (a tracking pixel), so an agent opts in per view.
   */
  remoteImages?: boolean;
}

/** What stands where a remote image was: its alt text, so the agent still sees what it was. */
function blockedImage(attribs: sanitizeHtml.Attributes, blocked: WeakSet<object>): sanitizeHtml.Tag {
  const alt = (attribs.alt ?? '').trim();
  const placeholder = { title: 'Remote image blocked' };
  blocked.add(placeholder);
  return { tagName: 'span', attribs: placeholder, text: alt ? `[image: ${alt}]` : '[image]' };
}

function options(attachments: readonly AttachmentRef[], cidUrl: (blobId: string) => string, display: DisplayOptions): sanitizeHtml.IOptions {
  // The placeholders that stand for blocked images (the frame keeps the tag name `img`).
  const blocked = new WeakSet<object>();
  const byContentId = new Map(attachments.filter((a) => a.contentId).map((a) => [a.contentId!.toLowerCase(), a]));
  return {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center', 'del', 'ins', 'strike', 'big', 'tt'],
    // Their text is not content: Outlook's <xml> holds settings, <title> repeats the subject.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'xml', 'template'],
    allowedAttributes: {
      '*': ['style', 'dir', 'lang', 'title', 'align'],
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      font: ['color', 'face', 'size'],
      table: ['width', 'border', 'cellpadding', 'cellspacing', 'bgcolor'],
      tr: ['valign', 'bgcolor'], td: CELL, th: CELL,
      ol: ['start', 'type'],
    },
    allowedStyles: { '*': ALLOWED_STYLES },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    // Only absolute URLs survive: a relative one would resolve against the console itself, so an
    // <img src="/api/..."> in a mail would make the agent's browser call our API.
    transformTags: {
      a: (tagName, attribs) => {
        const kept: sanitizeHtml.Attributes = { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' };
        if (!ABSOLUTE_LINK.test(kept.href ?? '')) delete kept.href;
        return { tagName, attribs: kept };
      },
      img: (tagName, attribs) => {
        const kept = { ...attribs };
        if (/^\s*cid:/i.test(kept.src ?? '')) {
          const attachment = byContentId.get(contentIdOf(kept.src!));
          if (attachment) kept.src = cidUrl(attachment.blobId);
          else delete kept.src;
        } else if (!ABSOLUTE_IMAGE.test(kept.src ?? '')) {
          delete kept.src;
        } else if (!display.remoteImages) {
          return blockedImage(kept, blocked);
        }
        return { tagName, attribs: kept };
      },
    },
    // An image left without an allowed source (data:, javascript:, an unknown cid) shows nothing.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src && !blocked.has(frame.attribs),
  };
}

/**
 * Safe HTML for showing an inbound mail.
 * @param rawHtml the mail's HTML as received (InboundMessage.html)
 * @param attachments the message's stored attachments, whose `contentId` resolves `cid:` images
 * @param cidUrl the URL at which the API serves an attachment's blob
 * @param display `remoteImages: true` loads http(s) images (off by default)
 * @returns sanitized HTML (of the first 512 KiB, then a `[…]` note); '' when there is none, or when
 *   the markup nests too deep to parse safely
 */
export function displayHtml(rawHtml: string, attachments: AttachmentRef[], cidUrl: (blobId: string) => string, display: DisplayOptions = {}): string {
  const shown = rawHtml.length > MAX_DISPLAY_HTML_CHARS ? rawHtml.slice(0, MAX_DISPLAY_HTML_CHARS) : rawHtml;
  if (!shown.trim() || nestsDeeperThan(shown)) return '';
  const safe = sanitizeHtml(stripQuoteContainers(shown), options(attachments, cidUrl, display)).trim();
  return shown === rawHtml ? safe : `${safe}<p title="Shortened for display">[…]</p>`;
}
