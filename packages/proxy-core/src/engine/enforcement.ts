/**
 * Enforcement: whether a host request the session is ready for may reach the server.
 * The allowlist (tools, prompts, resources, completions, tasks), denied items, drifted
 * definitions, the pinned inputSchema, and the embedder's runtime policy hook, in that
 * order; then the mode decides between refusing and reporting (`audit_only`).
 */
import type { AuditEvent } from '@mcptrust/audit';
import { DENIED_REASON } from '../allowlist.js';
import type { GuardDecision, GuardedCall } from '../engine.types.js';
import { isKnownHostRequest, versionAtLeast } from '../protocol.js';
import { ArgumentValidator } from '../schema-validator.js';
import { has, isObject, type Json } from './json.js';
import type { Observation } from './observation.js';
import type { Pending } from './pending-table.js';
import type { Denial, Replies } from './replies.js';
import type { Session } from './session.js';

/**
 * What {@link Enforcement.admit} decided: forward, forward although the policy would
 * refuse (already reported as `audit_only`), or refused (already answered).
 */
export type Admission = 'allowed' | 'reported' | 'refused';

/** The enforcement stage. */
export class Enforcement {
  private readonly validator = new ArgumentValidator();

  constructor(
    private readonly session: Session,
    private readonly obs: Observation,
    private readonly replies: Replies,
  ) {}

  /** Decides a host request of an initialized session (not `initialize`, not `ping`). */
  admit(method: string, params: Json, idJson: string): Admission {
    const version = this.session.version!;
    if (!isKnownHostRequest(version, method)) {
      if (method.startsWith('tasks/')) {
        this.replies.refuse(idJson, method, { cls: 'TASK_NOT_ALLOWED', reason: `tasks are not available under protocol ${version}` });
        return 'refused';
      }
      return this.policyDenied(idJson, method, { cls: 'METHOD_NOT_ALLOWED', reason: `method ${JSON.stringify(method)} is not allowed` }) ? 'refused' : 'reported';
    }
    const denial = this.checkRequest(method, params);
    if (denial === undefined) return 'allowed';
    return this.policyDenied(idJson, method, denial) ? 'refused' : 'reported';
  }

