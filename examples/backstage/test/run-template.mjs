#!/usr/bin/env node
// Runs examples/backstage/template.yaml through Backstage's own scaffolder code, for the
// parameter sets of a cases file, and writes what each run would commit.
//
//   node run-template.mjs CASES.json OUT_DIR
//
// CASES.json: {"cases": [{"id": "ephemeral-internal", "parameters": {...}}, ...]}
//
// For every case:
// - the form: each parameter step of the template validated as the Backstage form does it
//   (extractSchemaFromStep: `ui:*` keys stripped; then ajv 8 with the options of
//   @rjsf/validator-ajv8) against the whole form state, as the Stepper passes it;
// - the backend: each step validated as the scaffolder's POST /v2/tasks does it
//   (jsonschema.validate(values, step));
// - the run: the template's steps executed by the scaffolder's NunjucksWorkflowRunner with
//   the real fetch:template action (skeleton read from file://<template.yaml>) and the real
//   publish:github:pull-request action, whose GitHub client is a stub that records the pull
//   request instead of sending it. The run happens whatever the validation said, so a test
//   can ask the AppSpec function what it thinks of values the form refuses.
//
// OUT_DIR/results.json holds every verdict; OUT_DIR/<id>/repo/ holds the files of the pull
// request at their paths in the GitOps repository, OUT_DIR/<id>/pr.json its title, branch,
// body and commit message. The exit code is 0 unless the script itself failed (a bad
// template counts: it is reported in results.json and exits 1).

import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

const Ajv = require('ajv');
const jsonschema = require('jsonschema');
const YAML = require('yaml');
const { ConfigReader } = require('@backstage/config');
const { ScmIntegrations } = require('@backstage/integration');
const {
  EntityPolicies,
  DefaultNamespaceEntityPolicy,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
} = require('@backstage/catalog-model');
const { templateEntityV1beta3Validator } = require('@backstage/plugin-scaffolder-common');
const { createFetchTemplateAction } = require('@backstage/plugin-scaffolder-backend');
const {
  createPublishGithubPullRequestAction,
} = require('@backstage/plugin-scaffolder-backend-module-github');
// The workflow runner is not part of the package's public exports; load the very file the
// scaffolder backend runs.
const { NunjucksWorkflowRunner } = require(
  path.join(
    path.dirname(require.resolve('@backstage/plugin-scaffolder-backend')),
    'scaffolder/tasks/NunjucksWorkflowRunner.cjs.js',
  ),
);

const TEMPLATE = path.resolve(here, '..', 'template.yaml');
const USER_REF = 'user:default/jdoe';
const USER_ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'jdoe', namespace: 'default' },
  spec: { profile: { displayName: 'Jane Doe', email: 'jdoe@example.com' }, memberOf: [] },
};

