#!/usr/bin/env node
// @ts-check
// Enforces the dependency direction of ARCHITECTURE.md ("Dependency direction"):
//
//   lockfile   audit   remote   leaves: no @mcptrust dependency
//   hosts                        → lockfile (its atomic file writer)
//   drift signing policy artifact → lockfile only, and drift/artifact → remote (the
//                                  address guard and the HTTP upstream client); siblings
//                                  never import each other; no arrow to audit, so audit is
//                                  not allowed for them either)
//   proxy-core                   → lockfile, drift, policy, audit, remote
//   apps (cli, action)           → any library package
//   nothing depends on an app; @mcptrust/tooling only as a devDependency, used by tests
//
// Bundled apps: an app whose package.json says `"mcptrust": { "bundled": true }` ships a
// bundle (its build step inlines the libraries), so it takes @mcptrust libraries as
// devDependencies, never as dependencies: listed as dependencies they would be fetched
// again on install (and fail, as they are not published with it). Its src may import
// them from devDependencies. A bundled app must have a `build` script.
//
// Checks, per workspace package (packages/*, apps/*, tooling):
//   dependency          package.json @mcptrust/* dependencies follow the table above
//   workspace-protocol  they use "workspace:^" (@mcptrust/tooling, private and never
//                       published, may also use "workspace:*")
//   bundled             a bundled app lists @mcptrust libraries only in devDependencies
//                       and has a build script; only apps may say they are bundled
//   tsconfig-reference  tsconfig.json `references` list exactly those packages
//   import              every import/export-from/import()/require()/jest module mock in
//                       src/**/*.ts and test/**/*.ts names only declared @mcptrust
//                       packages (src: dependencies only, or devDependencies too in a
//                       bundled app; tests: devDependencies too)
//   relative-import     relative specifiers stay inside the package folder
//   library-output      library src (packages/*/src) never touches console.*,
//                       process.stdout/stderr or process.exit/exitCode/abort (comments
//                       and strings do not count: the check reads the syntax tree)
//
// Usage: node tooling/scripts/check-boundaries.mjs [--root DIR] [PACKAGE_DIR]
//   Without PACKAGE_DIR the whole repository is checked; --root defaults to the repository
//   this script lives in. Violations go to stderr as `path:line: message [rule]`; exit 1
//   if there is any, else exit 0 with a one-line summary on stdout. Exit 2 on bad usage.

import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * @typedef {'manifest' | 'dependency' | 'workspace-protocol' | 'bundled' | 'tsconfig-reference' | 'import' | 'relative-import' | 'library-output'} BoundaryRule
 */

/**
 * One broken rule.
 * @typedef {object} BoundaryViolation
 * @property {string} file path relative to the repository root, with `/` separators
 * @property {number} line 1-based line number (1 when the whole file is concerned)
 * @property {BoundaryRule} rule which rule was broken
 * @property {string} message one sentence saying what is wrong and what is allowed
 */

/**
 * @typedef {object} CheckBoundariesOptions
 * @property {string} [only] check only this package folder (absolute, or relative to the root)
 */

/**
 * @typedef {object} BoundaryReport
 * @property {BoundaryViolation[]} violations every violation, in a stable order
 * @property {number} packages how many workspace packages were checked
 * @property {number} files how many source files were read
 */

/**
 * @typedef {object} Workspace
 * @property {string} name
 * @property {string} dir
 * @property {'library' | 'app' | 'tooling'} kind
 * @property {Record<string, any>} manifest
 * @property {string} manifestText
 */

/** Allowed @mcptrust dependencies of each library package (packages/*). */
export const LIBRARY_DEPENDENCIES = Object.freeze({
  '@mcptrust/lockfile': Object.freeze([]),
  '@mcptrust/audit': Object.freeze([]),
  '@mcptrust/remote': Object.freeze([]),
  '@mcptrust/hosts': Object.freeze(['@mcptrust/lockfile']),
  '@mcptrust/drift': Object.freeze(['@mcptrust/lockfile', '@mcptrust/remote']),
  '@mcptrust/signing': Object.freeze(['@mcptrust/lockfile']),
  '@mcptrust/policy': Object.freeze(['@mcptrust/lockfile']),
  '@mcptrust/artifact': Object.freeze(['@mcptrust/lockfile', '@mcptrust/remote']),
  '@mcptrust/proxy-core': Object.freeze([
    '@mcptrust/lockfile',
    '@mcptrust/drift',
    '@mcptrust/policy',
    '@mcptrust/audit',
    '@mcptrust/remote',
  ]),
});

