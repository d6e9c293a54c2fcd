import type { KeyObject } from 'node:crypto';
import type { BuiltPackage } from './fixture-packages.mjs';
/** A recorded request. */
export interface FakeRegistryRequest {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
}
/** The running registry. */
export interface FakeRegistry {
    /** `https://127.0.0.1:PORT/` (trailing slash). */
    url: string;
    /** Every request seen, in order. */
    requests: FakeRegistryRequest[];
    /** The registry's signing key (P-256) and its keyid. */
    privateKey: KeyObject;
    keyid: string;
    /** Serves other bytes for a version's tarball (packument unchanged). */
    swapTarball(name: string, version: string, bytes: Uint8Array): void;
    /** Serves another `dist.integrity` for a version. */
    setIntegrity(name: string, version: string, sri: string, options?: {
        resign?: boolean;
    }): void;
    /** The version's tarball answers 302 to `location`. */
    redirectTarball(name: string, version: string, location: string): void;
    /** Adds a package version (dist-tags.latest follows the highest version). */
    publish(pkg: BuiltPackage): void;
    /** Serves an attestations document for a version (and advertises it in the packument). */
    setAttestations(name: string, version: string, json: unknown): void;
    /** Forgets every attestation. */
    stripAttestations(): void;
    /** Replaces the version's signature (`undefined`: no `signatures` at all). */
    setSignature(name: string, version: string, sig: string | undefined): void;
    /** `/-/npm/v1/keys` answers 404. */
    removeKeys(): void;
    /** Every request needs `authorization: Bearer <token>` (401 otherwise). */
    requireToken(token: string): void;
    close(): Promise<void>;
}
/** Starts the registry with the given package versions. */
export declare function startFakeRegistry(options: {
    packages: BuiltPackage[];
}): Promise<FakeRegistry>;
