/** Absolute path of the fixture certificate (for `NODE_EXTRA_CA_CERTS` of a CLI child). */
export declare const LOOPBACK_CERT_PATH: string;
/** The fixture certificate and key (PEM), for `https.createServer` and the client's `ca`. */
export declare function loopbackTls(): {
    cert: string;
    key: string;
};