/** The private test-helper package: tests may use it, nothing ships with it. */
export const TEST_HELPER_PACKAGE = '@mcptrust/tooling';

/**
 * Whether a package says it ships a bundle (`"mcptrust": { "bundled": true }` in its
 * package.json): its libraries are inlined at build time, not installed with it.
 * @param {Record<string, any>} manifest
 */
export function isBundled(manifest) {
  const own = manifest.mcptrust;
  return own !== null && typeof own === 'object' && own.bundled === true;
}

const RUNTIME_SECTIONS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
const ALL_SECTIONS = [...RUNTIME_SECTIONS, 'devDependencies'];
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);
// Calls whose first argument names a module, besides import() itself.
const MODULE_LOADERS = new Set([
  'require',
  'require.resolve',
  'import.meta.resolve',
  'jest.mock',
  'jest.doMock',
  'jest.unstable_mockModule',
  'jest.requireActual',
  'jest.requireMock',
  'jest.createMockFromModule',
]);
const OUTPUT_MEMBERS = {
  process: new Set(['stdout', 'stderr', 'exit', 'exitCode', 'abort']),
};

/**
 * Checks the repository at `rootDir` and returns every violation (empty when clean).
 * @param {string} rootDir the repository root (holds packages/, apps/, tooling/)
 * @param {CheckBoundariesOptions} [options]
 * @returns {BoundaryViolation[]}
 */
export function checkBoundaries(rootDir, options = {}) {
  return runBoundaryChecks(rootDir, options).violations;
}

/**
 * Like {@link checkBoundaries}, with the counts the command line prints.
 * @param {string} rootDir
 * @param {CheckBoundariesOptions} [options]
 * @returns {BoundaryReport}
 */
export function runBoundaryChecks(rootDir, options = {}) {
  const root = resolve(rootDir);
  const workspaces = findWorkspaces(root);
  let selected = workspaces;
  if (options.only !== undefined) {
    const wanted = resolve(root, options.only);
    selected = workspaces.filter((ws) => ws.dir === wanted);
    if (selected.length === 0) throw new Error(`not a workspace package folder: ${options.only}`);
  }
  const context = { root, workspaces, byName: new Map(workspaces.map((ws) => [ws.name, ws])) };
  /** @type {BoundaryViolation[]} */
  const violations = [];
  let files = 0;
  for (const ws of selected) {
    checkManifest(context, ws, violations);
    checkTsconfig(context, ws, violations);
    for (const file of sourceFiles(ws)) {
      files++;
      checkSourceFile(context, ws, file, violations);
    }
  }
  return { violations, packages: selected.length, files };
}

/**
 * @param {string} root
 * @returns {Workspace[]}
 */
function findWorkspaces(root) {
  /** @type {Array<[string, 'library' | 'app' | 'tooling']>} */
  const dirs = [];
  for (const [group, kind] of /** @type {const} */ ([
    ['packages', 'library'],
    ['apps', 'app'],
  ])) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push([join(base, entry.name), kind]);
    }
  }
  dirs.push([join(root, 'tooling'), 'tooling']);
  /** @type {Workspace[]} */
  const workspaces = [];
  for (const [dir, kind] of dirs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifestText = readFileSync(file, 'utf8');
    /** @type {Record<string, any>} */
    let manifest;
    try {
      manifest = JSON.parse(manifestText);
    } catch {
      manifest = {};
    }
    const name = typeof manifest.name === 'string' ? manifest.name : relative(root, dir);
    workspaces.push({ name, dir, kind, manifest, manifestText });
  }
  return workspaces;
}

/**
 * @typedef {{ root: string, workspaces: Workspace[], byName: Map<string, Workspace> }} Context
 */

/**
 * @param {Context} context
 * @param {string} file absolute path
 */
function display(context, file) {
  return relative(context.root, file).split(sep).join('/');
}

/**
 * @param {Context} context
 * @param {string} name
 */
