import type { CommandModule } from '../command.js';
import type { CheckSection } from '../drift-report/report.js';
import {
  checkSignature,
  describeVerification,
  evaluateGatePolicy,
  policyFromFlags,
  policyOptions,
  signatureCheckFromFlags,
  signatureOptions,
} from '../gate-flags.js';
import type { SignatureOutcome } from '../gate-flags.js';
import type { PolicyResult } from '@mcptrust/policy';
import { printable } from '../output.js';
import { policySarifRun } from '../policy-sarif.js';
import type { SarifRun } from '../sarif-log.js';
import { policyReceipt } from '../observe/receipt-facts.js';
import { driftOptions, parseDriftFlags, runDriftReport } from './diff.js';

/** The signature section of the gate. */
function signatureSection(outcome: SignatureOutcome | undefined): CheckSection {
  if (outcome === undefined) return { name: 'signature', status: 'skipped', summary: 'no --key or --issuer/--identity given' };
  return outcome.valid
    ? { name: 'signature', status: 'pass', summary: describeVerification(outcome.verification) }
    : { name: 'signature', status: 'fail', summary: `the lockfile signature does not hold: ${outcome.reason}` };
}

/**
 * `mcptrust check [--lock] [--fail-on] [--key | --issuer/--identity] [--policy | --preset] [--format] -- <server>`:
 * the one CI gate. The signature is verified and the policy compiled before the server
 * starts; drift and policy are evaluated on the same scan; one report, one exit code.
 */
export const checkCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'check',
    'The CI gate: verify the lockfile signature (when asked), diff against the live server, evaluate policy (when asked)',
    (y) =>
      policyOptions(signatureOptions(driftOptions(y)))
        .usage('Usage: $0 check [--lock mcp-lock.json] [--fail-on critical] [--key public.key | --issuer URL --identity ID] [--policy FILE | --preset NAME] [--format text|json|markdown|sarif] (--url URL [--header "Name: value"]... | -- <server command>)')
        .example('$0 check -- npx -y @modelcontextprotocol/server-filesystem /srv', 'the gate: exit 1 on critical drift')
        .example('$0 check --key public.key --preset baseline -- node server.js', 'signature + drift + policy in one run')
        .example('$0 check --format markdown -o "$GITHUB_STEP_SUMMARY" -- node server.js', 'a GitHub job summary')
        .example('$0 check --url https://mcp.example.com/mcp --header "Authorization: Bearer ${EXAMPLE_TOKEN}"', 'gate a remote server'),
    async (argv) => {
      const args = argv as Record<string, unknown>;
      const flags = parseDriftFlags(argv);
      const signatureRequest = signatureCheckFromFlags(args, flags.lock);
      const policy = await policyFromFlags(args);
      const signature = signatureRequest === undefined ? undefined : await checkSignature(signatureRequest);
      // The policy's results, once evaluated on the scan: a second SARIF run beside drift's.
      let policyResult: PolicyResult | undefined;
      const policyRuns = (): SarifRun[] => (policyResult === undefined ? [] : [policySarifRun(policyResult, flags.lock)]);
      await runDriftReport('check', flags, argv['--'], ctx, (result) => {
        const sections = [signatureSection(signature)];
        if (policy === undefined) {
          sections.push({ name: 'policy', status: 'skipped', summary: 'no --policy or --preset given' });
          return sections;
        }
        const evaluated = evaluateGatePolicy(policy, result, signature);
        policyResult = evaluated;
        const failing = evaluated.rules.filter((r) => r.status !== 'pass');
        ctx.run.note({ policy: policyReceipt(evaluated.passed, evaluated.rules, typeof args['preset'] === 'string' ? args['preset'] : undefined) });
        const describe = (r: (typeof failing)[number]): string =>
          `${r.name} (${r.severity}${r.status === 'error' ? ', could not be evaluated' : ''}${r.failsCheck && r.severity === 'warn' ? '; strict mode: warnings fail' : ''}): ${printable(r.failureMessage)}${r.items.length ? ` [${r.items.map((i) => printable(i.id)).join(', ')}]` : ''}`;
        sections.push({
          name: 'policy',
          status: evaluated.passed ? 'pass' : 'fail',
          summary:
            failing.length === 0
              ? `policy ${printable(evaluated.policy)}: all ${evaluated.rules.length} rules pass`
              : `policy ${printable(evaluated.policy)}: ${failing.map(describe).join('; ')}`,
        });
        return sections;
      }, policyRuns);
    },
  );
