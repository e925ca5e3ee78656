/**
 * Subjects of out-of-office notices and other auto-responders, for the ones that send no
 * Auto-Submitted header (old Exchange and Domino, hosting control panels, some phones). Each
 * phrase is what a common responder puts at the start of the subject, in the languages our
 * customers write in. Matching only at the start keeps people out: "Question about out of
 * office replies" is someone asking, "Out of Office: Printer on fire" is a machine answering.
 * Only languages and phrases we have seen responders use are listed; the headers in
 * mail.classifier.ts catch every responder that follows RFC 3834, whatever its language.
 */
const PHRASES: readonly string[] = [
  // English: Outlook/Exchange, Domino, cPanel, Zimbra, Zoho
  'automatic reply', 'auto reply', 'auto-reply', 'autoreply', 'auto response', 'auto-response', 'autoresponse',
  'out of office', 'out of office autoreply', 'out of the office', 'away from the office', 'absence notice', 'vacation reply', 'on vacation',
  // German
  'automatische antwort', 'abwesenheitsnotiz', 'automatische abwesenheitsnotiz', 'nicht im büro', 'außer haus',
  // French
  'réponse automatique', 'absent du bureau', 'absente du bureau', 'absence du bureau', "message d'absence",
  // Spanish
  'respuesta automática', 'fuera de la oficina', 'respuesta de ausencia',
  // Italian
  'risposta automatica', 'fuori sede', 'fuori ufficio',
  // Dutch
  'automatisch antwoord', 'afwezigheidsbericht', 'buiten kantoor', 'niet aanwezig',
  // Indonesian
  'balasan otomatis', 'di luar kantor', 'sedang cuti', 'tidak di kantor',
  // Portuguese
  'resposta automática', 'ausente do escritório', 'fora do escritório', 'ausência temporária',
  // Russian
  'автоматический ответ', 'автоответ', 'нет на месте', 'вне офиса', 'в отпуске',
  // Japanese
  '自動応答', '自動返信', '不在通知', '不在のお知らせ', '不在中',
  // Chinese (simplified and traditional)
  '自动回复', '自動回覆', '自動回復', '自动答复', '不在办公室', '休假中',
];

/**
 * What follows the phrase in a responder's subject: a separator before the original subject
 * (`:`, `：`, `-`, `|`), a closing bracket, or nothing. A space and more words is a person
 * writing about the topic ("Automatic reply settings are broken"), so that is not accepted.
 */
const AFTER_PHRASE = /^\s*($|[:：)\]】|\-–—])/u;

export function isOutOfOfficeSubject(subject: string): boolean {
  // Some responders bracket the phrase: "[Auto-Reply] …", "【自動返信】…".
  const start = subject.normalize('NFC').trim().replace(/^[[(【]\s*/u, '').toLowerCase();
  return PHRASES.some((phrase) => start.startsWith(phrase) && AFTER_PHRASE.test(start.slice(phrase.length)));
}
