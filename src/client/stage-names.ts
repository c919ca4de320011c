/**
 * The names serverless.yml gives a stage's resources (`service: psarn`, `${service}-${stage}-…`
 * in serverless/resources.js and the function key `router`): written once, so the client, its
 * docs and the CLI agree on where a stage's router and route table are.
 */
export const SERVICE = 'psarn';

/** `prod` → `psarn-prod-router`, the Lambda serverless.yml deploys for the stage. */
export function routerFunctionOf(stage: string): string {
  return `${SERVICE}-${stage}-router`;
}

/** `prod` → `psarn-prod-routes`, the route table serverless.yml deploys for the stage. */
export function routeTableOf(stage: string): string {
  return `${SERVICE}-${stage}-routes`;
}
