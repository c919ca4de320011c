import { Meta } from '../delivery/metadata';

/**
 * The headers of an SQS ingress message: its attributes, with the `psarn-headers` attribute a
 * router writes on the copies it forwards unpacked into the headers it holds. A route whose target
 * is a queue the router reads again (a chain through queues) thus keeps the producer's headers,
 * and the hop count among them, instead of nesting them one level deeper at every hop; what the
 * previous router said of its own hop (release, kept-copy details) is dropped. Attributes
 * set on the message itself win over the same names inside `psarn-headers`; text that is not a JSON
 * object of strings is left as the plain header it was.
 *
 * @example
 * unpackForwardedHeaders({ psarn: 'arn:…', 'psarn-headers': '{"psarn-hops":"2"}' })
 * // { 'psarn-hops': '2', psarn: 'arn:…' }
 */
export function unpackForwardedHeaders(
  attributes: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const packed = attributes[Meta.headers];
  if (packed === undefined) return withoutHopMetadata(attributes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(packed);
  } catch {
    // Not what a router writes: the producer's own attribute of that name, kept as it is.
    return withoutHopMetadata(attributes);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return withoutHopMetadata(attributes);
  const inner: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') return withoutHopMetadata(attributes);
    inner[name] = value;
  }
  const merged: Record<string, string> = { ...inner, ...attributes };
  delete merged[Meta.headers];
  return withoutHopMetadata(merged);
}

/**
 * What the previous router wrote about its own hop (its release, and on a kept copy the target,
 * error, reason, copy key and route): true of that hop only, so not forwarded as the producer's
 * headers of the next one.
 */
const HOP_METADATA: readonly string[] = [
  Meta.routeVersion,
  Meta.target,
  Meta.error,
  Meta.reason,
  Meta.role,
  Meta.route,
];

function withoutHopMetadata(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (!HOP_METADATA.some((name) => Object.hasOwn(headers, name))) return headers;
  const own: Record<string, string> = { ...headers };
  for (const name of HOP_METADATA) delete own[name];
  return own;
}
