import { HOPS_HEADER, receivedHops } from '../router/hops';
import { ErrorCode, PsarnError } from '../errors';
import { payloadText } from '../router/admission';
import { lookupName, type LookupAnswer } from '../discovery/lookup';
import type { DeliveryRole } from '../routing/plan';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../targets/clients';
import { acceptedAnswer } from './answer';
import { CALLER_HEADER, callerHeader } from './caller';
import { clientSettings, type ClientSettings, type PsarnClientOptions } from './client-options';
import { DirectClient } from './direct-client';
import { RouterClient } from './router-client';
import { routerFault } from './router-fault';

export interface PsarnSendOptions {
  /** Extra headers: travel with the event as metadata (message attributes, `psarn-headers`). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Router mode: invoke the router with InvocationType Event and resolve once Lambda has queued
   * it (`{ queued: true }`). Direct mode has no one to hand the event to: it delivers and returns
   * the report either way.
   */
  readonly async?: boolean;
  /** Correlates the event with the producer's request (header `psarn-trace-id`). */
  readonly traceId?: string;
  /**
   * The event's own id (header `psarn-event-id`), stable across the producer's retries of it: a
   * retry is then the same event (FIFO dedup, the split drawn from it, the retry ledger).
   */
  readonly eventId?: string;
  /**
   * Inside a consumer: the event (and context) it was invoked with. The hop count it arrived with
   * (`psarn-hops`, see docs/routing.md "Loops") is carried on, so a loop through consumers is
   * stopped by the router with LOOP_DETECTED instead of running until Lambda cuts it.
   */
  readonly received?: { readonly event: unknown; readonly context?: unknown };
}

/** Where an event would go, without sending it. */
export interface ResolvedPlan {
  readonly psarn: string;
  readonly release: number;
  readonly eventId: string;
  readonly deliveries: readonly {
    readonly target: string;
    readonly kind: string;
    readonly role: DeliveryRole;
    /** psARNs followed to get there, starting with the event's own. */
    readonly via: readonly string[];
  }[];
}

export interface PsarnClient {
  readonly mode: 'router' | 'direct';
  readonly stage: string;
  /** The route table this client reads (direct mode, `resolve` and `lookup`). */
  readonly table: string;
  /** The router function router mode invokes. */
  readonly routerFunction: string;
  /**
   * Sends one event. Resolves to the router's answer, identical in both modes: the delivery report
   * (`isDeliveryReport`), or the single Lambda target's own response for a synchronous send whose
   * plan is exactly that function; `{ queued: true }` for an async router-mode send.
   * @throws PsarnError the typed rejection (ROUTE_NOT_FOUND, INVALID_PSARN, PAYLOAD_TOO_LARGE, …):
   *   nothing was sent.
   */
  send(psarn: string, payload: unknown, options?: PsarnSendOptions): Promise<unknown>;
  /** Where `payload` (default `{}`) would go now: the plan, read from the route table; nothing is sent. */
  resolve(
    psarn: string,
    payload?: unknown,
    options?: Pick<PsarnSendOptions, 'headers' | 'eventId'>,
  ): Promise<ResolvedPlan>;
  /** Where a path (`/event/newUser`) or a psARN leads in this client's stage. */
  lookup(name: string): Promise<LookupAnswer>;
  /** Closes the SDK clients this client built (not those passed in `clients`). */
  close(): void;
}

/**
 * The producer's one entry point. Router mode invokes the stage's router Lambda; direct mode runs
 * the router's own code in the producer (route cache, planner, delivery engine and forwarders
 * from `createForwarders`), so both deliver the same event to the same targets. SDK clients are
 * built on first use, one per service a target kind needs.
 *
 * @example
 * const psarn = createPsarnClient({ mode: 'router', stage: 'prod' });
 * await psarn.send('arn:aws:psarns:eu-west-1:123456789012:/event/newUser', { userId: 'u1' });
 * @throws PsarnError INVALID_CLIENT_OPTIONS for options it cannot work with
 */
