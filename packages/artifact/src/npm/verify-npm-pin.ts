/**
 * CI-side check of an npm pin (`mcptrust artifact verify`): the registry still serves
 * exactly the pinned bytes. The packument must still list the version with the pinned
 * integrity and tarball URL, and the root tarball and every tree tarball must still match.
 * Differences are collected, not thrown; network and guard failures still throw.
 */
import { ArtifactError } from '../errors.js';
import type { NpmArtifactPin } from '../artifact.types.js';
import type { GuardedClient } from '../net/guarded-client.types.js';
import { digestsEqual, sha512FromIntegrity, tarballProblems, type ExpectedTarball, type TarballProblem } from './verify-bytes.js';

/** Options of `verifyNpmPin`. */
export interface VerifyNpmPinOptions {
  /** The guarded HTTPS client. */
  client: GuardedClient;
  /** Extra request headers (registry auth) for a URL. */
  headersFor?: (url: string) => Record<string, string>;
  /** Also download and check every tree tarball (default true). */
  tree?: boolean;
}

/** One difference between the pin and what the registry serves now. */
export type NpmPinProblem = TarballProblem;

/** Result of `verifyNpmPin`. */
export interface NpmPinVerification {
  /** No problem found. */
  ok: boolean;
  /** Tarballs downloaded and compared (root plus tree entries). */
  checked: number;
  /** Every difference found. */
  problems: NpmPinProblem[];
}

/** The packument URL of a package on a registry (`@scope%2fname` for scoped names). */
export function packumentUrl(registry: string, name: string): string {
  const base = registry.replace(/\/+$/, '');
  const escaped = name.startsWith('@') ? name.replace('/', '%2f') : encodeURIComponent(name);
  return `${base}/${escaped}`;
}

interface Check {
  where: string;
  url: string;
  expected: ExpectedTarball;
}

/** Downloads one tarball and returns its problems (404/410 is a problem; other failures throw). */
async function checkTarball(check: Check, options: VerifyNpmPinOptions): Promise<TarballProblem[]> {
  const response = await options.client.request(check.url, { method: 'GET', headers: options.headersFor?.(check.url) ?? {} });
  if (response.status === 404 || response.status === 410) {
    const field = `${check.where.split(' ')[0] ?? check.where}.integrity`;
    return [{ field, expected: check.expected.integrity, found: `HTTP ${response.status}`, message: `${check.where}: the registry no longer serves ${check.url} (HTTP ${response.status})` }];
  }
  if (response.status !== 200) {
    throw new ArtifactError('DOWNLOAD_FAILED', `GET ${check.url} answered HTTP ${response.status}`);
  }
  return tarballProblems(response.body, check.expected, check.where);
}

/** Compares the packument's version entry with the pin. */
function packumentProblems(pin: NpmArtifactPin, doc: unknown, url: string): TarballProblem[] {
  const versions = (doc as { versions?: Record<string, unknown> } | null)?.versions;
  const manifest = versions && typeof versions === 'object' ? (versions[pin.version] as { dist?: { integrity?: unknown; tarball?: unknown } } | undefined) : undefined;
  if (!manifest || typeof manifest !== 'object') {
    return [{ field: 'server.artifact.version', expected: pin.version, found: 'absent', message: `server.artifact.version: ${pin.name}@${pin.version} is no longer listed by ${url}` }];
  }
  const problems: TarballProblem[] = [];
  const pinned = sha512FromIntegrity(pin.integrity, 'server.artifact.integrity');
  const served = typeof manifest.dist?.integrity === 'string' ? manifest.dist.integrity : '';
  let servedDigest: Buffer | undefined;
  try {
    servedDigest = sha512FromIntegrity(served, 'dist.integrity');
  } catch {
    servedDigest = undefined;
  }
  if (!servedDigest || !digestsEqual(servedDigest, pinned)) {
    const want = `sha512-${pinned.toString('base64')}`;
    const found = servedDigest ? `sha512-${servedDigest.toString('base64')}` : served || 'absent';
    problems.push({ field: 'server.artifact.integrity', expected: want, found, message: `server.artifact.integrity: the registry now lists ${found} for ${pin.name}@${pin.version}, the pin says ${want}` });
  }
  const tarball = typeof manifest.dist?.tarball === 'string' ? manifest.dist.tarball : 'absent';
  if (tarball !== pin.tarball_url) {
    problems.push({ field: 'server.artifact.tarball_url', expected: pin.tarball_url, found: tarball, message: `server.artifact.tarball_url: the registry now lists ${tarball} for ${pin.name}@${pin.version}, the pin says ${pin.tarball_url}` });
  }
  return problems;
}

/**
 * Verifies that `pin.registry` still serves exactly the pinned package: the full
 * packument's `versions[version].dist` (integrity's sha512 and tarball URL), the root
 * tarball (SHA-512, and SHA-256 and size when pinned) and, unless `tree: false`, every
 * tree tarball. Returns every problem found; throws on network/guard errors and on a
 * malformed pin (`INVALID_PIN`).
 */
export async function verifyNpmPin(pin: NpmArtifactPin, options: VerifyNpmPinOptions): Promise<NpmPinVerification> {
  if (pin.type !== 'npm') throw new ArtifactError('INVALID_PIN', 'server.artifact.type is not npm', { field: 'server.artifact.type' });
  const problems: TarballProblem[] = [];
  const url = packumentUrl(pin.registry, pin.name);
  const response = await options.client.request(url, { method: 'GET', headers: { accept: 'application/json', ...(options.headersFor?.(url) ?? {}) } });
  if (response.status === 404) {
    problems.push({ field: 'server.artifact.name', expected: pin.name, found: 'absent', message: `server.artifact.name: ${url} answers 404; the registry no longer serves ${pin.name}` });
  } else if (response.status !== 200) {
    throw new ArtifactError('DOWNLOAD_FAILED', `GET ${url} answered HTTP ${response.status}`);
  } else {
    let doc: unknown;
    try {
      doc = JSON.parse(response.body.toString('utf8'));
    } catch (error) {
      throw new ArtifactError('RESOLVE_FAILED', `${url} did not answer JSON: ${(error as Error).message}`, { cause: error });
    }
    problems.push(...packumentProblems(pin, doc, url));
  }

  const checks: Check[] = [
    {
      where: 'server.artifact',
      url: pin.tarball_url,
      expected: {
        integrity: pin.integrity,
        ...(pin.tarball_sha256 !== undefined ? { sha256: pin.tarball_sha256 } : {}),
        ...(pin.tarball_size !== undefined ? { size: pin.tarball_size } : {}),
      },
    },
  ];
  if (options.tree !== false) {
    (pin.tree ?? []).forEach((entry, i) => {
      sha512FromIntegrity(entry.integrity, `server.artifact.tree[${i}].integrity`);
      checks.push({ where: `server.artifact.tree[${i}] (${entry.path})`, url: entry.resolved, expected: { integrity: entry.integrity } });
    });
  }
  const results: TarballProblem[][] = new Array<TarballProblem[]>(checks.length);
  let failure: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < checks.length) {
      const i = next++;
      try {
        results[i] = await checkTarball(checks[i] as Check, options);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, checks.length) }, worker));
  if (failure !== undefined) throw failure;
  for (const r of results) problems.push(...r);
  return { ok: problems.length === 0, checked: checks.length, problems };
}
