/**
 * A registry endpoint that may not exist (attestations, signing keys): 404 means
 * "none", 200 must be JSON of the expected shape, anything else is an error naming
 * the URL.
 */
import * as v from 'valibot';
import { ArtifactError } from '../errors.js';
import type { GuardedClient } from '../net/guarded-client.types.js';

/**
 * GETs `url` and validates its JSON.
 *
 * @param shape - what the document must be, in words, for the error message
 * @returns the validated document, or undefined for 404
 * @throws ArtifactError `RESOLVE_FAILED` for another status, non-JSON or another shape
 */
export async function fetchOptionalJson<S extends v.GenericSchema>(
  client: GuardedClient,
  url: string,
  schema: S,
  options: { headers: Record<string, string>; maxBytes: number; shape: string },
): Promise<v.InferOutput<S> | undefined> {
  const response = await client.request(url, { headers: { accept: 'application/json', ...options.headers }, maxBytes: options.maxBytes });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new ArtifactError('RESOLVE_FAILED', `${url} answered HTTP ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new ArtifactError('RESOLVE_FAILED', `${url} did not answer JSON`, { cause: error });
  }
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) throw new ArtifactError('RESOLVE_FAILED', `${url} answered something other than ${options.shape}: ${parsed.issues[0].message}`);
  return parsed.output;
}
