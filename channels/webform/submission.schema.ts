/**
 * Validates a submission's fields with zod and reports at most one error per field as a stable
 * code (the page and the API put it in the request's language). Every value must be a string:
 * an object such as `{"$gt": ""}` is refused as `not_text`. Lengths are checked before the
 * email pattern runs, so no regex ever sees an unbounded value.
 */
import { z } from 'zod';
import { FIELD_MAX, type WebformChannelConfig } from './webform.settings.ts';

export type FieldCode = 'required' | 'too_long' | 'invalid_email' | 'invalid_choice' | 'not_text';
export type FieldErrors = Record<string, { code: FieldCode; max?: number }>;

export interface Submission {
  name: string;
  email: string;
  subject: string;
  message: string;
  category?: string;
  custom: Array<{ name: string; label: string; value: string }>;
}

const text = (max: number, required: boolean) => {
  const base = z.string().trim().max(max);
  return required ? base.min(1) : base.optional();
};

export function submissionSchema(config: WebformChannelConfig) {
  const shape: Record<string, z.ZodType> = {
    name: text(FIELD_MAX.name, true),
    email: z.string().trim().min(1).max(FIELD_MAX.email).pipe(z.email()),
    subject: text(FIELD_MAX.subject, true),
    message: text(FIELD_MAX.message, true),
  };
  if (config.categories.length) shape.category = z.enum(config.categories as [string, ...string[]]);
  for (const field of config.customFields) shape[`custom_${field.name}`] = text(field.maxLength, field.required);
  return z.object(shape);
}

function maxOf(config: WebformChannelConfig, field: string): number | undefined {
  if (field in FIELD_MAX) return FIELD_MAX[field as keyof typeof FIELD_MAX];
  return config.customFields.find((f) => `custom_${f.name}` === field)?.maxLength;
}

function codeOf(issue: z.core.$ZodIssue, input: unknown): FieldCode {
  if (issue.code === 'invalid_type') return input === undefined || input === null ? 'required' : 'not_text';
  if (issue.code === 'too_small') return 'required';
  if (issue.code === 'too_big') return 'too_long';
  if (issue.code === 'invalid_format') return 'invalid_email';
  if (issue.code === 'invalid_value') return typeof input === 'string' ? (input ? 'invalid_choice' : 'required') : 'not_text';
  return 'not_text';
}

/** The schema built once per config (building a zod object costs more than checking a submission with it). */
const compiled = new WeakMap<WebformChannelConfig, ReturnType<typeof submissionSchema>>();

function schemaFor(config: WebformChannelConfig): ReturnType<typeof submissionSchema> {
  let schema = compiled.get(config);
  if (!schema) compiled.set(config, schema = submissionSchema(config));
  return schema;
}

export function validateSubmission(config: WebformChannelConfig, fields: Record<string, unknown>, locale: 'en' | 'id'):
  { ok: true; submission: Submission } | { ok: false; errors: FieldErrors } {
  const parsed = schemaFor(config).safeParse(fields);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      if (errors[field]) continue; // one error per field: the first says what to fix
      const code = codeOf(issue, fields[field]);
      const max = code === 'too_long' ? maxOf(config, field) : undefined;
      errors[field] = { code, ...(max ? { max } : {}) };
    }
    return { ok: false, errors };
  }
  const data = parsed.data as Record<string, string | undefined>;
  return {
    ok: true,
    submission: {
      name: data.name!, email: data.email!.toLowerCase(), subject: data.subject!, message: data.message!,
      ...(data.category ? { category: data.category } : {}),
      custom: config.customFields.filter((f) => data[`custom_${f.name}`]).map((f) => ({ name: f.name, label: f.label[locale], value: data[`custom_${f.name}`]! })),
    },
  };
}
