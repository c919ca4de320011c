// psarn's osls plugin (loaded from serverless.yml as `./serverless/plugin`). Everything a deployed
// stage derives from routes/ happens here, so routes and the role the router runs with cannot
// disagree:
// - packaging (`serverless package`, and `serverless deploy`, which packages first) validates
//   routes/ for the stage with the code `psarn validate` runs, fails on any invalid route, adds
//   the router's IAM statements (exactly the ARNs the routes name, unless `custom.psarn.iam:
//   wildcard`), and wires the router to the ingress queue and to an AWS_IAM Function URL;
// - after `serverless deploy`, it writes the deploy record (what the role allows) to the route
//   table, then runs `psarn apply --stage <stage> --yes`.
// The `local` stage runs under serverless-offline and is left alone. See docs/deployment.md.
'use strict';

const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const loadTs = require('../load-ts');

const ROUTER = 'router';
const LOCAL_STAGE = require('../local-stage.json').stage;
const ROOT = path.join(__dirname, '..', '..');

const CONFIG_SCHEMA = {
  type: 'object',
  properties: {
    // Directory of route files, relative to the service directory.
    routes: { type: 'string' },
    // Value of ${account}; unset: CloudFormation's AWS::AccountId at deploy, STS after it.
    account: { type: 'string', pattern: '^\\d{12}$' },
    iam: { enum: ['exact', 'wildcard'] },
    // The stages this project deploys (read by the psarn CLI, src/cli/stages.ts).
    stages: { type: 'array', items: { type: 'string' } },
    // false: deploy without running `psarn apply` afterwards.
    apply: { type: 'boolean' },
    // KMS key ARNs of SSE-KMS queues, topics and buses the routes send to: the router role gets
    // kms:GenerateDataKey and kms:Decrypt on them (docs/deployment.md).
    kmsKeys: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'object' }] } },
    alarmEmail: { type: 'string' },
    alarmTopicArn: { type: 'string' },
    // Schedule expression of the target health check (src/health/check-handler.ts), false: none.
    healthCheck: { anyOf: [{ type: 'string' }, { const: false }] },
  },
  additionalProperties: false,
};

/** src/deploy/plugin-api.ts, bundled from the current source when the plugin loads (../load-ts.js). */
function loadDeployApi() {
  return loadTs(path.join(ROOT, 'src', 'deploy', 'plugin-api.ts'));
}

