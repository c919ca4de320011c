// psarn's consumer-side osls plugin: a service that sends nothing through psarn itself but wants
// events adds `plugins: [psarn-router/serverless]` and lists what it registers in
// `custom.psarn.register` (docs/discovery.md "Self-registration"):
// - packaging checks the list (names, psARNs, functions and resources it names) before anything
//   is deployed;
// - after `serverless deploy`, it replaces the service's registrations for the stage in the
//   router's route table and publishes the merged release ("registered by <service>/<stage>");
// - before `serverless remove`, it deregisters them, so the router stops sending to targets
//   that are about to be deleted.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const loadTs = require('../load-ts');

const ROOT = path.join(__dirname, '..', '..');
let cachedApi;

const CONFIG_SCHEMA = {
  type: 'object',
  properties: {
    // What this service registers; checked in full by the plugin (messages name the entry).
    register: { type: 'array', items: { type: 'object' } },
    // The router's route table; default psarn-<routerStage>-routes.
    table: { type: 'string' },
    // The router stage to register with; default this service's stage.
    routerStage: { type: 'string' },
    // The account of psARN paths and of the ARNs the plugin builds; default STS.
    account: { type: 'string', pattern: '^\\d{12}$' },
  },
  additionalProperties: false,
};

function partitionOf(region) {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

class PsarnRegisterPlugin {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.options = options || {};
    this.provider = serverless.getProvider('aws');
    this.log = log || { notice: console.log, info: () => {}, warning: console.warn };
    serverless.configSchemaHandler.defineCustomProperties({ properties: { psarn: CONFIG_SCHEMA } });
    this.hooks = {
      'before:package:initialize': () => this.check(),
      'after:deploy:deploy': () => this.register(),
      'before:remove:remove': () => this.deregister(),
    };
  }

  custom() {
    return (this.serverless.service.custom && this.serverless.service.custom.psarn) || {};
  }

  api() {
    // Once per process: osls makes one plugin instance, tests make many.
    // In this repository: the current source. In an installed package (no src/): its build.
    const source = path.join(ROOT, 'src', 'deploy', 'register-api.ts');
    cachedApi =
      cachedApi ||
      (fs.existsSync(source) ? loadTs(source) : require(path.join(ROOT, 'dist', 'register-api.js')));
    return cachedApi;
  }

  /** The service as the TypeScript side reads it; `account` is STS's unless configured. */
  async consumer(account) {
    const service = this.serverless.service;
    const region = this.provider.getRegion();
    return {
      service: service.service,
      stage: this.provider.getStage(),
      region,
      account,
      partition: partitionOf(region),
      functions: service.functions || {},
      resources: (service.resources && service.resources.Resources) || {},
      register: this.custom().register,
    };
  }

  async table() {
    const custom = this.custom();
    const stage = custom.routerStage || this.provider.getStage();
    const { credentials } = await this.provider.getAwsSdkV3Config();
    return {
      tableName: custom.table || `psarn-${stage}-routes`,
      tableStage: stage,
      by: this.api().operatorName(process.env),
      ...(credentials ? { credentials } : {}),
    };
  }

  fail(err) {
    // A PsarnError keeps its code (REGISTRATION_ROUTE_MISSING…) so the deploy log names it.
    const code = err && err.code ? `PSARN_${err.code}` : 'PSARN_REGISTRATION_FAILED';
    return new this.serverless.classes.Error(
      `psarn: ${err && err.message ? err.message : String(err)}`,
      code,
    );
  }

  async check() {
    // Placeholder account: at package time only the shape and the names matter.
    const config = await this.consumer(this.custom().account || '000000000000');
    try {
      const registrations = await this.api().registrationsOf(config, async () => 'not-deployed-yet');
      this.log.info(`psarn: ${registrations.length} registration(s) of ${config.service} are valid`);
    } catch (err) {
      throw this.fail(err);
    }
  }

  async register() {
    // The plugin owns the service's registration set: a list emptied (or removed) deregisters.
    const list = this.custom().register;
    if (list === undefined || (Array.isArray(list) && list.length === 0)) return this.deregister();
    const account = this.custom().account || (await this.provider.getAccountId());
    const config = await this.consumer(account);
    const physicalId = async (logicalId) => {
      const resources = await this.provider.getStackResources();
      const found = resources.find((r) => r.LogicalResourceId === logicalId);
      return found ? found.PhysicalResourceId : undefined;
    };
    let report;
    try {
      report = await this.api().registerService(config, await this.table(), physicalId);
    } catch (err) {
      const e = this.fail(err);
      e.message +=
        '\nThe stack is deployed; fix the registration and deploy again (or run `psarn register` by hand).';
      throw e;
    }
    for (const line of report.notices) this.log.notice(line);
    for (const line of report.warnings) this.log.warning(line);
  }

  async deregister() {
    const config = await this.consumer(this.custom().account || '000000000000');
    let report;
    try {
      report = await this.api().deregisterService(config, await this.table());
    } catch (err) {
      const e = this.fail(err);
      e.message +=
        '\nNothing was removed: the router still sends to this service. Fix it and remove again, or run `psarn deregister --service ' +
        `${config.service} --stage ${config.stage}\` first.`;
      throw e;
    }
    for (const line of report.notices) this.log.notice(line);
    for (const line of report.warnings) this.log.warning(line);
  }
}

module.exports = PsarnRegisterPlugin;
