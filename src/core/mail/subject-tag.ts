/**
 * The `[#123]` ticket tag in a subject. Subjects come from strangers, so the work here is linear:
 * only `[#` starts a tag and its digits are read once; whitespace around a tag is trimmed per
 * piece instead of by `\s*` around the pattern, which rescans a long run of spaces from each start.
 */

/** Longer subjects are cut before they are read (the channel caps them too; this holds for any channel). */
export const MAX_SUBJECT_CHARS = 2 * 1024;
const TAG = /\[#\d+\]/g;

/** A `[#123]` tag in a new ticket's subject names someone else's ticket: never keep it. */
export function untagged(subject: string): string {
  const pieces = subject.slice(0, MAX_SUBJECT_CHARS).split(TAG).map((p) => p.trim()).filter(Boolean);
  return pieces.join(' ') || '(no subject)';
}
