export declare const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export declare const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** sha256 digest of bytes. */
export declare function ociDigest(bytes: Buffer): string;
/** A single-platform image manifest (its config digest, from the seed, makes it unique). */
export declare function imageManifest(seed: string): Buffer;
/** One request the registry saw. */
export interface SeenRequest {
    method: string;
    path: string;
    accept?: string;
    authorization?: string;
}
/** The running registry. */
export interface FakeOciRegistry {
    /** `127.0.0.1:PORT`, the registry part of image references. */
    host: string;
    /** Requests seen. */
    requests: SeenRequest[];
    /** Serves a manifest under a tag of a repository; returns its digest. */
    putManifest(repository: string, tag: string, body: Buffer): string;
    /**
     * Serves an index of platform manifests (`{'linux/amd64': bytes}`) under a tag, plus an
     * attestation entry for `unknown/unknown`; returns the index digest and the platform digests.
     */
    putIndex(repository: string, tag: string, platforms: Record<string, Buffer>): {
        digest: string;
        platforms: Record<string, string>;
    };
    /** The tag's answers carry a Docker-Content-Digest header that is not the body's. */
    lieAboutDigest(repository: string, tag: string): void;
    /** Points a tag at a new manifest (the old digest stays served); returns the new digest. */
    moveTag(repository: string, tag: string, body: Buffer): string;
    /** Forgets a tag (404 MANIFEST_UNKNOWN). */
    deleteTag(repository: string, tag: string): void;
    /** Forgets a manifest by digest (404 MANIFEST_UNKNOWN). */
    deleteDigest(repository: string, digest: string): void;
    /** Serves these bytes for a digest (whose hash they are not). */
    serveWrongBytes(repository: string, digest: string, body: Buffer): void;
    /** Require an anonymous bearer token from `/token` (answered as `access_token` when asked). */
    requireToken(options?: {
        accessTokenField?: boolean;
    }): void;
    close(): Promise<void>;
}
/** Starts the registry on 127.0.0.1 (a free port). */
export declare function startFakeOciRegistry(): Promise<FakeOciRegistry>;
