import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitCommandLine, systemBrowserOpener } from '../../src/oauth/browser.js';
import { RemoteError } from '../../src/errors.js';

// `BROWSER` with real child processes: each "browser" is `node <script>` (or a script with
// a node shebang) that records its arguments in a file, so the tests see exactly what was
// started and with which argv. PATH is a temporary folder, so nothing real ever opens.

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcptrust-browser-env-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NODE = process.execPath;

/** Single-quotes a word for BROWSER. */
function q(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** A script recording its argv (after the script) into `<dir>/<name>.json`; returns the script and the record paths. */
async function recorder(name: string, folder = dir): Promise<{ script: string; out: string }> {
  const script = join(folder, `${name}.cjs`);
  const out = join(dir, `${name}.json`);
  await writeFile(script, `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));\n`);
  return { script, out };
}

/** Waits for the record of a started browser (the child writes it on its own time). */
async function argvOf(out: string): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const argv = await readFile(out, 'utf8').then((t) => JSON.parse(t) as string[], () => undefined);
    if (argv !== undefined) return argv;
    if (Date.now() > deadline) throw new Error(`${out} was never written`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The opener as the CLI builds it: this environment only, Linux rules, PATH = the temp folder. */
function opener(browser: string | undefined, platform: NodeJS.Platform = 'linux'): (url: string) => Promise<void> {
  return systemBrowserOpener({ platform, env: { PATH: dir, ...(browser === undefined ? {} : { BROWSER: browser }) } });
}

describe('systemBrowserOpener with BROWSER', () => {
  it('runs `node script` without a shell, the URL as exactly one last argument, shell syntax in the URL inert', async () => {
    const { script, out } = await recorder('browser');
    const marker = join(dir, 'pwned');
    const url = `https://as.example/authorize?a=$(touch${'${IFS}'}${marker});b=\`touch ${marker}\`&c='x y'|"z"&d=a;b&e=$HOME`;
    await opener(`${q(NODE)} ${q(script)}`)(url);
    const argv = await argvOf(out);
    expect(argv).toEqual([new URL(url).href]);
    expect(argv[0]).toContain('$(touch');
    expect(argv[0]).toContain('`touch');
    expect(argv[0]).toContain('e=$HOME');
    await new Promise((r) => setTimeout(r, 100));
    expect(await exists(marker)).toBe(false);
  });

  it('puts the URL where an argument says %s, and does not append it then; $& and $\' in the URL stay literal', async () => {
    const { script, out } = await recorder('subst');
    const url = "https://as.example/authorize?x=$&y=$'z&w=%s";
    await opener(`${q(NODE)} ${q(script)} --new-window --url=%s --also=[%s]`)(url);
    const href = new URL(url).href;
    expect(await argvOf(out)).toEqual(['--new-window', `--url=${href}`, `--also=[${href}]`]);
  });

  it('tries the commands in order: a missing program, then `node script`, which starts', async () => {
    const { script, out } = await recorder('second');
    await opener(`mcptrust-no-such-browser --flag:${q(NODE)} ${q(script)} --second`)('https://as.example/authorize?s=1');
    expect(await argvOf(out)).toEqual(['--second', 'https://as.example/authorize?s=1']);
  });

  it('splits quoted and backslash-escaped paths with spaces', async () => {
    const folder = join(dir, 'path with spaces');
    await mkdir(folder);
    const { out } = await recorder('spaced', folder);
    const program = join(folder, 'fake browser');
    await writeFile(program, `#!${NODE}\nrequire('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));\n`);
    await chmod(program, 0o755);
    await opener(`"${program}" --profile 'my profile' it\\'s`)('https://as.example/a');
    expect(await argvOf(out)).toEqual(['--profile', 'my profile', "it's", 'https://as.example/a']);
    await rm(out);
    await opener(`${program.replace(/ /g, '\\ ')} -x`)('https://as.example/b');
    expect(await argvOf(out)).toEqual(['-x', 'https://as.example/b']);
  });

  it.each([[''], ['   '], [':'], [undefined]])('falls back to the platform opener for BROWSER=%j', async (browser) => {
    const out = join(dir, 'xdg.json');
    await writeFile(join(dir, 'xdg-open'), `#!${NODE}\nrequire('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));\n`);
    await chmod(join(dir, 'xdg-open'), 0o755);
    await opener(browser)('https://as.example/authorize?q=1');
    expect(await argvOf(out)).toEqual(['https://as.example/authorize?q=1']);
  });

  it('rejects with OAUTH_FAILED naming every program when none starts, never the URL', async () => {
    const error = await opener('mcptrust-missing-one:mcptrust-missing-two --arg:firefox | tee log')('https://as.example/authorize?state=SECRET-STATE').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('OAUTH_FAILED');
    const message = (error as RemoteError).message;
    expect(message).toContain('BROWSER');
    expect(message).toContain('mcptrust-missing-one (ENOENT)');
    expect(message).toContain('mcptrust-missing-two (ENOENT)');
    expect(message).toMatch(/"firefox \| tee log": shell syntax \(\|\) outside quotes/);
    expect(message).not.toContain('SECRET-STATE');
    expect(message).not.toContain('as.example');
    expect((error as RemoteError).cause).toBeUndefined();
  });

  it('skips a command with shell syntax and starts the next one', async () => {
    const { script, out } = await recorder('after-syntax');
    await opener(`firefox; rm -rf ~:${q(NODE)} ${q(script)}`)('https://as.example/c');
    expect(await argvOf(out)).toEqual(['https://as.example/c']);
  });

  it('reads BROWSER with Windows rules for win32: `;` between commands, backslashes literal', async () => {
    const { script, out } = await recorder('windows');
    await opener(`mcptrust-missing.exe;"${NODE}" "${script}" C:\\Users\\me`, 'win32')('https://as.example/w');
    expect(await argvOf(out)).toEqual(['C:\\Users\\me', 'https://as.example/w']);
  });

  it('refuses a non-http(s) URL before starting any BROWSER command', async () => {
    const { script, out } = await recorder('never');
    await expect(opener(`${q(NODE)} ${q(script)}`)('javascript:alert(1)')).rejects.toMatchObject({ code: 'INSECURE_URL' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await exists(out)).toBe(false);
  });
});

describe('splitCommandLine', () => {
  it.each([
    ['firefox', ['firefox']],
    ['  firefox   --new-window  ', ['firefox', '--new-window']],
    [`'/opt/my browser/bin' -a`, ['/opt/my browser/bin', '-a']],
    [`"a \\"b\\" \\\\ \\$ \\x"`, ['a "b" \\ $ \\x']],
    ['a\\ b c', ['a b', 'c']],
    [`x"y"'z'`, ['xyz']],
    [`''`, ['']],
    ['a#b', ['a#b']],
    ['%s', ['%s']],
    ['', []],
  ])('POSIX: %s', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  it.each([['a | b'], ['a;b'], ['a && b'], ['a > f'], ['$(x)'], ['`x`'], ['a $HOME'], ['# comment'], ["'open"], ['"open'], ['trailing\\']])('refuses %s', (line) => {
    expect(() => splitCommandLine(line)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as unknown as Error);
  });

  it('keeps shell syntax inside quotes, and backslashes literal on Windows', () => {
    expect(splitCommandLine(`prog '$(x); y' "a|b"`)).toEqual(['prog', '$(x); y', 'a|b']);
    expect(splitCommandLine('"C:\\Program Files\\B\\b.exe" C:\\x', false)).toEqual(['C:\\Program Files\\B\\b.exe', 'C:\\x']);
  });
});
