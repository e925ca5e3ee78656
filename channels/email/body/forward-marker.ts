/**
 * The line a mail client puts above a forwarded message. A forward is not quoted history: the
 * forwarded mail is what the customer wants us to read, so it stays in the visible text and in
 * the displayed HTML, while a reply's quoted history is removed.
 *
 * Gmail writes `---------- Forwarded message ---------` and Thunderbird `-------- Forwarded
 * Message --------`, translated into the user's language but always between runs of eight or more
 * dashes; Outlook's `-----Original Message-----` (five dashes) heads replies and forwards alike,
 * so it is not taken as a forward. Apple Mail writes `Begin forwarded message:` in the user's
 * language, so its common translations are listed.
 */
/** Real markers are under 80 characters; anything much longer is a line of text, not a marker. */
const MAX_MARKER_CHARS = 200;
const MIN_DASHES = 8;
const APPLE_MAIL = /^(Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réexpédié|Comienzo del mensaje reenviado|Inizio messaggio inoltrato|Begin doorgestuurd bericht|Início da mensagem reencaminhada|Início da mensagem encaminhada|Начало переадресованного сообщения|転送されたメッセージ)\s*:$/i;

/**
 * `-------- Words --------`: eight or more dashes on each side, a letter first between them. A
 * plain rule of dashes (a signature separator) is no marker. Counted, not matched with a pattern:
 * `-{8,}.*?-{8,}` backtracks quadratically over a long line of dashes.
 */
function isDashed(line: string): boolean {
  let start = 0;
  while (line[start] === '-') start += 1;
  let end = line.length;
  while (end > start && line[end - 1] === '-') end -= 1;
  if (start < MIN_DASHES || line.length - end < MIN_DASHES) return false;
  return /^\s*\p{L}/u.test(line.slice(start, end));
}

/** True for a line that introduces a forwarded message (surrounding whitespace is ignored). */
export function isForwardMarker(line: string): boolean {
  if (line.length > MAX_MARKER_CHARS * 4) return false;
  const trimmed = line.trim();
  if (trimmed.length > MAX_MARKER_CHARS) return false;
  return isDashed(trimmed) || APPLE_MAIL.test(trimmed);
}