function fail(message) {
  process.stderr.write(`run-template: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------
// The template entity

function loadTemplate() {
  const text = fs.readFileSync(TEMPLATE, 'utf8');
  const docs = YAML.parseAllDocuments(text);
  if (docs.length !== 1 || docs[0].errors.length) {
    fail(`${TEMPLATE}: not one YAML document: ${docs[0]?.errors.join('; ')}`);
  }
  return docs[0].toJS({ maxAliasCount: -1 });
}

// The catalog's default entity policies.
const policies = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);

/** What the catalog would say about an entity: the kind's schema and the default policies. */
async function catalogProblems(entity, validator) {
  const problems = [];
  try {
    const checked = await policies.enforce(structuredClone(entity));
    if (!(await validator.check(checked))) {
      problems.push(`not a ${entity.apiVersion} ${entity.kind} for this validator`);
    }
  } catch (e) {
    problems.push(String(e.message ?? e));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Validation: the form (ajv, as @rjsf/validator-ajv8) and the backend (jsonschema)

/** extractSchemaFromStep of @backstage/plugin-scaffolder-react: the schema without `ui:*`. */
function stripUi(node) {
  if (Array.isArray(node)) return node.map(stripUi);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (!k.startsWith('ui:')) out[k] = stripUi(v);
  }
  return out;
}

function fieldOf(instancePath, missing) {
  if (missing) return missing;
  return instancePath.split('/').filter(Boolean)[0] ?? '';
}

function formValidators(steps) {
  // The options of @rjsf/validator-ajv8's createAjvInstance (AJV_CONFIG).
  const ajv = new Ajv({ allErrors: true, multipleOfPrecision: 8, strict: false, verbose: true });
  return steps.map(step => ({ title: step.title, validate: ajv.compile(stripUi(step)) }));
}

function validateForm(validators, values) {
  const errors = [];
  for (const { title, validate } of validators) {
    if (!validate(values)) {
      for (const e of validate.errors) {
        errors.push({
          step: title,
          field: fieldOf(e.instancePath, e.params?.missingProperty),
          keyword: e.keyword,
          message: `${e.instancePath || '/'} ${e.message}`,
        });
      }
    }
  }
  return { valid: errors.length === 0, errors };
}

function validateBackend(steps, values) {
  const errors = [];
  for (const step of steps) {
    const result = jsonschema.validate(values, step);
    for (const e of result.errors) {
      const prop = e.property.replace(/^instance\.?/, '');
      errors.push({
        step: step.title,
        field: e.name === 'required' ? e.argument : prop.split(/[.[]/)[0],
        keyword: e.name,
        message: e.stack,
      });
    }
  }
  return { valid: errors.length === 0, errors };
}

// ---------------------------------------------------------------------------------------
// The run

const silentLogger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

function makeRunner(pullRequests) {
  const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
  const reader = {
    async readUrl() {
      throw new Error('the reader is not used for a relative skeleton url');
    },
    async readTree() {
      throw new Error('the reader is not used for a relative skeleton url');
    },
    async search() {
      throw new Error('the reader is not used');
    },
  };
  // A GitHub client that records the pull request instead of creating it.
  const clientFactory = async ({ owner, repo, host }) => ({
    async createPullRequest(options) {
      const number = pullRequests.length + 1;
      pullRequests.push({ host, owner, repo, options });
      return {
        data: {
          html_url: `https://${host}/${owner}/${repo}/pull/${number}`,
          number,
          base: { ref: options.base ?? 'main' },
        },
      };
    },
  });
  const actions = new Map(
    [
      createFetchTemplateAction({ reader, integrations }),
      createPublishGithubPullRequestAction({
        integrations,
        githubCredentialsProvider: { getCredentials: async () => ({ type: 'token', token: 'x' }) },
        clientFactory,
        config: new ConfigReader({}),
      }),
    ].map(a => [a.id, a]),
  );
  const workingDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'appspec-scaffolder-'));
  const runner = new NunjucksWorkflowRunner({
    actionRegistry: {
      async get(id) {
        const action = actions.get(id);
        if (!action) throw new Error(`action ${id} is not registered in this test`);
        return action;
      },
      async list() {
        return [...actions.values()];
      },
    },
    integrations,
    workingDirectory,
    logger: silentLogger,
    metrics: {
      createCounter: () => ({ add() {} }),
      createHistogram: () => ({ record() {} }),
    },
  });
  return { runner, workingDirectory };
}

/** The task the scaffolder's router would dispatch for these values. */
function taskFor(template, parameters, logs) {
  const taskId = randomUUID();
  return {
    taskId,
    spec: {
      apiVersion: template.apiVersion,
      steps: template.spec.steps.map((step, index) => ({
        ...step,
        id: step.id ?? `step-${index + 1}`,
        name: step.name ?? step.action,
      })),
      output: template.spec.output ?? {},
      parameters,
      user: { entity: USER_ENTITY, ref: USER_REF },
      templateInfo: {
        entityRef: `template:default/${template.metadata.name}`,
        baseUrl: `file://${TEMPLATE}`,
        entity: { metadata: template.metadata },
      },
    },
    secrets: { backstageToken: 'test-token' },
    createdBy: USER_REF,
    isDryRun: false,
    cancelSignal: new AbortController().signal,
    async getWorkspaceName() {
      return taskId;
    },
    async getInitiatorCredentials() {
      return {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef: USER_REF },
      };
    },
    async emitLog(message) {
      logs.push(message);
    },
    async getTaskState() {
      return undefined;
    },
    async updateCheckpoint() {},
    async serializeWorkspace() {},
    async cleanWorkspace() {},
    async complete() {},
  };
}