export function createPsarnClient(options: PsarnClientOptions): PsarnClient {
  const settings = clientSettings(options, process.env);
  const own = createAwsClients(settings.env);
  const clients = preferring(settings.clients, own);
  const caller = callerHeader(settings.caller, settings.env);
  let direct: DirectClient | undefined;
  let router: RouterClient | undefined;
  // Direct mode's engine, and the reader of `resolve` / `lookup` in both modes: built on first use,
  // so a router-mode producer that only sends never builds a DynamoDB client.
  const directClient = (): DirectClient =>
    (direct ??= new DirectClient({
      clients,
      env: settings.env,
      tableName: settings.table,
      ...(settings.deadLetterQueue === undefined ? {} : { deadLetterQueue: settings.deadLetterQueue }),
    }));
  const headersOf = (psarn: string, o: PsarnSendOptions): Record<string, string> =>
    checkedHeaders(psarn, o, caller);

  return {
    mode: settings.mode,
    stage: settings.stage,
    table: settings.table,
    routerFunction: settings.routerFunction,

    async send(psarn, input, sendOptions = {}) {
      const headers = headersOf(psarn, sendOptions);
      const payload = asJson(input);
      if (settings.mode === 'direct') {
        return acceptedAnswer(await directClient().answer({ headers, payload }), psarn);
      }
      router ??= new RouterClient({ lambda: clients.lambda, routerFunction: settings.routerFunction });
      // RouterClient puts the psARN into the envelope itself.
      const extra = without(headers, 'psarn');
      let result;
      try {
        result = await router.send(psarn, payload, {
          headers: extra,
          ...(sendOptions.async === true ? { async: true } : {}),
        });
      } catch (err) {
        throw routerFault(err, settings.routerFunction, settings.stage);
      }
      if (result.async) return { queued: true };
      return acceptedAnswer(result.response, psarn);
    },

    async resolve(psarn, input = {}, resolveOptions = {}) {
      const headers = headersOf(psarn, resolveOptions);
      const payload = asJson(input);
      const eventId = headers['psarn-event-id'];
      const rest = without(without(headers, 'psarn'), 'psarn-event-id');
      const prepared = await directClient().prepare({
        psarn,
        payload,
        headers: rest,
        ...(eventId === undefined ? {} : { eventId }),
      });
      if (!prepared.ok) throw prepared.error;
      const { item } = prepared;
      return {
        psarn,
        release: item.routeVersion,
        eventId: item.event.eventId,
        deliveries: item.plan.deliveries.map((d) => ({
          target: d.target.arn,
          kind: d.target.kind,
          role: d.role,
          via: d.via,
        })),
      };
    },

    lookup(name) {
      return lookupName(name, lookupSource(settings, clients, directClient));
    },

    close() {
      destroyAwsClients(own);
    },
  };
}

/** The route table as `lookup` reads it: the client's cache, and the live release for a bare path. */
function lookupSource(settings: ClientSettings, clients: AwsClients, directClient: () => DirectClient) {
  const account = settings.env['PSARN_ACCOUNT'];
  return {
    route: (psarn: string) => directClient().resolve(psarn),
    liveRoutes: async () => {
      const store = new DynamoReleaseStore({ client: clients.dynamodb, tableName: settings.table });
      const { release } = await store.readControl();
      return { release, routes: release === 0 ? [] : await store.routesAt(release) };
    },
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(account === undefined || account === '' ? {} : { account }),
    where: `route table ${settings.table} (stage ${settings.stage})`,
  };
}

/**
 * The envelope headers of one event: the producer's own, its trace and event ids, and who is
 * calling. Checked here only for what the router could not even read; the router's admission
 * checks (sizes, characters, id formats) run on them in both modes.
 */
function checkedHeaders(
  psarn: string,
  options: Pick<PsarnSendOptions, 'headers' | 'traceId' | 'eventId' | 'received'>,
  caller: string | undefined,
): Record<string, string> {
  if (typeof psarn !== 'string')
    throw new PsarnError(ErrorCode.INVALID_PSARN, `the psARN must be a string, got ${typeof psarn}`, {});
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    if (typeof value !== 'string')
      throw new PsarnError(ErrorCode.INVALID_HEADER, `header ${key} must be a string, got ${typeof value}`, {
        header: key,
      });
    headers[key] = value;
  }
  if (options.traceId !== undefined) headers['psarn-trace-id'] = options.traceId;
  if (options.eventId !== undefined) headers['psarn-event-id'] = options.eventId;
  if (options.received !== undefined && headers[HOPS_HEADER] === undefined) {
    const hops = receivedHops(options.received.event, options.received.context);
    if (hops > 0) headers[HOPS_HEADER] = String(hops);
  }
  // The client's own identity wins over a header of that name: a producer cannot pose as another.
  if (caller !== undefined) headers[CALLER_HEADER] = caller;
  headers['psarn'] = psarn;
  return headers;
}

/**
 * The payload as the router receives it: JSON, serialised once. Router mode sends JSON anyway; in
 * direct mode the same round trip makes a Date a string, drops `undefined` and turns an absent
 * payload into `null` before anything looks at it, so a sticky key or a size check sees exactly
 * what it sees behind the router. What JSON cannot carry is refused as the router refuses it.
 * @throws PsarnError INVALID_PAYLOAD
 */
function asJson(payload: unknown): unknown {
  const body = payloadText(payload, undefined);
  if (typeof body !== 'string') throw body;
  return JSON.parse(body) as unknown;
}

/** The producer's clients where given, else this client's own (each built on first use). */
function preferring(given: Partial<AwsClients>, own: AwsClients): AwsClients {
  const clients = {} as AwsClients;
  for (const service of Object.keys(own) as (keyof AwsClients)[]) {
    Object.defineProperty(clients, service, { enumerable: true, get: () => given[service] ?? own[service] });
  }
  return clients;
}

function without(headers: Readonly<Record<string, string>>, key: string): Record<string, string> {
  const copy = { ...headers };
  delete copy[key];
  return copy;
}
