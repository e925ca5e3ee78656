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
/** Words between the dashes: a plain rule of dashes (a signature separator) is no marker. */
const DASHED = /^-{8,}\s*\p{L}.*?-{8,}$/u;
const APPLE_MAIL = /^(Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réexpédié|Comienzo del mensaje reenviado|Inizio messaggio inoltrato|Begin doorgestuurd bericht|Início da mensagem reencaminhada|Início da mensagem encaminhada|Начало переадресованного сообщения|転送されたメッセージ)\s*:$/i;

/** True for a line (already trimmed of surrounding whitespace) that introduces a forwarded message. */
export function isForwardMarker(line: string): boolean {
  const trimmed = line.trim();
  return DASHED.test(trimmed) || APPLE_MAIL.test(trimmed);
}
