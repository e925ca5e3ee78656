/** The form page's view model: fields with their labels, values kept, errors beside them, ids for aria-describedby. */
import type { Locale } from '../../src/core/index.ts';
import type { FieldErrors } from './submission.schema.ts';
import { fill, stringsFor } from './strings.ts';
import { FIELD_MAX, type WebformChannelConfig } from './webform.settings.ts';

export interface FormState {
  values: Record<string, unknown>;
  errors: FieldErrors;
  /** Errors about the whole submission (too fast, rate limit, files, CSRF). */
  formErrors: Array<{ code: string; vars?: Record<string, string | number> }>;
}

export function fieldMessage(locale: Locale, code: string, vars: Record<string, string | number> = {}): string {
  const t = stringsFor(locale);
  return fill(t.errors[code] ?? t.errors.malformed!, vars);
}

export function limitVars(config: WebformChannelConfig): Record<string, string | number> {
  const { maxFiles, maxFileBytes, allowedTypes } = config.attachments;
  return { maxFiles, maxMb: Math.round((maxFileBytes / (1024 * 1024)) * 10) / 10, types: allowedTypes.join(', ') };
}

export function formView(config: WebformChannelConfig, locale: Locale, state: FormState) {
  const t = stringsFor(locale) as Record<string, string> & { errors: Record<string, string> };
  const value = (name: string) => (typeof state.values[name] === 'string' ? (state.values[name] as string) : '');
  const error = (name: string) => {
    const e = state.errors[name];
    return e ? fieldMessage(locale, e.code, e.max ? { max: e.max } : {}) : '';
  };
  const field = (name: string, label: string, extra: Record<string, unknown>) => ({
    name, label, value: value(name), error: error(name), required: true, input: true, type: 'text', ...extra,
  });
  const fields = [
    field('name', t.name!, { maxLength: FIELD_MAX.name, autocomplete: 'name' }),
    field('email', t.email!, { type: 'email', maxLength: FIELD_MAX.email, autocomplete: 'email', hint: t.emailHint }),
    ...(config.categories.length ? [field('category', t.category!, {
      input: false, select: true, options: config.categories.map((c) => ({ value: c, selected: value('category') === c })),
    })] : []),
    field('subject', t.subject!, { maxLength: FIELD_MAX.subject }),
    field('message', t.message!, { input: false, textarea: true, maxLength: FIELD_MAX.message }),
    ...config.customFields.map((f) => field(`custom_${f.name}`, f.label[locale], { required: f.required, maxLength: f.maxLength })),
  ];
  const vars = limitVars(config);
  const attachmentCodes = new Set(['file_too_large', 'too_many_files', 'unsupported_file_type']);
  const labelOf = (name: string) => fields.find((f) => f.name === name)?.label ?? name;
  const attachmentsError = state.formErrors.filter((e) => attachmentCodes.has(e.code)).map((e) => fieldMessage(locale, e.code, { ...vars, ...e.vars })).join(' ');
  const formErrors = [
    ...fields.filter((f) => f.error).map((f) => ({ field: f.name, label: labelOf(f.name), message: f.error })),
    ...state.formErrors.map((e) => ({ message: fieldMessage(locale, e.code, { ...vars, ...e.vars }) })),
  ];
  // What the progressive script says while the customer types, in this page's language.
  const messagesJson = JSON.stringify({
    required: t.errors.required, invalid_email: t.errors.invalid_email, too_long: t.errors.too_long,
    too_many_files: fill(t.errors.too_many_files!, vars), file_too_large: fill(t.errors.file_too_large!, vars),
    unsupported_file_type: fill(t.errors.unsupported_file_type!, vars),
    maxFiles: config.attachments.maxFiles, maxFileBytes: config.attachments.maxFileBytes, allowedTypes: config.attachments.allowedTypes,
  });
  return {
    fields, formErrors, messagesJson, maxFiles: config.attachments.maxFiles > 0, accept: config.attachments.allowedTypes.join(','),
    attachmentsHint: fill(t.attachmentsHint!, vars), attachmentsError,
  };
}
