/**
 * Reads an in-toto statement carrying SLSA provenance (v1 as npm publishes it from
 * GitHub Actions, v0.2 as GitLab publishes it) into the few claims that are checked.
 */
import { ArtifactError } from '../errors.js';

/** What a provenance statement says. */
export interface StatementClaims {
  subjectName?: string;
  subjectSha512?: string;
  predicateType?: string;
  builderId?: string;
  repository?: string;
  ref?: string;
  commit?: string;
  workflowPath?: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `git+https://gitlab.com/o/r@refs/heads/main` → `https://gitlab.com/o/r`. */
function configSourceRepository(uri: string | undefined): { repository?: string; ref?: string } {
  if (uri === undefined) return {};
  const at = uri.lastIndexOf('@');
  const base = (at > uri.indexOf('://') ? uri.slice(0, at) : uri).replace(/^git\+/, '');
  const ref = at > uri.indexOf('://') ? uri.slice(at + 1) : undefined;
  return { repository: base, ...(ref === undefined ? {} : { ref }) };
}

/**
 * Parses the DSSE payload.
 *
 * @throws ArtifactError `PROVENANCE_INVALID` when it is not an in-toto statement
 */
export function statementClaims(subject: string, payload: Uint8Array): StatementClaims {
  let stmt: Json | undefined;
  try {
    stmt = obj(JSON.parse(Buffer.from(payload).toString('utf8')));
  } catch {
    stmt = undefined;
  }
  const type = str(stmt?.['_type']);
  if (stmt === undefined || (type !== 'https://in-toto.io/Statement/v1' && type !== 'https://in-toto.io/Statement/v0.1')) {
    throw new ArtifactError('PROVENANCE_INVALID', `provenance of ${subject} is INVALID: the signed payload is not an in-toto statement`);
  }
  const subjects = Array.isArray(stmt['subject']) ? stmt['subject'] : [];
  const first = obj(subjects[0]);
  const predicate = obj(stmt['predicate']) ?? {};
  const out: StatementClaims = {};
  const set = (key: keyof StatementClaims, value: string | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set('subjectName', str(first?.['name']));
  set('subjectSha512', str(obj(first?.['digest'])?.['sha512']));
  set('predicateType', str(stmt['predicateType']));
  const build = obj(predicate['buildDefinition']);
  if (build !== undefined) {
    const workflow = obj(obj(build['externalParameters'])?.['workflow']);
    set('repository', str(workflow?.['repository']));
    set('ref', str(workflow?.['ref']));
    set('workflowPath', str(workflow?.['path']));
    const deps = Array.isArray(build['resolvedDependencies']) ? build['resolvedDependencies'] : [];
    set('commit', str(obj(obj(deps[0])?.['digest'])?.['gitCommit']));
    set('builderId', str(obj(obj(predicate['runDetails'])?.['builder'])?.['id']));
    return out;
  }
  const config = obj(obj(predicate['invocation'])?.['configSource']);
  const source = configSourceRepository(str(config?.['uri']));
  set('repository', source.repository);
  set('ref', source.ref);
  set('workflowPath', str(config?.['entryPoint']));
  set('commit', str(obj(config?.['digest'])?.['sha1']));
  set('builderId', str(obj(predicate['builder'])?.['id']));
  return out;
}
