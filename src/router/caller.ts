import { InvalidHeaderError } from '../errors';

/** The header a producer names itself in (direct invoke, HTTP, SQS message attribute). */
export const CALLER_HEADER = 'psarn-caller';
/** Largest `psarn-caller` value, in UTF-8 bytes. */
export const MAX_CALLER_HEADER_BYTES = 1024;
const MAX_LABELS = 16;
const MAX_LABEL_NAME = 63;
const MAX_LABEL_VALUE = 256;
const MAX_FUNCTION_NAME = 140;

/**
 * Who sent an event, as caller overrides (`callers:`) match it. `principal` is verified: it comes
 * only from the request context AWS builds for HTTP ingress with AWS_IAM auth. `function` and
 * `labels` are what the producer says about itself in the `psarn-caller` header: self-asserted,
 * any producer may claim any of them.
 */
export interface CallerIdentity {
  readonly principal?: string;
  readonly function?: string;
  readonly labels: Readonly<Record<string, string>>;
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

// Producers send the same header on every event: the last one parsed is kept (one compare per event).
let lastText: string | undefined;
let lastParsed: CallerIdentity | InvalidHeaderError | undefined;

/**
 * The caller of an event from its `psarn-caller` header and the verified principal, or undefined
 * when it names neither. A header that is not `{"function": "<name>", "labels": {"k": "v"}}`
 * compact JSON within its limits is an INVALID_HEADER error: the event is rejected, not routed
 * as if it had no caller.
 *
 * @example
 * callerIdentity('{"function":"checkout","labels":{"deployment":"blue"}}', undefined)
 * // { function: 'checkout', labels: { deployment: 'blue' } }
 */
export function callerIdentity(
  header: string | undefined,
  principal: string | undefined,
): CallerIdentity | InvalidHeaderError | undefined {
  if (header === undefined) return principal === undefined ? undefined : { principal, labels: NO_LABELS };
  let asserted: CallerIdentity | InvalidHeaderError;
  if (header === lastText && lastParsed !== undefined) asserted = lastParsed;
  else {
    asserted = parseCallerHeader(header);
    lastText = header;
    lastParsed = asserted;
  }
  if (asserted instanceof InvalidHeaderError || principal === undefined) return asserted;
  return { ...asserted, principal };
}

/** The `psarn-caller` header's claims: never a principal (the header cannot claim one). */
export function parseCallerHeader(text: string): CallerIdentity | InvalidHeaderError {
  const bad = (reason: string): InvalidHeaderError => new InvalidHeaderError(CALLER_HEADER, reason);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CALLER_HEADER_BYTES) return bad(`is ${bytes} bytes; at most ${MAX_CALLER_HEADER_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('is not JSON: expected {"function":"<name>","labels":{"key":"value"}}');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return bad('must be a JSON object {"function":"<name>","labels":{"key":"value"}}');
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key === 'principal')
      return bad('cannot name a principal: principals come only from AWS_IAM-authenticated HTTP ingress');
    if (key !== 'function' && key !== 'labels')
      return bad(`has unknown key ${JSON.stringify(key.slice(0, 40))}: only "function" and "labels"`);
  }
  const fn = fields['function'];
  if (fn !== undefined && (typeof fn !== 'string' || fn === '' || fn.length > MAX_FUNCTION_NAME))
    return bad(`"function" must be a function name of 1-${MAX_FUNCTION_NAME} characters`);
  const rawLabels = fields['labels'];
  let labels = NO_LABELS;
  if (rawLabels !== undefined) {
    if (rawLabels === null || typeof rawLabels !== 'object' || Array.isArray(rawLabels))
      return bad('"labels" must be an object of string values, like {"deployment":"blue"}');
    const entries = Object.entries(rawLabels as Record<string, unknown>);
    if (entries.length > MAX_LABELS) return bad(`has ${entries.length} labels; at most ${MAX_LABELS}`);
    for (const [name, label] of entries) {
      if (name === '' || name.length > MAX_LABEL_NAME)
        return bad(`label names must be 1-${MAX_LABEL_NAME} characters`);
      if (typeof label !== 'string' || label.length > MAX_LABEL_VALUE)
        return bad(`label ${JSON.stringify(name)} must be a string of at most ${MAX_LABEL_VALUE} characters`);
    }
    labels = Object.freeze(Object.fromEntries(entries as [string, string][]));
  }
  return Object.freeze({ ...(typeof fn === 'string' ? { function: fn } : {}), labels });
}
