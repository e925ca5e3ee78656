/**
 * Reads an RFC 3464 delivery status notification: the per-recipient fields of the
 * message/delivery-status part, the original Message-ID (from the embedded message/rfc822 or
 * text/rfc822-headers part, else from headers a non-standard bounce quotes in its text), and the
 * VERP token in the address the bounce was sent back to.
 */
import type { ParsedMail } from 'mailparser';
import { tokensInAddresses, type BounceReport, type DeliveryAction } from '../../../src/core/index.ts';
import { capped, MAX_HEADER_CHARS, MAX_LINE_CHARS } from './input-caps.ts';
import { addressesIn, headerValues, messageIdsIn } from './mail-headers.ts';

const ACTIONS: DeliveryAction[] = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];

/** Splits `Name: value` groups separated by blank lines, unfolding continuation lines. */
function fieldGroups(text: string): Array<Map<string, string>> {
  return text.replace(/\r\n/g, '\n').split(/\n\s*\n/).map((block) => {
    const fields = new Map<string, string>();
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return fields;
  }).filter((f) => f.size > 0);
}

/** `rfc822; user@example.com` -> `user@example.com` */
const typedValue = (v: string | undefined) => (v ?? '').replace(/^[a-z0-9-]+\s*;\s*/i, '').replace(/^<|>$/g, '').trim();

function recipientsFrom(statusText: string): BounceReport['recipients'] {
  return fieldGroups(statusText)
    .filter((f) => f.has('final-recipient') || f.has('original-recipient'))
    .map((f) => {
      const action = (f.get('action') ?? '').toLowerCase().split(/\s/)[0] as DeliveryAction;
      const diagnostic = typedValue(f.get('diagnostic-code'));
      return {
        address: typedValue(f.get('final-recipient') ?? f.get('original-recipient')).toLowerCase(),
        action: ACTIONS.includes(action) ? action : 'failed',
        status: (f.get('status') ?? '').split(/\s/)[0] ?? '',
        ...(diagnostic ? { diagnostic } : {}),
      };
    })
    .filter((r) => r.address.includes('@'));
}

/** How far into a report's text or an embedded message the original's headers are looked for. */
const SCAN_CHARS = 64 * 1024;
const MESSAGE_ID = 'message-id:';
const QUOTED_ID = /^[ \t]*message-id:[ \t]*(<[^>\s]+>)/i;
const EMBEDDED = /^content-type:[ \t]*(message\/rfc822|text\/rfc822-headers|message\/rfc822-headers|message\/global-headers)\b/im;

/**
 * The original's Message-ID: from a part mailparser lists as an attachment, else from the raw
 * bytes (mailparser merges an inline message/rfc822, as in ARF reports, into the report's body and
 * drops its headers), else from headers a non-standard bounce quotes in its text.
 */
function originalIds(parsed: ParsedMail, raw?: Buffer): string[] {
  for (const part of parsed.attachments) {
    const type = part.contentType.toLowerCase();
    if (type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/rfc822-headers') {
      const ids = messageIdIn(part.content.toString('utf8'));
      if (ids.length) return ids;
    }
  }
  if (raw) {
    const text = raw.toString('latin1');
    const embedded = EMBEDDED.exec(text);
    if (embedded) {
      const ids = messageIdIn(text.slice(embedded.index + embedded[0].length).replace(/^[^\n]*\n/, ''));
      if (ids.length) return ids;
    }
  }
  return quotedMessageId(parsed.text ?? '');
}

/**
 * `Message-ID: <…>` on a line of a bounce's text. Line by line, each line capped: with the `m`
 * flag, `^\s*` would run across blank lines and rescan a long whitespace run from every line start.
 */
function quotedMessageId(text: string): string[] {
  for (const line of text.slice(0, SCAN_CHARS).split('\n')) {
    const quoted = QUOTED_ID.exec(capped(line, MAX_LINE_CHARS));
    if (quoted) return messageIdsIn(quoted[1]);
  }
  return [];
}

/**
 * The Message-ID among the first header block of an embedded message (after its part headers):
 * the first `Message-ID:` line and its continuation lines.
 */
function messageIdIn(embedded: string): string[] {
  const lines = embedded.slice(0, SCAN_CHARS).split(/\r?\n/);
  const at = lines.findIndex((line) => line.slice(0, MESSAGE_ID.length).toLowerCase() === MESSAGE_ID);
  if (at < 0) return [];
  let value = lines[at]!.slice(MESSAGE_ID.length);
  for (let i = at + 1; i < lines.length && (lines[i]!.startsWith(' ') || lines[i]!.startsWith('\t')); i += 1) {
    value += ` ${lines[i]}`;
    if (value.length > MAX_HEADER_CHARS) break;
  }
  return messageIdsIn(capped(value, MAX_HEADER_CHARS));
}

export function parseDeliveryReport(parsed: ParsedMail, supportAddress: string, raw?: Buffer): BounceReport {
  // mailparser inlines a message/delivery-status part into the text body; some versions keep it
  // as an attachment. Either way the per-recipient field groups are read from it.
  const status = parsed.attachments.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType));
  const statusText = status ? status.content.toString('utf8') : parsed.text ?? '';
  const [local = '', domain = ''] = supportAddress.toLowerCase().split('@');
  const envelopeRecipients = ['delivered-to', 'x-original-to', 'envelope-to', 'to']
    .flatMap((name) => headerValues(parsed.headerLines, name)).flatMap(addressesIn);
  const verpToken = tokensInAddresses(envelopeRecipients, domain, local).find((t) => t.startsWith('b'));
  return {
    ...(verpToken ? { verpToken } : {}),
    originalMessageIds: originalIds(parsed, raw),
    recipients: recipientsFrom(statusText),
  };
}
