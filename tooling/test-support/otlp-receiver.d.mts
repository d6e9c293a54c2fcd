/** One request the receiver got. */
export interface OtlpRequest {
    path: '/v1/traces' | '/v1/metrics';
    /** `content-type` as sent (`application/json`, `application/x-protobuf`). */
    contentType: string;
    /** `content-encoding` as sent, lower case ('' when none); the body is already inflated. */
    contentEncoding: string;
    headers: Record<string, string | string[] | undefined>;
    /** The body as received (after gunzip). */
    raw: Uint8Array;
    /** The decoded body, for JSON requests. */
    json?: any;
    /** Status the receiver answered (200, or 503 when unavailable). */
    answered: number;
}
/** An OTLP/JSON span as exported, with its resource. */
export interface OtlpSpan {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    name: string;
    /** API kind + 1: INTERNAL 1, SERVER 2, CLIENT 3. */
    kind: number;
    startTimeUnixNano: string;
    endTimeUnixNano: string;
    attributes?: Array<{ key: string; value: Record<string, unknown> }>;
    status?: { code?: number; message?: string };
    resource?: { attributes?: Array<{ key: string; value: Record<string, unknown> }> };
    [key: string]: unknown;
}
/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
    /** Answer 503 to every export from the start. */
    unavailable?: boolean;
}
/** The running receiver. */
export interface OtlpReceiver {
    /** `http://127.0.0.1:PORT` (no trailing slash): an OTLP base endpoint. */
    url: string;
    port: number;
    /** Every export received, in order. */
    requests: OtlpRequest[];
    /** Answer 503 (true) or 200 (false) from now on. */
    setUnavailable(value: boolean): void;
    /** Every span of the JSON trace exports, in order. */
    spans(): OtlpSpan[];
    /** Every metric of the JSON metric exports, in order (`{ name, unit, histogram | sum, … }`). */
    metrics(): any[];
    /** Resolves with the first request (already received or coming) that matches. */
    waitFor(test?: (request: OtlpRequest) => boolean, timeoutMs?: number): Promise<OtlpRequest>;
    close(): Promise<void>;
}
/** Starts the receiver on 127.0.0.1, random port. */
export declare function startOtlpReceiver(options?: OtlpReceiverOptions): Promise<OtlpReceiver>;
/** The plain value of attribute `key` in an OTLP/JSON attribute list, or undefined. */
export declare function otlpAttribute(attributes: Array<{ key: string; value: Record<string, unknown> }> | undefined, key: string): unknown;
