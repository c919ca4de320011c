/** The part of an SDK v3 client's resolved config that says where requests go. */
interface EndpointConfig {
  readonly isCustomEndpoint?: boolean;
  /** The SDK's own lookup of `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL` / the config file. */
  readonly serviceConfiguredEndpoint?: () => Promise<string | undefined>;
}

/**
 * Whether an SDK v3 client talks to a custom endpoint (a local emulator) rather than AWS: either
 * `endpoint` was passed to the client, or the SDK will pick one up from the endpoint variables
 * (`AWS_ENDPOINT_URL_LAMBDA`, `AWS_ENDPOINT_URL_EVENTBRIDGE`, `AWS_ENDPOINT_URL`) or the shared
 * config file. Asks the SDK rather than re-reading the variables, so both always agree. A client
 * without a config (a test fake) counts as AWS.
 *
 * @example
 * await usesCustomEndpoint(new LambdaClient({ endpoint: 'http://localhost:3002' })) // true
 */
export async function usesCustomEndpoint(client: object): Promise<boolean> {
  const config = (client as { readonly config?: EndpointConfig }).config;
  if (config === undefined) return false;
  if (config.isCustomEndpoint === true) return true;
  return (await config.serviceConfiguredEndpoint?.()) !== undefined;
}