class PsarnPlugin {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.options = options || {};
    this.provider = serverless.getProvider('aws');
    this.log = log || { notice: console.log, info: () => {}, warning: console.warn };
    serverless.configSchemaHandler.defineCustomProperties({ properties: { psarn: CONFIG_SCHEMA } });
    this.hooks = {
      // osls merges provider.iam.role.statements into the role at package:setupProviderConfiguration
      // (merge-iam-templates.js): the statements must be in place just before it.
      'before:package:setupProviderConfiguration': () => this.preparePackage(),
      // The bundle is built from the current source every time: a fresh clone has none, and a
      // dist/router.mjs (and its chunks) older than src/ must never be shipped.
      'before:package:createDeploymentArtifacts': () => this.buildBundle(),
      'after:deploy:deploy': () => this.afterDeploy(),
    };
  }

  settings() {
    const custom = (this.serverless.service.custom && this.serverless.service.custom.psarn) || {};
    const account = custom.account || process.env.PSARN_ACCOUNT || process.env.AWS_ACCOUNT_ID || undefined;
    return {
      stage: this.provider.getStage(),
      region: this.provider.getRegion(),
      routes: custom.routes || 'routes',
      account,
      iam: custom.iam || 'exact',
      apply: custom.apply !== false,
      kmsKeys: custom.kmsKeys || [],
    };
  }

  api() {
    this.deployApi = this.deployApi || loadDeployApi();
    return this.deployApi;
  }

  fail(message, code) {
    return new this.serverless.classes.Error(message, code);
  }

  buildBundle() {
    if (this.provider.getStage() === LOCAL_STAGE) return;
    try {
      execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      const detail = `${err.stderr || ''}${err.stdout || ''}`.trim() || err.message;
      throw this.fail(
        `psarn: building dist/ (node esbuild.config.mjs) failed, nothing was packaged: fix the error below and retry\n${detail}`,
        'PSARN_BUILD_FAILED',
      );
    }
    this.log.info('psarn: built dist/router.mjs from the current source');
  }

  async preparePackage() {
    const s = this.settings();
    if (s.stage === LOCAL_STAGE) return;
    const policy = await this.api().packagePolicy({
      dir: s.routes,
      cwd: this.serverless.serviceDir,
      stage: s.stage,
      region: s.region,
      ...(s.account ? { account: s.account } : {}),
      mode: s.iam,
      table: { 'Fn::GetAtt': ['RouteTable', 'Arn'] },
      deadLetterQueue: { 'Fn::GetAtt': ['RouterDlq', 'Arn'] },
      kmsKeys: s.kmsKeys,
    });
    if (!policy.ok && policy.invalid === 'kmsKeys') {
      throw this.fail(
        `psarn: custom.psarn.kmsKeys is not valid, nothing was packaged:\n${policy.report}`,
        'PSARN_KMS_KEYS_INVALID',
      );
    }
    if (!policy.ok) {
      throw this.fail(
        `psarn: ${s.routes} is not valid for stage ${s.stage}, nothing was packaged:\n${policy.report}`,
        'PSARN_ROUTES_INVALID',
      );
    }
    this.log.info(`psarn: ${policy.report.trim()}`);
    this.addRoleStatements(policy.statements);
    this.wireRouter();
    const reach =
      s.iam === 'wildcard'
        ? 'any Lambda, queue, topic and bus (iam: wildcard)'
        : 'the targets its routes name';
    this.log.notice(
      `psarn: ${policy.routes.length} routes valid for ${s.stage}; the router may reach ${reach}`,
    );
  }

  addRoleStatements(statements) {
    const provider = this.serverless.service.provider;
    provider.iam = provider.iam || {};
    if (typeof provider.iam.role === 'string' || provider.role) {
      throw this.fail(
        'psarn: provider.iam.role names an existing role; the plugin can only add statements to the role osls creates',
        'PSARN_EXISTING_ROLE',
      );
    }
    provider.iam.role = provider.iam.role || {};
    provider.iam.role.statements = [...(provider.iam.role.statements || []), ...statements];
  }

  /** SQS ingress with per-record failures, and the HTTP envelope behind IAM auth (never NONE). */
  wireRouter() {
    const router = this.serverless.service.getFunction(ROUTER);
    if (router.url && router.url.authorizer !== 'aws_iam') {
      throw this.fail(
        'psarn: the router Function URL must use `authorizer: aws_iam`, never NONE',
        'PSARN_URL_AUTH',
      );
    }
    router.url = { ...(router.url || {}), authorizer: 'aws_iam' };
    router.events = [
      ...(router.events || []),
      {
        sqs: {
          arn: { 'Fn::GetAtt': ['IngressQueue', 'Arn'] },
          batchSize: 10,
          functionResponseType: 'ReportBatchItemFailures',
        },
      },
    ];
  }

  async afterDeploy() {
    const s = this.settings();
    if (s.stage === LOCAL_STAGE) return;
    const account = s.account || (await this.provider.getAccountId());
    const tableName = this.serverless.service.resources.Resources.RouteTable.Properties.TableName;
    const { credentials } = await this.provider.getAwsSdkV3Config();
    const record = await this.api().recordDeploy({
      dir: s.routes,
      cwd: this.serverless.serviceDir,
      stage: s.stage,
      region: s.region,
      account,
      mode: s.iam,
      tableName,
      by: this.api().operatorName(process.env),
      credentials,
    });
    this.log.notice(
      `psarn: deploy record written to ${tableName} (iam ${record.iam}, ${record.allowed.length} target pattern(s))`,
    );
    await this.warnMissingTargets(s, account);
    if (!s.apply) return;
    await this.applyRoutes(s, account, tableName);
  }

  /**
   * `psarn check-targets` after the deploy: the stack creates no target, so a route naming a
   * function, queue, topic or bus that does not exist is a warning (its events would be
   * dead-lettered). Never fails the deploy.
   */
  warnMissingTargets(s, account) {
    const args = [
      path.join(ROOT, 'bin', 'psarn.js'),
      'check-targets',
      '--stage',
      s.stage,
      '--dir',
      s.routes,
      '--region',
      s.region,
      '--account',
      account,
    ];
    return new Promise((resolve) => {
      const child = spawn(process.execPath, args, { cwd: this.serverless.serviceDir, env: process.env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', (err) => {
        this.log.warning(`psarn: could not check the route targets: ${err.message}`);
        resolve();
      });
      child.on('exit', (code) => {
        const lines = out
          .trim()
          .split('\n')
          .filter((l) => l !== '');
        if (code === 0) this.log.info(`psarn: ${lines.at(-1) || 'route targets checked'}`);
        else for (const line of lines) this.log.warning(`psarn: ${line}`);
        resolve();
      });
    });
  }

  /** `psarn apply` as an operator would run it, so the deploy log shows the same plan. */
  applyRoutes(s, account, tableName) {
    const profile = this.options['aws-profile'] || this.serverless.service.provider.profile;
    const args = [
      path.join(ROOT, 'bin', 'psarn.js'),
      'apply',
      '--stage',
      s.stage,
      '--yes',
      '--dir',
      s.routes,
      '--table',
      tableName,
      '--region',
      s.region,
      '--account',
      account,
      ...(profile ? ['--profile', profile] : []),
    ];
    return new Promise((resolve, reject) => {
      // The environment is passed on explicitly: it carries the deploying credentials and any
      // AWS_ENDPOINT_URL_DYNAMODB, and a host may run plugins with a process.env of its own.
      const child = spawn(process.execPath, args, {
        cwd: this.serverless.serviceDir,
        env: process.env,
        stdio: 'inherit',
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code === 0) return resolve();
        reject(
          this.fail(
            `psarn: the stack is deployed but \`psarn apply --stage ${s.stage}\` failed (${signal || `exit ${code}`}); ` +
              'the previous release stays live. Fix and run it again.',
            'PSARN_APPLY_FAILED',
          ),
        );
      });
    });
  }
}

module.exports = PsarnPlugin;
