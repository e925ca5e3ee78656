/** The web form's config slice (`channels.webform` in config/schema.ts must stay assignable to it). */
export interface CustomField {
  name: string;
  label: { en: string; id: string };
  required: boolean;
  maxLength: number;
}

export interface WebformChannelConfig {
  enabled: boolean;
  categories: readonly string[];
  customFields: readonly CustomField[];
  attachments: { maxFiles: number; maxFileBytes: number; allowedTypes: readonly string[] };
  minFillMs: number;
  formTokenTtlMs: number;
  rateLimit: { perIpLimit: number; perIpWindowSec: number; perAddressLimit: number; perAddressWindowSec: number; keyPrefix: string };
  verifyAddress: boolean;
  statusLinkTtlMs: number;
  verifyLinkTtlMs: number;
}

/** Caps of the built-in fields, in characters. */
export const FIELD_MAX = { name: 100, email: 254, subject: 200, message: 10_000 } as const;