function isInternal(context, name) {
  return name.startsWith('@mcptrust/') || context.byName.has(name);
}

/**
 * The @mcptrust packages `ws` may depend on at run time.
 * @param {Context} context
 * @param {Workspace} ws
 * @returns {readonly string[]}
 */
function allowedFor(context, ws) {
  if (ws.kind === 'app') return context.workspaces.filter((other) => other.kind === 'library').map((other) => other.name);
  if (ws.kind === 'library') return /** @type {Record<string, readonly string[]>} */ (LIBRARY_DEPENDENCIES)[ws.name] ?? [];
  return [];
}

/**
 * @param {readonly string[]} names
 */
function describeAllowed(names) {
  return names.length === 0 ? 'no @mcptrust package' : names.join(', ');
}

/**
 * Line of `"key"` inside the block that starts at the line holding `"section"`.
 * @param {string} text
 * @param {string} section
 * @param {string} key
 */
function lineOfKey(text, section, key) {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(`"${section}"`));
  if (start === -1) return 1;
  for (let i = start; i < lines.length; i++) {
    if (lines[i]?.includes(`"${key}"`)) return i + 1;
  }
  return start + 1;
}

/**
 * @param {Workspace} ws
 * @param {readonly string[]} sections
 * @param {string} name
 */
function declaredIn(ws, sections, name) {
  return sections.some((section) => {
    const deps = ws.manifest[section];
    return deps !== null && typeof deps === 'object' && Object.hasOwn(deps, name);
  });
}

/**
 * @param {Context} context
 * @param {Workspace} ws
 * @param {BoundaryViolation[]} violations
 */
function checkManifest(context, ws, violations) {
  const file = display(context, join(ws.dir, 'package.json'));
  if (typeof ws.manifest.name !== 'string') {
    violations.push({ file, line: 1, rule: 'manifest', message: 'package.json must be valid JSON with a "name"' });
    return;
  }
  const allowed = allowedFor(context, ws);
  const bundled = isBundled(ws.manifest);
  if (bundled && ws.kind !== 'app') {
    violations.push({ file, line: lineOfKey(ws.manifestText, 'mcptrust', 'bundled'), rule: 'bundled', message: `${ws.name} is not an app: only apps are bundled (libraries are published as they are built)` });
  }
  if (bundled && typeof ws.manifest.scripts?.build !== 'string') {
    violations.push({ file, line: lineOfKey(ws.manifestText, 'mcptrust', 'bundled'), rule: 'bundled', message: `${ws.name} says it is bundled but has no "build" script to bundle it` });
  }
  for (const section of ALL_SECTIONS) {
    const deps = ws.manifest[section];
    if (deps === null || typeof deps !== 'object') continue;
    for (const [dep, spec] of Object.entries(deps)) {
      if (!isInternal(context, dep)) continue;
      const line = lineOfKey(ws.manifestText, section, dep);
      const target = context.byName.get(dep);
      const push = (/** @type {BoundaryRule} */ rule, /** @type {string} */ message) =>
        violations.push({ file, line, rule, message });
      if (dep === ws.name) {
        push('dependency', `${ws.name} lists itself in ${section}`);
        continue;
      }
      if (target?.kind === 'app') {
        push('dependency', `${ws.name} depends on the app ${dep}; nothing may depend on an app`);
        continue;
      }
      if (dep === TEST_HELPER_PACKAGE) {
        if (section !== 'devDependencies') {
          push('dependency', `${TEST_HELPER_PACKAGE} is for tests only: move it from ${section} to devDependencies`);
        }
        if (spec !== 'workspace:^' && spec !== 'workspace:*') {
          push('workspace-protocol', `${dep} must use "workspace:^", found ${JSON.stringify(spec)}`);
        }
        continue;
      }
      if (target === undefined) {
        push('dependency', `${dep} is not a package of this workspace`);
        continue;
      }
      if (ws.kind === 'library' && !Object.hasOwn(LIBRARY_DEPENDENCIES, ws.name)) {
        push(
          'dependency',
          `${ws.name} is not in the dependency picture of ARCHITECTURE.md; add it to LIBRARY_DEPENDENCIES in tooling/scripts/check-boundaries.mjs once the design allows ${dep}`,
        );
      } else if (!allowed.includes(dep)) {
        push('dependency', `${ws.name} must not depend on ${dep} (allowed: ${describeAllowed(allowed)})`);
      }
      if (spec !== 'workspace:^') {
        push('workspace-protocol', `${dep} must use "workspace:^", found ${JSON.stringify(spec)}`);
      }
      if (bundled && ws.kind === 'app' && section !== 'devDependencies') {
        push('bundled', `${ws.name} is bundled: ${dep} is inlined at build time, move it from ${section} to devDependencies`);
      }
    }
  }
}

