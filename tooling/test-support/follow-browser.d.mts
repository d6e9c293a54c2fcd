/** The absolute path of the stand-in browser script. */
export declare const followBrowserPath: string;

/** The `BROWSER` value that runs the stand-in browser with the current Node.js (`<node> <script>`, quoted where needed). */
export declare function followBrowserCommand(): string;

/** One line of `FOLLOW_BROWSER_LOG`. */
export interface FollowBrowserRecord {
    /** How many arguments the script got. */
    argc: number;
    /** The last argument (the URL): origin and path, query parameter names. */
    target?: { url: string; params: string[] };
    /** Each page visited before the callback: origin and path, query parameter names, HTTP status. */
    hops: Array<{ url: string; params: string[]; status: number }>;
    /** The loopback callback, when reached. */
    callback?: { url: string; params: string[]; status: number };
    /** Why it stopped early. */
    error?: string;
}
