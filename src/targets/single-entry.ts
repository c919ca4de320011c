/**
 * A batch entry as the fields of a single-message request (SendMessage, Publish): everything but
 * the batch-only `Id`. One builder of the entry (attributedEntry) then serves both APIs, so a
 * copy carries the same body, attributes and FIFO ids whichever way it is sent.
 *
 * @example
 * new SendMessageCommand({ QueueUrl, ...singleRequestFields(prepared.entry) })
 */
export function singleRequestFields<E extends { Id?: string | undefined }>(entry: E): Omit<E, 'Id'> {
  const fields: Partial<E> = { ...entry };
  delete fields.Id;
  return fields as Omit<E, 'Id'>;
}