/**
 * @param {Context} context
 * @param {Workspace} ws
 * @param {BoundaryViolation[]} violations
 */
function checkTsconfig(context, ws, violations) {
  /** @type {Set<string>} */
  const expected = new Set();
  for (const section of ALL_SECTIONS) {
    const deps = ws.manifest[section];
    if (deps === null || typeof deps !== 'object') continue;
    for (const dep of Object.keys(deps)) {
      const target = context.byName.get(dep);
      // The test helper is plain JavaScript: there is no project to reference.
      if (target !== undefined && dep !== ws.name && dep !== TEST_HELPER_PACKAGE) expected.add(dep);
    }
  }
  const path = join(ws.dir, 'tsconfig.json');
  const file = display(context, path);
  if (!existsSync(path)) {
    if (expected.size > 0) {
      violations.push({ file, line: 1, rule: 'tsconfig-reference', message: `${ws.name} has @mcptrust dependencies but no tsconfig.json` });
    }
    return;
  }
  const text = readFileSync(path, 'utf8');
  // tsconfig files are JSON with comments and trailing commas; TypeScript's own reader
  // accepts exactly what tsc accepts.
  const parsed = ts.parseConfigFileTextToJson(path, text);
  if (parsed.error !== undefined || parsed.config === null || typeof parsed.config !== 'object') {
    violations.push({ file, line: 1, rule: 'tsconfig-reference', message: 'tsconfig.json cannot be parsed' });
    return;
  }
  const lines = text.split('\n');
  const referencesLine = Math.max(1, lines.findIndex((line) => line.includes('"references"')) + 1);
  const references = Array.isArray(parsed.config.references) ? parsed.config.references : [];
  /** @type {Set<string>} */
  const actual = new Set();
  for (const reference of references) {
    const refPath = reference?.path;
    if (typeof refPath !== 'string') continue;
    const found = lines.findIndex((line) => line.includes(JSON.stringify(refPath)));
    const line = found === -1 ? referencesLine : found + 1;
    let targetDir = resolve(ws.dir, refPath);
    if (targetDir.endsWith('.json')) targetDir = dirname(targetDir);
    const target = context.workspaces.find((other) => other.dir === targetDir);
    if (target === undefined) {
      violations.push({ file, line, rule: 'tsconfig-reference', message: `reference ${refPath} is not a workspace package` });
    } else if (!expected.has(target.name)) {
      violations.push({
        file,
        line,
        rule: 'tsconfig-reference',
        message: `reference ${refPath} (${target.name}) is not a declared dependency of ${ws.name}`,
      });
    } else {
      actual.add(target.name);
    }
  }
  for (const name of expected) {
    if (actual.has(name)) continue;
    const target = /** @type {Workspace} */ (context.byName.get(name));
    const refPath = relative(ws.dir, target.dir).split(sep).join('/');
    violations.push({
      file,
      line: referencesLine,
      rule: 'tsconfig-reference',
      message: `references lack { "path": "${refPath}" } for the dependency ${name}`,
    });
  }
}

/**
 * @param {Workspace} ws
 * @returns {string[]} absolute paths of src/** and test/** TypeScript files, sorted
 */
function sourceFiles(ws) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path);
      } else if (entry.isFile() && SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) {
        files.push(path);
      }
    }
  };
  for (const top of ['src', 'test']) {
    const dir = join(ws.dir, top);
    if (existsSync(dir)) walk(dir);
  }
  return files.sort();
}

/**
 * @param {string} file
 */
function scriptKind(file) {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  return ts.ScriptKind.TS;
}

/**
 * Dotted name of a callee (`jest.unstable_mockModule`, `import.meta.resolve`), or ''.
 * @param {ts.Node} node
 * @returns {string}
 */
