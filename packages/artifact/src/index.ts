/**
 * @packageDocumentation
 * `@mcptrust/artifact`: pins and verifies the artifact an MCP server runs from — an
 * npm package with its whole dependency tree, or an OCI image by digest — checks the
 * registry's signature and the SLSA provenance (Sigstore), installs the pinned tree
 * from verified bytes into a content-addressed cache, and says exactly what to start.
 * Every download goes through one guarded HTTPS client.
 */
export { ArtifactError } from './errors.js';
export type { ArtifactErrorCode } from './errors.js';
export type { ArtifactPin, ArtifactType, NpmArtifactPin, NpmTreeEntry, OciArtifactPin, ProvenancePin, RegistrySignaturePin } from './artifact.types.js';
export { describePin, parseArtifactPin } from './pin-schema.js';
export { pinServerCommand, verifyPinnedProvenance } from './pin-server.js';
export type { PinServerOptions, ProvenanceRequirement } from './pin-server.js';
export { prepareServerLaunch } from './prepare-launch.js';
export type { PrepareLaunchOptions, ServerLaunch } from './prepare-launch.js';
export { recognizeServerCommand } from './server-command.js';
// Network guard.
export { assertAddressAllowed, classifyAddress, createGuardedClient } from './net/guarded-client.js';
export type { GuardedClient, GuardedClientOptions, GuardedRequest, GuardedResponse, HostResolver } from './net/guarded-client.types.js';
// npm.
export { parseNpmLaunch } from './npm/launch-command.js';
export type { NpmLaunch } from './npm/launch-command.js';
export { readNpmConfig } from './npm/npm-config.js';
export type { NpmConfig } from './npm/npm-config.js';
export { pinNpmPackage } from './npm/pin-npm.js';
export { resolveDependencyTree } from './npm/dependency-tree.js';
export { verifyTarball } from './npm/verify-bytes.js';
export { artifactCacheRoot } from './npm/cache.js';
export { installPinnedTree } from './npm/install-tree.js';
export { npmLaunchSpec } from './npm/launch-spec.js';
export { verifyNpmPin } from './npm/verify-npm-pin.js';
// OCI.
export { dockerRunArgv, parseDockerRun } from './oci/docker-command.js';
export type { DockerRun } from './oci/docker-command.js';
export { parseImageReference } from './oci/image-reference.js';
export { pinOciImage, verifyOciPin } from './oci/pin-oci.js';
// Provenance and registry signatures.
export { fetchAttestations } from './provenance/attestations.js';
export { describeProvenance, verifyNpmProvenance } from './provenance/verify-provenance.js';
export type { NpmProvenanceInput } from './provenance/verify-provenance.js';
export { parseExpectedSource } from './provenance/expected-source.js';
export type { ExpectedSource } from './provenance/expected-source.js';
export type { NpmAttestation } from './provenance/attestations.js';
export type { RegistryKey, RegistrySignatureInput } from './provenance/registry-signatures.js';
export { fetchRegistryKeys, verifyRegistrySignature } from './provenance/registry-signatures.js';