  /**
   * Whether a resource URI is allowed: not denied, a pinned static resource that did
   * not drift, a static resource listed at start-up (`allowStaticResources`), or
   * matched by a pinned template that did not drift. Undefined when allowed.
   */
  checkUri(uri: string): Denial | undefined {
    const { allow, drifted } = this.session;
    if (allow.deniesUri(uri)) return { cls: 'ITEM_DENIED', reason: DENIED_REASON, uri };
    if (allow.staticResources.has(uri)) {
      if (drifted.get('resource')!.has(uri)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', uri };
      return undefined;
    }
    if (this.session.startupStatic.has(uri)) return undefined;
    const template = allow.matchTemplate(uri);
    if (template === undefined) return { cls: 'RESOURCE_NOT_ALLOWED', reason: 'not in allowlist', uri };
    if (drifted.get('resourceTemplate')!.has(template)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', uri };
    return undefined;
  }

  /**
   * Records the task ID a task-augmented `tools/call` answered with, so later `tasks/*`
   * requests for it are allowed. Returns false when the table is full (the host got
   * `LIMIT_EXCEEDED` instead of the answer).
   */
  recordTask(entry: Pending, msg: Json): boolean {
    const result = msg['result'];
    const task = isObject(result) ? result['task'] : undefined;
    const taskId = isObject(task) ? task['taskId'] : undefined;
    if (typeof taskId === 'string' && entry.tool !== undefined) {
      if (this.session.tasks.size >= this.session.maxTasks) {
        this.replies.refuse(entry.hostId, entry.method, { cls: 'LIMIT_EXCEEDED', reason: 'too many tasks', tool: entry.tool }, 'blocked', entry);
        return false;
      }
      this.session.tasks.set(taskId, entry.tool);
      this.session.stateVersion++;
    }
    return true;
  }

  /** Applies the mode to a policy denial; returns true when the request was refused. */
  private policyDenied(idJson: string, method: string, d: Denial): boolean {
    // Task-ID and version checks are protocol integrity, enforced in every mode.
    if (this.session.mode === 'enforce' || d.cls === 'TASK_NOT_ALLOWED' || d.cls === 'LIMIT_EXCEEDED' || d.cls === 'INTERNAL_FAILURE') {
      this.replies.refuse(idJson, method, d);
      return true;
    }
    const ev: Partial<AuditEvent> = { method, code: d.cls, reason: d.reason };
    if (d.tool !== undefined) ev.tool = d.tool;
    if (d.prompt !== undefined) ev.prompt = d.prompt;
    if (d.uri !== undefined) ev.uri = d.uri;
    this.obs.audit('audit_only', 'host_to_server', this.obs.requestFields(ev, idJson));
    return false;
  }

  /** The allowlist check of one request; undefined when allowed. */
  private checkRequest(method: string, params: Json): Denial | undefined {
    const { allow, drifted } = this.session;
    switch (method) {
      case 'tools/call':
        return this.checkToolCall(params);
      case 'prompts/get': {
        const name = params['name'];
        if (typeof name !== 'string') return { cls: 'PROMPT_NOT_ALLOWED', reason: 'prompt name missing' };
        if (allow.isDenied('prompt', name)) return { cls: 'ITEM_DENIED', reason: DENIED_REASON, prompt: name };
        if (!allow.prompts.has(name)) return { cls: 'PROMPT_NOT_ALLOWED', reason: 'not in allowlist', prompt: name };
        if (drifted.get('prompt')!.has(name)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', prompt: name };
        return this.guard({ method, prompt: name, arguments: params['arguments'] }, { prompt: name });
      }
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        const uri = params['uri'];
        if (typeof uri !== 'string') return { cls: 'RESOURCE_NOT_ALLOWED', reason: 'resource uri missing' };
        const denial = this.checkUri(uri);
        if (denial !== undefined) return denial;
        return method === 'resources/read' ? this.guard({ method, uri }, { uri }) : undefined;
      }
      case 'completion/complete': {
        const ref = params['ref'];
        if (!isObject(ref)) return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'completion reference missing' };
        if (ref['type'] === 'ref/prompt') {
          const name = ref['name'];
          if (typeof name === 'string' && allow.prompts.has(name) && !drifted.get('prompt')!.has(name)) return undefined;
          return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'prompt not allowed', ...(typeof name === 'string' ? { prompt: name } : {}) };
        }
        if (ref['type'] === 'ref/resource') {
          const uri = ref['uri'];
          if (typeof uri === 'string' && allow.templates.has(uri) && !drifted.get('resourceTemplate')!.has(uri)) return undefined;
          return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'resource template not allowed', ...(typeof uri === 'string' ? { uri } : {}) };
        }
        return { cls: 'COMPLETION_NOT_ALLOWED', reason: 'unknown completion reference type' };
      }
      case 'tasks/get':
      case 'tasks/result':
      case 'tasks/cancel': {
        const taskId = params['taskId'];
        if (typeof taskId === 'string' && this.session.tasks.has(taskId)) return undefined;
        return { cls: 'TASK_NOT_ALLOWED', reason: 'unknown task id' };
      }
      default:
        return undefined;
    }
  }

  private checkToolCall(params: Json): Denial | undefined {
    const { allow, version } = this.session;
    const name = params['name'];
    if (typeof name !== 'string') return { cls: 'TOOL_NOT_ALLOWED', reason: 'tool name missing' };
    if (has(params, 'task') && (version === undefined || !versionAtLeast(version, '2025-11-25'))) {
      return { cls: 'TASK_NOT_ALLOWED', reason: `task-augmented calls are not available under protocol ${version}`, tool: name };
    }
    if (allow.isDenied('tool', name)) return { cls: 'ITEM_DENIED', reason: DENIED_REASON, tool: name };
    if (!allow.tools.has(name)) return { cls: 'TOOL_NOT_ALLOWED', reason: 'not in allowlist', tool: name };
    if (this.session.drifted.get('tool')!.has(name)) return { cls: 'DEFINITION_DRIFTED', reason: 'definition drifted', tool: name };
    const schema = allow.toolSchemas.get(name) ?? this.session.verifiedSchemas.get(name);
    if (schema === undefined) return { cls: 'INVALID_ARGUMENTS', reason: 'no pinned inputSchema to validate against', tool: name };
    const check = this.validator.check(name, schema, params['arguments']);
    if (!check.ok) return { cls: 'INVALID_ARGUMENTS', reason: check.reason ?? 'invalid arguments', tool: name };
    return this.guard({ method: 'tools/call', tool: name, arguments: params['arguments'] }, { tool: name });
  }

  /** Asks the embedder's runtime policy hook (`callGuard`); throwing counts as a denial. */
  private guard(call: GuardedCall, who: Partial<Denial>): Denial | undefined {
    const g = this.session.options.callGuard;
    if (g === undefined) return undefined;
    let decision: GuardDecision;
    try {
      decision = g(call);
    } catch {
      return { cls: 'POLICY_DENIED', reason: 'policy check failed', ...who };
    }
    if (isObject(decision) && decision.allow === true) return undefined;
    const reason = isObject(decision) && typeof (decision as { reason?: unknown }).reason === 'string' ? (decision as { reason: string }).reason : 'denied by policy';
    return { cls: 'POLICY_DENIED', reason, ...who };
  }
}
