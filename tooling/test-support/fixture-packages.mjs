// Shared test support (plain ESM so that any workspace test can import it; types in the
// .d.mts beside it). Loopback only.
/**
 * npm package tarballs built on the fly for the tests, exactly as `npm pack` lays them
 * out (`package/` prefix, gzip, portable headers, a fixed mtime), so the same input
 * always gives the same bytes and the same integrity.
 *
 * - `buildPackage({ name, version, files, packageJson? })` → `BuiltPackage` with the
 *   tarball bytes, its `sha512-…` SRI integrity and its sha256 (hex).
 * - `fixtureServerPackage(version?, depRange?)`: `fixture-mcp-server`, a tiny stdio MCP
 *   server in plain JS (NDJSON JSON-RPC: initialize, tools/list with one `echo` tool,
 *   tools/call echo, ping; -32601 otherwise). It requires `fixture-dep` at start, so a
 *   missing dependency breaks it; its bin is `fixture-mcp-server` → `bin/server.js`.
 *   `echo` answers `args.text`, followed by the server's own argv (space separated) when
 *   it was given any.
 * - `fixtureDepPackage(version?)`: `fixture-dep`, whose `postinstall` writes a marker
 *   file at `$MCPTRUST_TEST_MARKER`; install scripts must never run, so a test can assert
 *   that the marker does not exist.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { create } from "tar";
const FIXED_MTIME = /* @__PURE__ */ new Date("2024-01-01T00:00:00.000Z");
async function buildPackage(options) {
  const packageJson = { ...options.packageJson ?? {}, name: options.name, version: options.version };
  const dir = await mkdtemp(join(tmpdir(), "mcptrust-fixture-pkg-"));
  try {
    const root = join(dir, "src");
    const files = { ...options.files, "package.json": `${JSON.stringify(packageJson, null, 2)}
` };
    const paths = Object.keys(files).sort();
    for (const path of paths) {
      const target = join(root, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, files[path]);
      await chmod(target, path.startsWith("bin/") ? 493 : 420);
    }
    const file = join(dir, "package.tgz");
    await create({ gzip: true, portable: true, prefix: "package/", mtime: FIXED_MTIME, cwd: root, file }, paths);
    const tarball = await readFile(file);
    return {
      name: options.name,
      version: options.version,
      packageJson,
      tarball,
      integrity: `sha512-${createHash("sha512").update(tarball).digest("base64")}`,
      sha256: createHash("sha256").update(tarball).digest("hex")
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const SERVER_JS = `#!/usr/bin/env node
'use strict';
const dep = require('fixture-dep');
if (!dep || dep.ok !== true) throw new Error('fixture-dep is broken');
const pkg = require('../package.json');
const SUPPORTED = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const extra = process.argv.slice(2);
function send(message) { process.stdout.write(JSON.stringify(message) + '\\n'); }
function answer(msg) {
  const params = msg.params || {};
  switch (msg.method) {
    case 'initialize': {
      const asked = params.protocolVersion;
      return { result: {
        protocolVersion: SUPPORTED.includes(asked) ? asked : '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'fixture-mcp-server', version: pkg.version },
      } };
    }
    case 'ping':
      return { result: {} };
    case 'tools/list':
      return { result: { tools: [{ name: 'echo', description: 'Echoes the text back.', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }] } };
    case 'tools/call': {
      if (params.name !== 'echo') return { error: { code: -32602, message: 'unknown tool ' + params.name } };
      const args = params.arguments || {};
      const text = String(args.text === undefined ? '' : args.text) + (extra.length > 0 ? ' ' + extra.join(' ') : '');
      return { result: { content: [{ type: 'text', text }] } };
    }
    default:
      return { error: { code: -32601, message: 'Method not found: ' + msg.method } };
  }
}
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let index;
  while ((index = buffer.indexOf('\\n')) >= 0) {
    const line = buffer.slice(0, index).trim();
    buffer = buffer.slice(index + 1);
    if (line === '') continue;
    let msg;
    try { msg = JSON.parse(line); } catch { send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }); continue; }
    if (msg.id === undefined || msg.id === null || typeof msg.method !== 'string') continue;
    send({ jsonrpc: '2.0', id: msg.id, ...answer(msg) });
  }
});
process.stdin.on('end', () => process.exit(0));
`;
function fixtureServerPackage(version = "1.0.0", depRange = "^1.0.0") {
  return buildPackage({
    name: "fixture-mcp-server",
    version,
    files: { "bin/server.js": SERVER_JS },
    packageJson: {
      description: "A tiny stdio MCP server used by the tests.",
      license: "Apache-2.0",
      bin: { "fixture-mcp-server": "bin/server.js" },
      dependencies: { "fixture-dep": depRange }
    }
  });
}
function fixtureDepPackage(version = "1.0.0") {
  return buildPackage({
    name: "fixture-dep",
    version,
    files: { "index.js": `'use strict';
module.exports = { ok: true, version: ${JSON.stringify(version)} };
` },
    packageJson: {
      description: "A dependency of fixture-mcp-server used by the tests.",
      license: "Apache-2.0",
      main: "index.js",
      scripts: {
        postinstall: `node -e "process.env.MCPTRUST_TEST_MARKER && require('fs').writeFileSync(process.env.MCPTRUST_TEST_MARKER, 'postinstall ran')"`
      }
    }
  });
}
export {
  buildPackage,
  fixtureDepPackage,
  fixtureServerPackage
};
