#!/usr/bin/env node
// Fills in examples/backstage/template.yaml the way a person does, in Chromium, through
// Backstage's own scaffolder Stepper (app.jsx, bundled here with esbuild), and reports what
// the person saw and what the form submitted.
//
//   node run-browser.mjs OUT_DIR [SCREENSHOT_DIR]
//
// The form is the "Create" page's: the manifest the scaffolder backend serves for the
// template (GET /v2/templates/.../parameter-schema: one step per parameter set), rendered by
// `Stepper` of @backstage/plugin-scaffolder-react 2.1.0 with its own validator
// (`customizeValidator()` + `ajv-errors`), rjsf 5.24.13 and its Material UI theme. The
// scenarios are in scenarios.mjs: happy paths typed in from an empty form, every
// conditional group, every refusal, and the five findings of issue 26.
//
// OUT_DIR/results.json: {"scenarios": [{"id", "kind", "problems": [...], ...}],
// "submitted": [{"id", "values"}], "timings": {...}}. A scenario passes when its problems
// are empty; the caller (tests/backstage_browser.rs) fails on any problem and turns the
// submitted values into AppSpecs. Screenshots of the filled-in steps go to SCREENSHOT_DIR
// (default OUT_DIR/screenshots). The exit code is 0 unless the script itself failed.
//
// Chromium: $CHROMIUM or /usr/bin/chromium (Debian's package), started headless with the
// flags this machine needs (no sandbox as root, no background networking) and a fresh
// profile directory.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';
import YAML from 'yaml';
import { HAPPY, REFUSALS, CONDITIONALS, FORBIDDEN } from './scenarios.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TEMPLATE = path.resolve(here, '..', 'template.yaml');

