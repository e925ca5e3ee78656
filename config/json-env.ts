/**
 * A list given as JSON in one environment variable (CHAT_SITES, SLA_POLICIES): parsed before the
 * schema sees it; text that is not JSON is passed on as it is, so the schema says what is wrong.
 */
export const parseJson = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
