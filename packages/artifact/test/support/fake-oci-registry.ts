// The shared loopback test support lives in @mcptrust/tooling (also used by the CLI's tests).
export * from '@mcptrust/tooling/test-support/fake-oci-registry.mjs';
