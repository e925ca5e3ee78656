/** The one mapping from a stored document to a domain object: `_id` becomes the named key. */
export function fromDoc<T>(doc: object, key = 'id'): T {
  const { _id, ...rest } = doc as { _id: unknown };
  return { [key]: String(_id), ...rest } as T;
}
