/**
 * @packageDocumentation
 * `@mcptrust/artifact`: pins and verifies the artifact a server runs from (npm tarball
 * integrity, OCI digests, provenance). This release defines the pin type and error;
 * resolution and verification arrive with the artifact feature.
 */
export { ArtifactError } from './errors.js';
export type { ArtifactErrorCode } from './errors.js';
export type { ArtifactPin, ArtifactType } from './artifact.types.js';
