// The soak's host: writes requests as NDJSON, reads every answer, and checks that each
// request gets exactly the answer it is due (see run.mjs for the mix).
const PHASE = 2000;
const CONCURRENCY = [1, 2, 4, 8, 16, 32, 64];
const TIMEOUT_CODE = -32060;
const SMALL = 'x'.repeat(60);
const MEDIUM = 'm'.repeat(64 * 1024);
// 1 MiB with characters JSON must escape, as real payloads have.
const LARGE = 'line "quoted" \\ back\n\t'.repeat(Math.ceil((1 << 20) / 22)).slice(0, 1 << 20);

/** mulberry32: a small seeded PRNG, so a run can be repeated. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A load generator bound to one session: `onData` takes the proxy's stdout, `attach`
 * the function that writes to its stdin.
 */
export function createLoad({ total, seed, requestTimeoutMs }) {
  const random = prng(seed);
  const waiting = new Map(); // id → { kind, resolve, minLength }
  const cancelled = new Set();
  const background = new Set();
  const failures = [];
  const counts = { messages: 0, answered: 0, small: 0, medium: 0, large: 0, cancelled: 0, answeredAfterCancel: 0, timeouts: 0, lists: 0, listChanged: 0, denied: 0, unexpected: 0 };
  let write = () => {
    throw new Error('not attached');
  };
  let nextId = 1;
  let relist = false;
  const fail = (what) => {
    if (failures.length < 1000) failures.push(what);
  };

  function onLine(line) {
    // Answers start {"jsonrpc":"2.0","id":N,…; only short lines are parsed whole.
    const head = line.length > 512 ? line.slice(0, 512) : line;
    const m = /^\{"jsonrpc":"2\.0","id":(\d+),"(result|error)"/.exec(head);
    if (m === null) {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return fail(`not JSON on stdout: ${head.slice(0, 100)}`);
      }
      if (msg.method === 'notifications/tools/list_changed') {
        counts.listChanged++;
        relist = true;
        return;
      }
      if (msg.id === 'init') return waiting.get('init')?.resolve(msg);
      return fail(`unexpected message: ${head.slice(0, 200)}`);
    }
    const id = Number(m[1]);
    const w = waiting.get(id);
    if (w === undefined) {
      if (cancelled.has(id)) {
        counts.answeredAfterCancel++;
        cancelled.delete(id);
        return;
      }
      counts.unexpected++;
      return fail(`answer to id ${id}, which is not waiting (a second answer, or never asked)`);
    }
    waiting.delete(id);
    counts.answered++;
    w.resolve({ isError: m[2] === 'error', line });
  }

  let partial = [];
  function onData(chunk) {
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf('\n', start)) !== -1) {
      const piece = chunk.slice(start, nl);
      const line = partial.length === 0 ? piece : partial.join('') + piece;
      partial = [];
      start = nl + 1;
      onLine(line);
    }
    if (start < chunk.length) partial.push(chunk.slice(start));
  }

  function request(method, params) {
    const id = nextId++;
    counts.messages++;
    const answered = new Promise((resolve) => waiting.set(id, { resolve }));
    write('{"jsonrpc":"2.0","id":' + id + ',"method":"' + method + '","params":' + JSON.stringify(params) + '}\n');
    return { id, answered };
  }

  async function echo(kind, message) {
    const { id, answered } = request('tools/call', { name: 'echo', arguments: { message } });
    const a = await answered;
    if (a.isError) return fail(`echo ${kind} (id ${id}) answered with an error: ${a.line.slice(0, 200)}`);
    if (a.line.length < message.length) return fail(`echo ${kind} (id ${id}) answered with ${a.line.length} bytes`);
    counts[kind]++;
  }

  async function list() {
    relist = false;
    const { id, answered } = request('tools/list', {});
    const a = await answered;
    if (a.isError) return fail(`tools/list (id ${id}) answered with an error`);
    const tools = JSON.parse(a.line).result.tools;
    const names = tools.map((t) => t.name);
    if (names.includes('exec_shell')) fail(`tools/list (id ${id}) shows exec_shell`);
    const note = tools.find((t) => t.name === 'note');
    if (note !== undefined && note.description !== 'Keep a note.') fail(`tools/list (id ${id}) shows the drifted note`);
    if (!names.includes('echo')) fail(`tools/list (id ${id}) lost echo`);
    counts.lists++;
  }

  async function denied() {
    const { id, answered } = request('tools/call', { name: 'exec_shell', arguments: { cmd: 'id' } });
    const a = await answered;
    if (!a.isError) return fail(`exec_shell (id ${id}) was not denied`);
    counts.denied++;
  }

  function cancel() {
    const { id } = request('tools/call', { name: 'slow', arguments: { message: SMALL, ms: 30 } });
    // No answer is due once cancelled.
    waiting.delete(id);
    cancelled.add(id);
    // A late answer is due within the slow call's 30 ms: older IDs need not be kept, so
    // the driver's own memory stays flat too.
    if (cancelled.size > 4096) cancelled.delete(cancelled.values().next().value);
    counts.messages++;
    counts.cancelled++;
    write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":' + id + ',"reason":"soak"}}\n');
  }

  function expire() {
    const { id, answered } = request('tools/call', { name: 'slow', arguments: { message: SMALL, ms: requestTimeoutMs + 500 } });
    const done = answered.then((a) => {
      background.delete(done);
      const m = /"code":(-?\d+)/.exec(a.line);
      if (!a.isError || m === null || Number(m[1]) !== TIMEOUT_CODE) return fail(`slow call past the deadline (id ${id}) did not get the timeout error: ${a.line.slice(0, 200)}`);
      counts.timeouts++;
    });
    background.add(done);
  }

  /** One step of the mix. */
  function step() {
    if (relist) return list();
    const r = random();
    if (r < 0.02) return echo('medium', MEDIUM);
    if (r < 0.04) {
      cancel();
      return undefined;
    }
    if (r < 0.041) {
      expire();
      return undefined;
    }
    if (r < 0.0415) return denied();
    if (r < 0.042) return list();
    if (r < 0.0422) return echo('large', LARGE);
    return echo('small', SMALL);
  }

  return {
    counts,
    failures,
    onData,
    attach(fn) {
      write = fn;
    },
    /** Host requests still waiting for their answer. */
    inFlight: () => waiting.size,
    async initialize() {
      const answered = new Promise((resolve) => waiting.set('init', { resolve }));
      write('{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"soak","version":"1"}}}\n');
      const msg = await answered;
      waiting.delete('init');
      if (msg.result === undefined) throw new Error(`initialize failed: ${JSON.stringify(msg).slice(0, 500)}`);
      write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    },
    /** Runs the mix until `total` messages were sent, calling `sample` every `every` messages. */
    async run(every, sample) {
      let nextSample = every;
      while (counts.messages < total) {
        const concurrency = CONCURRENCY[Math.floor(random() * CONCURRENCY.length)];
        const phaseEnd = Math.min(total, counts.messages + PHASE);
        const worker = async () => {
          while (counts.messages < phaseEnd) {
            await step();
            if (counts.messages >= nextSample) {
              nextSample += every;
              sample();
            }
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
      }
      await Promise.all([...background]);
    },
    /** Waits until late answers to cancelled and expired calls are due to have come and gone. */
    async settle() {
      await new Promise((r) => setTimeout(r, 800));
      if (waiting.size > 0) fail(`${waiting.size} requests never answered`);
    },
  };
}
