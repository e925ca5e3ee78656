/**
 * What an automatic mail may repeat of what a stranger wrote. An acknowledgement goes to the
 * From address, which anyone can forge, so a stranger's subject and display name are shown to a
 * third party: keep the subject short and never repeat a name that carries a link or an address.
 */

/** Echoed subjects are cut to this many characters (the last one an ellipsis). */
export const MAX_ECHOED_SUBJECT = 120;
const MAX_DISPLAY_NAME = 64;

/** The subject cut to `max` characters (code points), ending in `…` when cut. */
export function capEchoedSubject(subject: string, max = MAX_ECHOED_SUBJECT): string {
  const chars = Array.from(subject.slice(0, max * 2 + 2)); // a code point is at most 2 units
  return chars.length <= max ? subject : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/**
 * The display name when it is safe to repeat, else undefined: no address, no URL or bare domain
 * (`win.example/now`, `www.x`), no markup or control characters, and not too long to be a name.
 */
export function safeDisplayName(name: string | undefined): string | undefined {
  const trimmed = name?.trim();
  if (!trimmed || trimmed.length > MAX_DISPLAY_NAME) return undefined;
  if (/[@/\\:<>[\]{}|=%]|\p{Cc}/u.test(trimmed)) return undefined;
  // A dot between letters or digits, then two letters: a host name (`evil.com`, `bit.ly`).
  if (/[\p{L}\p{N}-][.。．][\p{L}\p{N}]{2}/u.test(trimmed)) return undefined;
  return trimmed;
}