function writeRepoFiles(root, files) {
  const written = [];
  for (const [file, entry] of Object.entries(files)) {
    const target = path.resolve(root, file);
    if (!target.startsWith(root + path.sep)) {
      throw new Error(`the pull request writes outside the repository: ${file}`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Buffer.from(entry.content, entry.encoding ?? 'utf-8'));
    written.push(file);
  }
  return written.sort();
}

// ---------------------------------------------------------------------------------------

async function runCase(template, steps, validators, runner, pullRequests, { id, parameters }, outDir) {
  if (!/^[a-z0-9][-a-z0-9_.]*$/.test(id)) fail(`bad case id ${JSON.stringify(id)}`);
  const result = {
    id,
    form: validateForm(validators, parameters),
    backend: validateBackend(steps, parameters),
  };
  const logs = [];
  const before = pullRequests.length;
  try {
    const { output } = await runner.execute(taskFor(template, parameters, logs));
    const pr = pullRequests[before];
    if (!pr) throw new Error('the template opened no pull request');
    const caseDir = path.join(path.resolve(outDir), id);
    const repoDir = path.join(caseDir, 'repo');
    const files = writeRepoFiles(repoDir, pr.options.changes[0].files);
    const summary = {
      host: pr.host,
      owner: pr.owner,
      repo: pr.repo,
      title: pr.options.title,
      branch: pr.options.head,
      base: pr.options.base ?? null,
      body: pr.options.body,
      commitMessage: pr.options.changes[0].commit,
      files,
    };
    fs.writeFileSync(path.join(caseDir, 'pr.json'), JSON.stringify(summary, null, 2));
    const catalogInfo = files.find(f => path.basename(f) === 'catalog-info.yaml');
    result.run = {
      ok: true,
      repoDir,
      pr: summary,
      output,
      catalogProblems: catalogInfo
        ? await catalogProblems(
            YAML.parse(fs.readFileSync(path.join(repoDir, catalogInfo), 'utf8')),
            componentEntityV1alpha1Validator,
          )
        : ['no catalog-info.yaml'],
    };
  } catch (e) {
    result.run = { ok: false, error: String(e.message ?? e), logs: logs.slice(-20) };
  }
  return result;
}

async function main() {
  const [casesFile, outDir] = process.argv.slice(2);
  if (!casesFile || !outDir) fail('usage: node run-template.mjs CASES.json OUT_DIR');
  const { cases } = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
  fs.mkdirSync(outDir, { recursive: true });

  const template = loadTemplate();
  const templateProblems = await catalogProblems(template, templateEntityV1beta3Validator);
  const steps = [template.spec.parameters ?? []].flat();
  let validators;
  try {
    validators = formValidators(steps);
  } catch (e) {
    templateProblems.push(`the form schema does not compile: ${e.message}`);
  }
  const results = { template: { file: TEMPLATE, problems: templateProblems }, cases: [] };
  if (templateProblems.length) {
    fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
    process.stderr.write(`run-template: ${templateProblems.join('\n')}\n`);
    process.exit(1);
  }

  // A few runners side by side (each with its own recorded pull requests), for speed.
  const queue = cases.map((c, index) => ({ ...c, index }));
  const worker = async () => {
    const pullRequests = [];
    const { runner, workingDirectory } = makeRunner(pullRequests);
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        results.cases[next.index] = await runCase(
          template, steps, validators, runner, pullRequests, next, outDir,
        );
      }
    } finally {
      fs.rmSync(workingDirectory, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, cases.length) }, worker));
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
}

main().catch(e => fail(e.stack ?? String(e)));
