/** Where a pinned artifact comes from. */
export type ArtifactType = 'npm' | 'oci';

/** The artifact pin a lockfile may carry in `server.artifact`. */
export interface ArtifactPin {
  /** `npm` package or `oci` image. */
  type: ArtifactType;
  /** Package name or image reference. */
  name: string;
  /** Exact version (npm) or tag (oci). */
  version: string;
  /** SRI integrity of the npm tarball (`sha512-…`). */
  integrity?: string;
  /** SHA-256 of the tarball, hex. */
  tarball_sha256?: string;
  /** Tarball URL (HTTPS only). */
  resolved?: string;
  /** Image digest (`sha256:…`) for OCI artifacts. */
  digest?: string;
}
