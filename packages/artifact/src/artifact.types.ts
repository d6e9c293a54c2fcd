/**
 * The artifact pin a lockfile carries in `server.artifact`. Field names are snake_case,
 * as the Go mcptrust writes them, so a Go v3 pin reads unchanged; fields the Go tool
 * does not write are optional here and documented in docs/SUPPLY_CHAIN.md.
 */

/** Where a pinned artifact comes from. */
export type ArtifactType = 'npm' | 'oci';

/** Verified claims of an artifact's provenance (SLSA, signed with Sigstore). */
export interface ProvenancePin {
  /**
   * How it was verified: `sigstore_slsa` (this tool: bundle, subject and identity
   * checked), or as a Go lockfile recorded it (`cosign_slsa`, `npm_audit_signatures`,
   * `unverified`).
   */
  method: string;
  /** `https://slsa.dev/provenance/v1` (or v0.2). */
  predicate_type?: string;
  /** `runDetails.builder.id` (v1) / `builder.id` (v0.2). */
  builder_id?: string;
  /** Source repository URL (`externalParameters.workflow.repository`, cross-checked with the certificate). */
  source_repo?: string;
  /** Git ref the artifact was built from (`refs/tags/v1.2.3`). */
  source_ref?: string;
  /** Commit the artifact was built from (certificate extension 1.3.6.1.4.1.57264.1.13). */
  source_commit?: string;
  /** Workflow path (`.github/workflows/release.yml`). */
  workflow_uri?: string;
  /** Certificate OIDC issuer (`https://token.actions.githubusercontent.com`). */
  issuer?: string;
  /** Certificate identity (SAN URI, e.g. `https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1`). */
  identity?: string;
  /** Rekor transparency-log index of the bundle. */
  rekor_log_index?: string;
  /** Which trusted root verified it (`the public-good root shipped in @sigstore/tuf 4.0.2`, a file name...). */
  trusted_root?: string;
  /** The bundle, subject and identity checks all passed. */
  verified: boolean;
  /** RFC 3339 time of the verification. */
  verified_at?: string;
}

/** One package of a pinned npm dependency tree (as `npm install --package-lock-only` resolved it). */
export interface NpmTreeEntry {
  /** Install path, as in package-lock.json (`node_modules/a/node_modules/b`). */
  path: string;
  /** Package name. */
  name: string;
  /** Exact version. */
  version: string;
  /** HTTPS tarball URL. */
  resolved: string;
  /** SHA-512 SRI integrity (`sha512-…`). */
  integrity: string;
  /** Installed only on some platforms (`optional` with `os`/`cpu`/`libc` constraints). */
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** The registry's signature over `${name}@${version}:${integrity}`, as checked. */
export interface RegistrySignaturePin {
  keyid: string;
  verified: boolean;
}

/** An npm package pin. */
export interface NpmArtifactPin {
  type: 'npm';
  /** Package name. */
  name: string;
  /** Exact version. */
  version: string;
  /** Registry the package was resolved from (`https://registry.npmjs.org`). */
  registry: string;
  /** SHA-512 SRI integrity of the tarball (`sha512-…`). */
  integrity: string;
  /** HTTPS tarball URL. */
  tarball_url: string;
  /** SHA-256 of the tarball bytes, hex. */
  tarball_sha256?: string;
  /** Tarball size in bytes. */
  tarball_size?: number;
  /** The bin of the package the server is started with (absent: the package's only or same-named bin). */
  bin?: string;
  /** The server's arguments after the package (what `run` passes to the bin). */
  argv?: string[];
  /** The whole dependency tree, root excluded, sorted by path. */
  tree?: NpmTreeEntry[];
  /** The registry signature checked at pin time. */
  registry_signature?: RegistrySignaturePin;
  /** Verified provenance. */
  provenance?: ProvenancePin;
}

/** An OCI image pin. */
export interface OciArtifactPin {
  type: 'oci';
  /** Normalised repository without tag or digest (`ghcr.io/org/server`, `docker.io/library/alpine`). */
  image: string;
  /** The tag the command named (absent when it named a digest). */
  tag?: string;
  /** `sha256:<hex>` of the manifest (or index) bytes fetched from the registry. */
  digest: string;
  /** Platform the image runs on here (`linux/amd64`), with the platform manifest's digest when the digest is an index. */
  platform?: string;
  /** Digest of the platform manifest inside an index. */
  platform_digest?: string;
  /** The container engine the command used (absent: `docker`). */
  engine?: 'docker' | 'podman';
  /** `docker run` options before the image (validated by the strict parser). */
  docker_args?: string[];
  /** The command and arguments after the image. */
  argv?: string[];
  /** Verified provenance (not produced yet for images). */
  provenance?: ProvenancePin;
}

/** The pin in `server.artifact`. */
export type ArtifactPin = NpmArtifactPin | OciArtifactPin;