function calleeName(node) {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isMetaProperty(node)) return node.keywordToken === ts.SyntaxKind.ImportKeyword ? `import.${node.name.text}` : '';
  if (ts.isPropertyAccessExpression(node)) {
    const left = calleeName(node.expression);
    return left === '' ? '' : `${left}.${node.name.text}`;
  }
  return '';
}

/**
 * `console` / `process`, also reached through `globalThis.` or `global.`; else undefined.
 * @param {ts.Node} node
 */
function globalObjectName(node) {
  if (ts.isIdentifier(node) && (node.text === 'console' || node.text === 'process')) return node.text;
  if (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    (node.expression.text === 'globalThis' || node.expression.text === 'global') &&
    (node.name.text === 'console' || node.name.text === 'process')
  ) {
    return node.name.text;
  }
  return undefined;
}

/**
 * Whether `object.member` is a write to the terminal or an exit.
 * @param {string} object
 * @param {string} member
 */
function isOutputMember(object, member) {
  return object === 'console' || (object === 'process' && OUTPUT_MEMBERS.process.has(member));
}

/**
 * @param {string} object
 * @param {string} member
 */
function outputMessage(object, member) {
  if (object === 'process' && (member === 'exit' || member === 'exitCode' || member === 'abort')) {
    return `library code must not use process.${member}: throw the package error and let the CLI choose the exit code`;
  }
  return `library code must not write to the terminal (${object}.${member}): accept an optional logger instead`;
}

/**
 * @param {string} specifier
 */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * @param {string} parent
 * @param {string} child
 */
function isInside(parent, child) {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * @param {Context} context
 * @param {Workspace} ws
 * @param {string} path absolute path of the source file
 * @param {BoundaryViolation[]} violations
 */
function checkSourceFile(context, ws, path, violations) {
  const text = readFileSync(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
  const file = display(context, path);
  const isTest = isInside(join(ws.dir, 'test'), path);
  const checkOutput = ws.kind === 'library' && isInside(join(ws.dir, 'src'), path);
  /** @param {ts.Node} node */
  const lineOf = (node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  /**
   * @param {BoundaryRule} rule
   * @param {ts.Node} node
   * @param {string} message
   */
  const report = (rule, node, message) => violations.push({ file, line: lineOf(node), rule, message });

  /**
   * @param {string} specifier
   * @param {ts.Node} node
   */
  const checkSpecifier = (specifier, node) => {
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(path), specifier);
      if (!isInside(ws.dir, target)) {
        report('relative-import', node, `relative import "${specifier}" leaves ${display(context, ws.dir)}; import the package by name instead`);
      }
      return;
    }
    if (isAbsolute(specifier) || specifier.startsWith('file:')) {
      report('relative-import', node, `absolute import "${specifier}"; import the package by name instead`);
      return;
    }
    const name = packageNameOf(specifier);
    if (!isInternal(context, name)) return;
    const target = context.byName.get(name);
    if (name === ws.name) {
      if (!isTest) report('import', node, `src imports its own package "${specifier}"; use a relative import`);
      return;
    }
    if (target?.kind === 'app') {
      report('import', node, `imports the app ${name}; nothing may import an app`);
      return;
    }
    if (name === TEST_HELPER_PACKAGE) {
      if (!isTest) report('import', node, `${TEST_HELPER_PACKAGE} is for tests only; src must not import it`);
      else if (!declaredIn(ws, ['devDependencies'], name)) {
        report('import', node, `${name} is not declared; add it to devDependencies of ${ws.name}`);
      }
      return;
    }
    const runtime = declaredIn(ws, RUNTIME_SECTIONS, name);
    const dev = declaredIn(ws, ['devDependencies'], name);
    // A bundled app's src is inlined with what it imports: build-time dependencies suffice.
    if (runtime || (dev && (isTest || isBundled(ws.manifest)))) return;
    const allowed = allowedFor(context, ws);
    const hint = allowed.includes(name) ? '' : ` (and ${ws.name} may not depend on it; allowed: ${describeAllowed(allowed)})`;
    if (dev) {
      report('import', node, `src imports ${name}, which is only a devDependency of ${ws.name}${hint}`);
    } else {
      report('import', node, `${name} is not a declared dependency of ${ws.name}${hint}`);
    }
  };

  /** @param {ts.Node} node */
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) checkSpecifier(node.moduleSpecifier.text, node);
      if (checkOutput && ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        checkOutputImport(node, node.moduleSpecifier.text);
      }
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) checkSpecifier(expression.text, node);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) checkSpecifier(argument.literal.text, node);
    } else if (ts.isCallExpression(node)) {
      const first = node.arguments[0];
      const literal = first !== undefined && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first));
      if (literal && (node.expression.kind === ts.SyntaxKind.ImportKeyword || MODULE_LOADERS.has(calleeName(node.expression)))) {
        checkSpecifier(/** @type {ts.StringLiteral} */ (first).text, node);
      }
    }
    if (checkOutput) checkOutputNode(node);
    ts.forEachChild(node, visit);
  };

  /**
   * `import { stdout } from 'node:process'` and friends.
   * @param {ts.ImportDeclaration} node
   * @param {string} specifier
   */
  const checkOutputImport = (node, specifier) => {
    const module = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (module === 'console') {
      report('library-output', node, outputMessage('console', 'import'));
      return;
    }
    if (module !== 'process') return;
    const bindings = node.importClause?.namedBindings;
    if (bindings === undefined || !ts.isNamedImports(bindings)) return;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (isOutputMember('process', imported)) report('library-output', element, outputMessage('process', imported));
    }
  };

  /** @param {ts.Node} node */
  const checkOutputNode = (node) => {
    if (ts.isPropertyAccessExpression(node)) {
      const object = globalObjectName(node.expression);
      if (object !== undefined && isOutputMember(object, node.name.text)) {
        report('library-output', node, outputMessage(object, node.name.text));
      }
    } else if (ts.isElementAccessExpression(node)) {
      const object = globalObjectName(node.expression);
      const argument = node.argumentExpression;
      if (object !== undefined && (ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument))) {
        if (isOutputMember(object, argument.text)) report('library-output', node, outputMessage(object, argument.text));
      }
    } else if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
      // const { stdout } = process;
      const object = globalObjectName(node.initializer);
      if (object === undefined) return;
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        if (ts.isIdentifier(key) && isOutputMember(object, key.text)) {
          report('library-output', element, outputMessage(object, key.text));
        }
      }
    }
  };

  visit(source);
}

