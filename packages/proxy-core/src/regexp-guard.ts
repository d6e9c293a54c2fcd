import { Worker } from 'node:worker_threads';

/*
 * Pinned inputSchemas come from servers, so their `pattern` and `patternProperties`
 * regular expressions are attacker-controlled, and so are the call arguments tested
 * against them. JavaScript's backtracking engine can take exponential time (`^(a+)+$`
 * against 40 `a` and a `!`) or quadratic time on long strings (`\s+$`, `a*b`), and
 * argument validation is a synchronous step of the proxy: one such call would stall
 * every session. There is no linear-time engine in Node 20 that needs no native build
 * (re2 does; V8's experimental engine is behind a process-wide flag and refuses the
 * `u` flag), so a pattern that can backtrack is tested in a worker thread under a
 * time budget, and a test that runs over it fails the check (the call is refused).
 * Patterns that cannot backtrack, and short strings against a pattern that can only
 * backtrack quadratically, are tested in place.
 */

/** How long one pattern test may run in the worker before the call is refused. */
export const PATTERN_TEST_BUDGET_MS = 1_000;
/** How long the worker may take to start (once per process, not counted in the budget). */
const WORKER_START_BUDGET_MS = 30_000;
/** Longest string tested in place against a pattern with one unbounded quantifier (n² steps at most). */
const IN_PLACE_QUADRATIC_LENGTH = 2_048;

/** Thrown by a guarded test that ran over {@link PATTERN_TEST_BUDGET_MS}. */
export class PatternBudgetExceeded extends Error {
  override readonly name = 'PatternBudgetExceeded';
}

/** How much backtracking a pattern allows. */
export type PatternCost = 'linear' | 'quadratic' | 'unbounded';

/**
 * Classifies a pattern by its syntax, conservatively: `linear` has no unbounded
 * quantifier and no backreference; `quadratic` has one unbounded quantifier, not in a
 * quantified group; anything else (nested or repeated quantifiers, a quantified group
 * holding a quantifier or an alternation, backreferences, lookarounds) is `unbounded`.
 */
export function classifyPattern(pattern: string): PatternCost {
  let unbounded = 0;
  let risky = false;
  // Per open group: whether it holds a quantifier or an alternation.
  const groups: { busy: boolean }[] = [];
  let lastGroupBusy = false;
  let inClass = false;
  let previousWasGroupEnd = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    let groupEnd = false;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) risky = true;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      groups.push({ busy: false });
      if (pattern[i + 1] === '?') {
        // The group's prefix is no quantifier: (?:  (?=  (?!  (?<=  (?<!  (?<name>
        const prefix = /^\?(?::|=|!|<=|<!|<[^>]*>)/.exec(pattern.slice(i + 1));
        if (prefix !== null && /^\?(?:=|!|<=|<!)/.test(prefix[0])) risky = true; // lookarounds
        i += prefix === null ? 1 : prefix[0].length;
      }
    } else if (c === ')') {
      lastGroupBusy = groups.pop()?.busy ?? false;
      if (lastGroupBusy && groups.length > 0) (groups[groups.length - 1] as { busy: boolean }).busy = true;
      groupEnd = true;
    } else if (c === '|') {
      if (groups.length > 0) (groups[groups.length - 1] as { busy: boolean }).busy = true;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let isUnbounded = c === '*' || c === '+';
      if (c === '{') {
        const close = pattern.indexOf('}', i);
        const body = close < 0 ? '' : pattern.slice(i + 1, close);
        if (!/^\d+(,\d*)?$/.test(body)) continue; // a literal brace
        isUnbounded = body.endsWith(',');
        i = close;
      }
      if (pattern[i + 1] === '?') i++; // lazy: same cost
      if (isUnbounded) unbounded++;
      if (previousWasGroupEnd && lastGroupBusy) risky = true;
      if (groups.length > 0) (groups[groups.length - 1] as { busy: boolean }).busy = true;
    }
    previousWasGroupEnd = groupEnd;
  }
  if (risky || unbounded > 1) return 'unbounded';
  return unbounded === 1 ? 'quadratic' : 'linear';
}

// The worker: tests one pattern per message and reports through shared memory, so the
// caller can wait synchronously with a time limit. Slot 0: 1 once started; slot 1:
// -1 pending, 0 no match, 1 match, 2 the pattern does not compile.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = new Int32Array(workerData);
Atomics.store(ready, 0, 1);
Atomics.notify(ready, 0);
parentPort.on('message', ({ pattern, flags, text, state }) => {
  const view = new Int32Array(state);
  let result = 2;
  try { result = new RegExp(pattern, flags).test(text) ? 1 : 0; } catch { result = 2; }
  Atomics.store(view, 1, result);
  Atomics.notify(view, 1);
});
`;

let worker: Worker | undefined;

function startedWorker(): Worker {
  if (worker !== undefined) return worker;
  const ready = new SharedArrayBuffer(4);
  const started = new Worker(WORKER_SOURCE, { eval: true, workerData: ready, stdout: true, stderr: true });
  started.unref();
  started.on('error', () => {
    if (worker === started) worker = undefined;
  });
  if (Atomics.wait(new Int32Array(ready), 0, 0, WORKER_START_BUDGET_MS) === 'timed-out') {
    void started.terminate();
    throw new PatternBudgetExceeded('the pattern worker did not start');
  }
  worker = started;
  return started;
}

function testInWorker(pattern: string, flags: string, text: string, budgetMs: number): boolean {
  const runner = startedWorker();
  const state = new SharedArrayBuffer(8);
  const view = new Int32Array(state);
  Atomics.store(view, 1, -1);
  runner.postMessage({ pattern, flags, text, state });
  if (Atomics.wait(view, 1, -1, budgetMs) === 'timed-out' && Atomics.load(view, 1) === -1) {
    // The worker is stuck in the pattern: stop it; the next test starts a new one.
    worker = undefined;
    void runner.terminate();
    const shown = pattern.length > 100 ? `${pattern.slice(0, 100)}…` : pattern;
    throw new PatternBudgetExceeded(`testing /${shown}/ ran over its ${budgetMs} ms budget`);
  }
  const result = Atomics.load(view, 1);
  if (result === 2) throw new SyntaxError(`invalid pattern /${pattern}/`);
  return result === 1;
}

/** Options of {@link guardedRegExp}. */
export interface GuardedRegExpOptions {
  /** Time budget of one test in the worker (default {@link PATTERN_TEST_BUDGET_MS}). */
  budgetMs?: number;
}

/**
 * ajv's `code.regExp` engine: compiles the pattern (a pattern that does not compile
 * makes the schema fail to compile), and returns a matcher whose `test` cannot hang
 * the caller: see the comment at the top of this module.
 *
 * @throws PatternBudgetExceeded from `test` when a guarded test runs over its budget
 */
export function guardedRegExp(pattern: string, flags: string, options: GuardedRegExpOptions = {}): { test(text: string): boolean } {
  const native = new RegExp(pattern, flags);
  const cost = classifyPattern(pattern);
  if (cost === 'linear') return native;
  const budgetMs = options.budgetMs ?? PATTERN_TEST_BUDGET_MS;
  return {
    test(text: string): boolean {
      if (cost === 'quadratic' && text.length <= IN_PLACE_QUADRATIC_LENGTH) return native.test(text);
      return testInWorker(pattern, flags, text, budgetMs);
    },
  };
}
/** Named in code ajv generates for standalone validators (never used at run time here). */
guardedRegExp.code = 'guardedRegExp';
