/**
 * `psarn-router/client`: what a producer imports. One factory, its types, and the error type its
 * rejections are; nothing here starts I/O until the first send, resolve or lookup.
 *
 * @example
 * const { createPsarnClient } = require('psarn-router/client');
 * const psarn = createPsarnClient({ mode: 'router', stage: 'prod' });
 */
export { createPsarnClient } from './psarn-client';
export type { PsarnClient, PsarnSendOptions, ResolvedPlan } from './psarn-client';
export type { PsarnClientOptions } from './client-options';
export type { CallerOptions } from './caller';
export { CALLER_HEADER } from './caller';
export { routerFunctionOf, routeTableOf } from './stage-names';
export { isDeliveryReport } from './answer';
export { receivedHops, HOPS_HEADER } from '../router/hops';
export type { LookupAnswer, LookupSplit, LookupTarget } from '../discovery/lookup';
export type { DeliveryReport, DeliveryResult, DeliveryStatus } from '../delivery/report';
export { PsarnError, ErrorCode, ERROR_KINDS } from '../errors';