/**
 * Command-line entry point.
 * @param {string[]} args
 * @returns {number} the exit code
 */
function main(args) {
  let root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  /** @type {string | undefined} */
  let only;
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === '--root') {
      const value = args[++i];
      if (value === undefined) return usage('--root needs a directory');
      root = resolve(value);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: check-boundaries.mjs [--root DIR] [PACKAGE_DIR]\n');
      return 0;
    } else if (arg.startsWith('-') || only !== undefined) {
      return usage(`unexpected argument ${arg}`);
    } else {
      only = resolve(arg);
    }
  }
  /** @type {BoundaryReport} */
  let report;
  try {
    report = runBoundaryChecks(root, only === undefined ? {} : { only });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const cwd = process.cwd();
  for (const violation of report.violations) {
    const shown = relative(cwd, join(root, violation.file)) || violation.file;
    process.stderr.write(`${shown}:${violation.line}: ${violation.message} [${violation.rule}]\n`);
  }
  const scope = `${report.packages} package${report.packages === 1 ? '' : 's'}, ${report.files} source file${report.files === 1 ? '' : 's'}`;
  if (report.violations.length > 0) {
    const count = report.violations.length;
    process.stderr.write(`check-boundaries: ${count} violation${count === 1 ? '' : 's'} (${scope})\n`);
    return 1;
  }
  process.stdout.write(`check-boundaries: no violations (${scope})\n`);
  return 0;
}

/**
 * @param {string} message
 */
function usage(message) {
  process.stderr.write(`check-boundaries: ${message}\nusage: check-boundaries.mjs [--root DIR] [PACKAGE_DIR]\n`);
  return 2;
}

/** Whether this module is the script node was started with (not an import). */
function isEntryPoint() {
  const invokedAs = process.argv[1];
  if (invokedAs === undefined) return false;
  try {
    return realpathSync(resolve(invokedAs)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = main(process.argv.slice(2));