function fail(message) {
  process.stderr.write(`run-browser: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------
// The page

/** What GET /v2/templates/:namespace/:kind/:name/parameter-schema answers (JSON). */
function manifestOf(template) {
  const parameters = [template.spec.parameters ?? []].flat();
  return JSON.parse(
    JSON.stringify({
      title: template.metadata.title ?? template.metadata.name,
      description: template.metadata.description,
      steps: parameters.map(schema => ({
        title: schema.title ?? 'Please enter the following information',
        description: schema.description,
        schema,
      })),
    }),
  );
}

async function buildPage(dir) {
  fs.mkdirSync(dir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(here, 'app.jsx')],
    bundle: true,
    outdir: dir,
    jsx: 'automatic',
    loader: { '.js': 'jsx', '.svg': 'dataurl', '.png': 'dataurl' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    minify: true,
    logLevel: 'error',
  });
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>Create a new component</title>' +
      '<link rel="stylesheet" href="app.css"></head>' +
      '<body style="margin:0"><div id="root" style="max-width:960px;margin:16px auto"></div>' +
      '<script src="app.js"></script></body></html>',
  );
  return `file://${path.join(dir, 'index.html')}`;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Two pages run side by side: neither may be throttled as a background tab.
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
];

// ---------------------------------------------------------------------------------------
// What a person does

const pause = ms => new Promise(resolve => setTimeout(resolve, ms));

/** The schema node of a field anywhere in a step (its properties or a dependency branch). */
function fieldSchema(node, name) {
  if (node === null || typeof node !== 'object') return undefined;
  if (node.properties?.[name]?.title) return node.properties[name];
  for (const v of Object.values(node)) {
    const found = fieldSchema(v, name);
    if (found) return found;
  }
  return undefined;
}

class Person {
  constructor(page, manifest, errors) {
    this.page = page;
    this.manifest = manifest;
    this.errors = errors;
  }

  async open(url, initialState) {
    // The page is loaded once; each scenario renders a new form into it.
    if (this.page.url() !== url) await this.page.goto(url);
    await this.page.evaluate(
      (m, s) => window.renderStepper(m, s),
      this.manifest,
      initialState ?? null,
    );
    await this.until(() => document.querySelector('form [id^="root_"]') !== null);
  }

  /** Waits for a condition in the page, polling on a timer: two pages run side by side,
   * and the one behind gets no animation frames, so nothing here waits for one. */
  async until(condition, arg) {
    await this.page.waitForFunction(condition, { polling: 50, timeout: 5000 }, arg);
  }

  async activeStep() {
    return this.page.evaluate(
      () => document.querySelector('.MuiStepLabel-active')?.innerText.trim() ?? '',
    );
  }

  /** Types, picks or ticks one field; `undefined` or '' empties a text field. */
  async set(name, value) {
    const page = this.page;
    const sel = `#root_${name}`;
    const found = await this.until(s => document.querySelector(s) !== null, sel).then(
      () => true,
      () => false,
    );
    if (!found) throw new Error(`no field ${name} on step "${await this.activeStep()}"`);
    const kind = await page.$eval(sel, e =>
      e.getAttribute('role') === 'button' ? 'select' : e.type === 'checkbox' ? 'checkbox' : 'text',
    );
    if (kind === 'checkbox') {
      if ((await page.$eval(sel, e => e.checked)) !== Boolean(value)) await page.click(sel);
    } else if (kind === 'select') {
      const step = this.manifest.steps.find(s => fieldSchema(s.schema, name));
      const schema = fieldSchema(step.schema, name);
      const index = schema.enum.indexOf(value);
      if (index < 0) throw new Error(`${name}: ${value} is not offered`);
      const label = String(schema.enumNames?.[index] ?? value);
      // Open the menu, wait until it has stopped moving (Material UI grows it into place),
      // click the option, and check that the select shows it.
      for (let attempt = 1; ; attempt++) {
        await page.click(sel);
        await this.until(() => {
          const paper = document.querySelector('ul[role="listbox"]')?.parentElement;
          if (!paper || getComputedStyle(paper).opacity !== '1') return false;
          const r = JSON.stringify(paper.getBoundingClientRect());
          const still = paper.dataset.rect === r;
          paper.dataset.rect = r;
          return still;
        });
        const options = await page.$$('ul[role="listbox"] li[role="option"]');
        let option;
        for (const o of options) {
          if ((await o.evaluate(e => e.innerText.trim())) === label) option = o;
        }
        if (!option) throw new Error(`${name}: no option "${label}"`);
        await option.click();
        await this.until(() => document.querySelector('ul[role="listbox"]') === null);
        const shown = await page.$eval(sel, e => e.innerText.trim());
        if (shown === label) break;
        if (attempt === 3) throw new Error(`${name}: picked "${label}", the form shows "${shown}"`);
      }
    } else {
      await page.click(sel, { clickCount: 3 });
      await page.keyboard.down('Control');
      await page.keyboard.press('a');
      await page.keyboard.up('Control');
      await page.keyboard.press('Backspace');
      if (value !== undefined && value !== '') await page.type(sel, String(value));
    }
  }

  async fill(values) {
    for (const [name, value] of Object.entries(values)) await this.set(name, value);
  }

  /** Presses the submit button ("Next" or "Review") and waits for the form's answer. */
  async next() {
    const before = await this.activeStep();
    await this.page.click('form button[type="submit"]');
    for (let i = 0; i < 40; i++) {
      await pause(50);
      const now = await this.activeStep();
      if (now !== before) return true;
      const blocked = await this.page.evaluate(
        () =>
          document.querySelector('[id^="root_"][id$="__error"]') !== null ||
          !document.querySelector('form').checkValidity(),
      );
      if (blocked && i > 3) return false;
    }
    return false;
  }

  /** What the person sees on the current step. */
  async observe() {
    return this.page.evaluate(() => {
      const form = document.querySelector('form');
      const idOf = e => e.id || e.getAttribute('name') || '';
      const fields = [];
      for (const e of form.querySelectorAll('[id^="root_"]')) {
        const m = /^root_([A-Za-z0-9]+)$/.exec(e.id);
        if (m && !fields.includes(m[1]) && e.offsetParent !== null) fields.push(m[1]);
      }
      const errors = {};
      for (const e of form.querySelectorAll('[id^="root_"][id$="__error"]')) {
        const name = e.id.slice(5, -7);
        (errors[name] ??= []).push(e.innerText.trim());
      }
      // The list at the top of the form (showErrorList: "top").
      const first = form.firstElementChild;
      const errorList =
        first && !first.classList.contains('form-group')
          ? [...first.querySelectorAll('li')].map(li => li.innerText.trim())
          : [];
      // The browser's own constraint validation (required, min, max), which blocks the
      // submit before the form's validator runs.
      const native = {};
      for (const e of form.querySelectorAll(':invalid')) {
        const name = idOf(e).replace(/^root_/, '');
        if (name && e.validationMessage) native[name] = e.validationMessage;
      }
      const placeholders = {};
      for (const e of form.querySelectorAll('input[id^="root_"]')) {
        if (e.placeholder) placeholders[e.id.slice(5)] = e.placeholder;
      }
      return {
        step: document.querySelector('.MuiStepLabel-active')?.innerText.trim() ?? '',
        fields,
        errors,
        errorList,
        native,
        placeholders,
        text: form.innerText,
      };
    });
  }

  async screenshot(file) {
    // As the person sees the step once they look up from the last field.
    await this.page.evaluate(() => document.activeElement?.blur());
    await pause(400);
    await this.page.screenshot({ path: file, fullPage: true });
  }
}

// ---------------------------------------------------------------------------------------
// The scenarios

const norm = s => s.replace(/\s+/g, ' ').trim();

/** Every message a person reads, checked against the phrases that say nothing. */
function vagueMessages(seen) {
  const messages = [...Object.values(seen.errors).flat(), ...seen.errorList];
  return messages.filter(m => FORBIDDEN.some(f => m.includes(f)) || m.length > 400);
}

/** Every schema node of a field in a step: its property and those of each alternative. */
function fieldSchemas(node, name, out = []) {
  if (node === null || typeof node !== 'object') return out;
  if (node.properties?.[name]?.title) out.push(node.properties[name]);
  for (const v of Object.values(node)) fieldSchemas(v, name, out);
  return out;
}

/** The descriptions of the step and of its visible fields, as the person reads them: each
 * word of the description as written (a code span's text as written), nothing dropped. */
function descriptionProblems(step, seen) {
  const problems = [];
  const text = norm(seen.text);
  const shown = d => text.includes(norm(d.replace(/`/g, '')));
  if (step.description && !shown(step.description)) {
    problems.push(`the step's description is shown differently: "${step.description}"`);
  }
  for (const name of seen.fields) {
    // A field of several alternatives shows the description of the chosen one.
    const descriptions = fieldSchemas(step.schema, name).map(s => s.description).filter(Boolean);
    if (descriptions.length && !descriptions.some(shown)) {
      problems.push(`${name}: the description is shown differently: "${descriptions[0]}"`);
    }
  }
  return problems;
}

async function happyPath(person, url, scenario, shotDir, log) {
  const problems = [];
  await person.open(url);
  const stepsSeen = [];
  for (const [index, values] of scenario.steps.entries()) {
    const title = person.manifest.steps[index].title;
    const step = await person.activeStep();
    if (step !== title) {
      problems.push(`step ${index + 1}: the form shows "${step}", not "${title}"`);
      break;
    }
    await person.fill(values);
    const seen = await person.observe();
    stepsSeen.push({ step, fields: seen.fields, placeholders: seen.placeholders });
    problems.push(...descriptionProblems(person.manifest.steps[index], seen).map(p => `${step}: ${p}`));
    const expected = scenario.fields?.[index];
    if (expected && JSON.stringify(seen.fields) !== JSON.stringify(expected)) {
      problems.push(`${step}: fields ${seen.fields.join(', ')}; expected ${expected.join(', ')}`);
    }
    if (scenario.screenshots) {
      await person.screenshot(path.join(shotDir, `${index + 1}-${title.toLowerCase()}.png`));
    }
    if (!(await person.next())) {
      const after = await person.observe();
      problems.push(
        `${step}: refused: ${JSON.stringify({ errors: after.errors, native: after.native })}`,
      );
      break;
    }
  }
  let values;
  if (!problems.length) {
    const review = await person.activeStep();
    if (review !== 'Review') problems.push(`after the last step: "${review}", not Review`);
    if (scenario.screenshots) {
      await person.screenshot(path.join(shotDir, `${scenario.steps.length + 1}-review.png`));
    }
    const [create] = await person.page.$$('xpath/.//button[normalize-space(.)="Create"]');
    if (!create) problems.push('no Create button on the review step');
    else {
      await create.click();
      await person.until(() => window.submitted !== undefined);
      values = await person.page.evaluate(() => window.submitted);
      for (const [k, v] of Object.entries(scenario.submits ?? {})) {
        if (JSON.stringify(values[k]) !== JSON.stringify(v)) {
          problems.push(`submitted ${k} = ${JSON.stringify(values[k])}, expected ${JSON.stringify(v)}`);
        }
      }
    }
  }
  log(`${scenario.id}: ${problems.length ? 'FAILED' : 'ok'}`);
  return { result: { id: scenario.id, kind: 'happy', steps: stepsSeen, problems }, values };
}

/** A refusal: the base values as initial state, Next up to the step, then the bad input. */
async function refusal(person, url, scenario, base, shotDir, log) {
  const problems = [];
  await person.open(url, base);
  for (let i = 0; i < scenario.step; i++) {
    if (!(await person.next())) {
      problems.push(`the base values are refused on step ${i + 1}`);
      return { id: scenario.id, kind: 'refusal', problems };
    }
  }
  await person.fill(scenario.set);
  const step = await person.activeStep();
  const advanced = await person.next();
  const seen = await person.observe();
  if (advanced) problems.push(`${step}: accepted ${JSON.stringify(scenario.set)}`);
  const field = scenario.field;
  const own = seen.native[field] ? [seen.native[field]] : (seen.errors[field] ?? []);
  if (!own.length) problems.push(`no message on ${field}: ${JSON.stringify(seen.errors)}`);
  for (const other of [...Object.keys(seen.errors), ...Object.keys(seen.native)]) {
    if (other !== field) problems.push(`a message on another field, ${other}`);
  }
  if (!own.some(m => scenario.message.test(m))) {
    problems.push(`${field}: ${JSON.stringify(own)} does not match ${scenario.message}`);
  }
  if (scenario.screenshot) await person.screenshot(path.join(shotDir, scenario.screenshot));
  const vague = vagueMessages(seen);
  if (vague.length) problems.push(`messages that do not name the problem: ${JSON.stringify(vague)}`);
  // The list at the top repeats the field's messages, after the field's title (or, for a
  // field a choice adds, its name in words: 'Nas Subpath'). Not for the browser's own
  // bubbles, which block the submit before the form validates.
  if (!seen.native[field]) {
    for (const m of own) {
      if (!seen.errorList.some(line => /^'[^']+' /.test(line) && line.endsWith(` ${m}`))) {
        problems.push(`the list at the top lacks "${m}": ${JSON.stringify(seen.errorList)}`);
      }
    }
  }
  log(`${scenario.id}: ${problems.length ? 'FAILED' : 'ok'} (${own[0] ?? '-'})`);
  // The values refused, as the form holds them (an emptied field is absent), so that the
  // caller can ask the function about the same input.
  const values = { ...base, ...scenario.set };
  for (const [k, v] of Object.entries(values)) if (v === '') delete values[k];
  return {
    id: scenario.id,
    kind: 'refusal',
    step,
    field,
    messages: own,
    errorList: seen.errorList,
    native: Boolean(seen.native[field]),
    values,
    problems,
  };
}

/** A conditional group: the fields a choice shows, in order, and what they display. */
async function conditional(person, url, scenario, base, log) {
  const problems = [];
  await person.open(url, base);
  for (let i = 0; i < scenario.step; i++) await person.next();
  for (const values of scenario.set) await person.fill(values);
  const seen = await person.observe();
  if (JSON.stringify(seen.fields) !== JSON.stringify(scenario.fields)) {
    problems.push(`fields ${seen.fields.join(', ')}; expected ${scenario.fields.join(', ')}`);
  }
  for (const [name, want] of Object.entries(scenario.placeholders ?? {})) {
    if ((seen.placeholders[name] ?? '') !== want) {
      problems.push(`${name}: placeholder "${seen.placeholders[name] ?? ''}", expected "${want}"`);
    }
  }
  for (const t of scenario.text ?? []) {
    if (!norm(seen.text).includes(t)) problems.push(`the step does not read "${t}"`);
  }
  problems.push(...descriptionProblems(person.manifest.steps[scenario.step], seen));
  log(`${scenario.id}: ${problems.length ? 'FAILED' : 'ok'}`);
  return { id: scenario.id, kind: 'conditional', fields: seen.fields, placeholders: seen.placeholders, problems };
}

// ---------------------------------------------------------------------------------------

async function main() {
  const [outDir, shotArg] = process.argv.slice(2);
  if (!outDir) fail('usage: node run-browser.mjs OUT_DIR [SCREENSHOT_DIR]');
  const shotDir = path.resolve(shotArg ?? path.join(outDir, 'screenshots'));
  fs.mkdirSync(shotDir, { recursive: true });
  const timings = {};
  let t = Date.now();
  const template = YAML.parse(fs.readFileSync(TEMPLATE, 'utf8'), { maxAliasCount: -1 });
  const manifest = manifestOf(template);
  const url = await buildPage(path.resolve(outDir, 'page'));
  timings.bundleMs = Date.now() - t;

  const results = { scenarios: [], submitted: [], timings };
  const logs = [];
  const log = line => logs.push(line);
  const pageErrors = [];
  // One Chromium per worker, each with one page in front: a page behind another gets no
  // frames, and puppeteer's clicks wait for one.
  const browsers = [];
  const launch = async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'appspec-chromium-'));
    const browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      userDataDir: profile,
      args: CHROMIUM_ARGS,
      protocolTimeout: 20_000,
    });
    browsers.push({ browser, profile });
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 900 });
    page.on('pageerror', e => pageErrors.push(String(e.message ?? e)));
    return new Person(page, manifest, pageErrors);
  };
  try {
    t = Date.now();
    const byId = Object.fromEntries(HAPPY.map(h => [h.id, h]));
    const baseValues = id => {
      const h = byId[id];
      if (!h) throw new Error(`no happy path ${id}`);
      return Object.assign({}, ...h.steps, h.initial ?? {});
    };
    // Two workers side by side (the machine has two cores); each runs its share in order.
    const only = process.env.SCENARIOS ? new RegExp(process.env.SCENARIOS) : null;
    const jobs = [
      ...HAPPY.map(s => ({
        id: s.id,
        run: async p => {
          const { result, values } = await happyPath(p, url, s, shotDir, log);
          results.scenarios.push(result);
          if (values) results.submitted.push({ id: s.id, values });
        },
      })),
      ...CONDITIONALS.map(s => ({
        id: s.id,
        run: async p => results.scenarios.push(await conditional(p, url, s, baseValues(s.base), log)),
      })),
      ...REFUSALS.map(s => ({
        id: s.id,
        run: async p => results.scenarios.push(await refusal(p, url, s, baseValues(s.base), shotDir, log)),
      })),
    ].filter(job => !only || only.test(job.id));
    const worker = async () => {
      const t0 = Date.now();
      let person = await launch();
      timings.launchMs = Math.max(timings.launchMs ?? 0, Date.now() - t0);
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        try {
          await job.run(person);
        } catch (e) {
          log(`${job.id}: FAILED`);
          results.scenarios.push({ id: job.id, kind: 'error', problems: [String(e.stack ?? e)] });
          // A browser that stopped answering is not used again.
          await person.page.browser().close().catch(() => {});
          person = await launch();
        }
      }
    };
    await Promise.all([worker(), worker()]);
    timings.scenariosMs = Date.now() - t;
  } finally {
    for (const { browser, profile } of browsers) {
      await browser.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }
  if (pageErrors.length) {
    results.scenarios.push({ id: 'page-errors', kind: 'error', problems: pageErrors });
  }
  results.scenarios.sort((a, b) => a.id.localeCompare(b.id));
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`${logs.join('\n')}\n`);
}

main().catch(e => fail(e.stack ?? String(e)));
