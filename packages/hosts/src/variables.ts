/**
 * Variable expansion in server entries, in each host's own syntax:
 * - `claude-code`: `${VAR}`, `${VAR:-default}` (the default when VAR is unset);
 * - `vscode`: `${env:X}`, `${userHome}`, `${workspaceFolder}`, `${workspaceFolderBasename}`,
 *   `${pathSeparator}`, `${/}`; `${input:id}`, `${command:id}` and `${config:key}` need the
 *   editor and cannot be resolved; other `${…}` stay as written;
 * - `cursor`: `${env:X}`, `${userHome}`, `${workspaceFolder}`, `${workspaceFolderBasename}`,
 *   `${pathSeparator}`, `${/}`;
 * - `windsurf`: `${env:X}`, `${file:path}` (the file's content without its final newline);
 * - `gemini`: `$VAR`, `${VAR}` (an unset variable stays as written, as Gemini CLI does);
 * - `literal`: nothing is expanded (Claude Desktop, Zed, Continue, Cline, Codex, goose).
 *
 * Errors name the server and the variable, never a value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HostsError } from './errors.js';
import type { HostEnvironment } from './types.js';

/** A host's variable syntax. */
export type VariableSyntax = 'literal' | 'claude-code' | 'vscode' | 'cursor' | 'windsurf' | 'gemini';

/** What a variable can expand to. */
export interface VariableContext {
  /** The machine: `home`, `platform` and the environment variables to expand from. */
  env: HostEnvironment;
  /** The folder `${workspaceFolder}` stands for. */
  workspaceFolder: string;
  /** The server whose entry is expanded (named in errors). */
  server: string;
  /** Reads a file for `${file:path}` (defaults to the real file system). */
  readFile?: (file: string) => string;
}

function unresolved(context: VariableContext, variable: string, why: string): HostsError {
  return new HostsError('UNRESOLVED_VARIABLE', `server "${context.server}": cannot resolve \${${variable}}: ${why}`);
}

function fromEnv(context: VariableContext, name: string, written: string): string {
  const value = context.env.env[name];
  if (value === undefined) throw unresolved(context, written, `environment variable ${name} is not set`);
  return value;
}

function pathOf(context: VariableContext): path.PlatformPath {
  return context.env.platform === 'win32' ? path.win32 : path.posix;
}

function editorVariable(syntax: 'vscode' | 'cursor' | 'windsurf', body: string, whole: string, context: VariableContext): string {
  if (body.startsWith('env:')) return fromEnv(context, body.slice(4), body);
  if (syntax === 'windsurf') {
    if (body.startsWith('file:')) return fileVariable(body, context);
    return whole;
  }
  const p = pathOf(context);
  switch (body) {
    case 'userHome':
      return context.env.home;
    case 'workspaceFolder':
      return context.workspaceFolder;
    case 'workspaceFolderBasename':
      return p.basename(context.workspaceFolder);
    case 'pathSeparator':
    case '/':
      return p.sep;
    default:
      break;
  }
  if (syntax === 'vscode' && /^(input|command|config):/.test(body)) {
    throw unresolved(context, body, 'its value comes from the editor at start-up');
  }
  return whole;
}

function fileVariable(body: string, context: VariableContext): string {
  const p = pathOf(context);
  let file = body.slice('file:'.length);
  if (file === '~' || file.startsWith('~/') || file.startsWith('~\\')) file = p.join(context.env.home, file.slice(1));
  else if (!p.isAbsolute(file)) file = p.join(context.env.home, file);
  try {
    const text = (context.readFile ?? ((f: string) => readFileSync(f, 'utf8')))(file);
    return text.replace(/\r?\n$/, '');
  } catch (error) {
    throw new HostsError('UNRESOLVED_VARIABLE', `server "${context.server}": cannot resolve \${${body}}: the file cannot be read`, { cause: error });
  }
}

/**
 * Expands the variables of one string the way `syntax`'s host does.
 *
 * @throws HostsError UNRESOLVED_VARIABLE naming the server and variable
 */
export function expandVariables(text: string, syntax: VariableSyntax, context: VariableContext): string {
  switch (syntax) {
    case 'literal':
      return text;
    case 'claude-code':
      return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_whole, name: string, fallback: string | undefined) => {
        const value = context.env.env[name];
        if (value !== undefined) return value;
        if (fallback !== undefined) return fallback;
        throw unresolved(context, name, `environment variable ${name} is not set and has no default`);
      });
    case 'gemini':
      return text.replace(/\$(?:([A-Za-z0-9_]+)|\{([^}]+)\})/g, (whole, bare: string | undefined, braced: string | undefined) => {
        const value = context.env.env[(bare ?? braced) as string];
        return value ?? whole;
      });
    case 'vscode':
    case 'cursor':
    case 'windsurf':
      return text.replace(/\$\{([^}]+)\}/g, (whole, body: string) => editorVariable(syntax, body, whole, context));
  }
}
