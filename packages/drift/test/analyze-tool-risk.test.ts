import { describe, expect, it } from '@jest/globals';
import type { JsonObject, RiskLevel, ToolDefinition } from '@mcptrust/lockfile';
import { analyzeToolRisk } from '../src/index.js';

const EMPTY_SCHEMA: JsonObject = { type: 'object', properties: {} };

function withProperties(...names: string[]): JsonObject {
  return { type: 'object', properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])) };
}

function tool(name: string, extra: Partial<ToolDefinition> = {}): ToolDefinition {
  return { name, inputSchema: EMPTY_SCHEMA, ...extra };
}

describe('analyzeToolRisk', () => {
  describe('when only the name speaks', () => {
    it.each<[string, RiskLevel, string]>([
      // runs commands or code
      ['exec', 'HIGH', '`exec`'],
      ['run_command', 'HIGH', '`run`'],
      ['executeCommand', 'HIGH', '`execute`'],
      ['executecommand', 'HIGH', '`execute`'],
      ['shell-exec', 'HIGH', '`shell`'],
      ['eval_js', 'HIGH', '`eval`'],
      ['spawn_process', 'HIGH', '`spawn`'],
      ['sudo', 'HIGH', '`sudo`'],
      // deletes or destroys
      ['delete_file', 'HIGH', '`delete`'],
      ['removeItem', 'HIGH', '`remove`'],
      ['destroy-cluster', 'HIGH', '`destroy`'],
      ['drop_table', 'HIGH', '`drop`'],
      ['kill_process', 'HIGH', '`kill`'],
      ['format_disk', 'HIGH', '`format`'],
      // writes, moves, renames, uploads files
      ['write_file', 'HIGH', '`write` on files'],
      ['move_file', 'HIGH', '`move` on files'],
      ['renameDirectory', 'HIGH', '`rename` on files'],
      ['upload_file', 'HIGH', '`upload`'],
      // sends data out
      ['send_email', 'HIGH', '`send`'],
      ['post_message', 'HIGH', '`post`'],
      ['http_request', 'HIGH', '`http`'],
      ['fetch_url', 'HIGH', '`fetch` with a URL'],
      // credentials
      ['get_secret', 'HIGH', '`secret`'],
      ['read_password', 'HIGH', '`password`'],
      ['getApiKey', 'HIGH', '`api_key`'],
      ['refresh_token', 'HIGH', '`token`'],
      // changes state
      ['create_issue', 'MEDIUM', '`create`'],
      ['update_record', 'MEDIUM', '`update`'],
      ['edit_note', 'MEDIUM', '`edit`'],
      ['modifySettings', 'MEDIUM', '`modify`'],
      ['write_note', 'MEDIUM', '`write`'],
      ['toggle-logging', 'MEDIUM', '`toggle`'],
      // network reads, environment
      ['download', 'MEDIUM', '`download`'],
      ['web_search', 'MEDIUM', '`web`'],
      ['get-env', 'MEDIUM', '`env`'],
    ])('rates `%s` %s because the name contains %s', (name, level, reason) => {
      const risk = analyzeToolRisk(tool(name));
      expect(risk.riskLevel).toBe(level);
      expect(risk.riskReasons.join(' | ')).toContain(reason);
    });

    it.each([
      'read_file',
      'list_directory',
      'get_weather',
      'search_files',
      'echo',
      'get-sum',
      'list_posts', // a blog post is not an HTTP POST: `post` counts only as the first word
      'dry_run', // `run` counts only as the first word
      'count_tokens', // LLM tokens, not a credential
      'trigger-long-running-operation',
      'postgres_query',
    ])('rates `%s` LOW with no reasons', (name) => {
      expect(analyzeToolRisk(tool(name))).toEqual({ riskLevel: 'LOW', riskReasons: [] });
    });
  });

  describe('when the name hides a risky word behind look-alike or invisible characters', () => {
    it.each([
      ['\u0435x\u0435c', 'Cyrillic е'],
      ['de\u200Blete_file', 'zero-width space'],
      ['ｅｘｅｃ', 'fullwidth letters'],
    ])('still rates %j HIGH (%s)', (name) => {
      expect(analyzeToolRisk(tool(name)).riskLevel).toBe('HIGH');
    });
  });

  describe('when the input schema has telling property names', () => {
    it.each<[JsonObject, RiskLevel, string]>([
      [withProperties('command'), 'HIGH', 'input property `command`'],
      [withProperties('shellCommand', 'cwd'), 'HIGH', 'input property `shellCommand`'],
      [withProperties('apiKey'), 'HIGH', 'input property `apiKey`'],
      [withProperties('password'), 'HIGH', 'input property `password`'],
      [withProperties('webhookUrl'), 'HIGH', 'input property `webhookUrl`'],
      [withProperties('url'), 'MEDIUM', 'input property `url`'],
      [
        { type: 'object', properties: { options: { type: 'object', properties: { script: { type: 'string' } } } } },
        'HIGH',
        'input property `script`',
      ],
    ])('rates a neutral name with %j as %s', (schema, level, reason) => {
      const risk = analyzeToolRisk(tool('do_it', { inputSchema: schema }));
      expect(risk.riskLevel).toBe(level);
      expect(risk.riskReasons).toContain(reason);
    });

    it('rates a write verb HIGH when a path property says it works on files', () => {
      const risk = analyzeToolRisk(tool('write', { inputSchema: withProperties('path', 'content') }));
      expect(risk).toEqual({ riskLevel: 'HIGH', riskReasons: ['name contains `write` on files (`path`)'] });
    });

    it('rates `get` HIGH when a url property lets the model choose the address', () => {
      expect(analyzeToolRisk(tool('get_page', { inputSchema: withProperties('url') })).riskLevel).toBe('HIGH');
    });

    it('does not count maxTokens as a credential', () => {
      expect(analyzeToolRisk(tool('sample', { inputSchema: withProperties('prompt', 'maxTokens') })).riskLevel).toBe('LOW');
    });
  });

  describe('when only the description speaks', () => {
    it.each<[string, RiskLevel]>([
      ['Executes the given shell command on the host.', 'HIGH'],
      ['Runs arbitrary code in a sandbox.', 'HIGH'],
      ['Permanently deletes the record.', 'HIGH'],
      ['Overwrites the target.', 'HIGH'],
      ['Uploads the document to the cloud.', 'HIGH'],
      ['Sends an email to the recipient.', 'HIGH'],
      ['Returns the stored API key.', 'HIGH'],
      ['Returns all environment variables.', 'MEDIUM'],
      ['Fetches the page and returns its text.', 'MEDIUM'],
      ['Creates a new file with the content.', 'MEDIUM'],
      ['Reads the file at the given path', 'LOW'],
      ['Demonstrates a long running operation with progress updates.', 'LOW'],
      ['Sends an elicitation request for clarification.', 'LOW'],
    ])('rates %j %s', (description, level) => {
      expect(analyzeToolRisk(tool('helper', { description })).riskLevel).toBe(level);
    });
  });

  describe('when annotations are present', () => {
    it('rates destructiveHint=true HIGH', () => {
      const risk = analyzeToolRisk(tool('tidy', { annotations: { destructiveHint: true } }));
      expect(risk).toEqual({ riskLevel: 'HIGH', riskReasons: ['annotation destructiveHint=true'] });
    });

    it('rates openWorldHint=true MEDIUM', () => {
      expect(analyzeToolRisk(tool('lookup', { annotations: { openWorldHint: true } }))).toEqual({
        riskLevel: 'MEDIUM',
        riskReasons: ['annotation openWorldHint=true'],
      });
    });

    it('rates readOnlyHint=false MEDIUM', () => {
      expect(analyzeToolRisk(tool('lookup', { annotations: { readOnlyHint: false } })).riskLevel).toBe('MEDIUM');
    });

    it('rates read/list/get with readOnlyHint=true LOW', () => {
      expect(analyzeToolRisk(tool('list_items', { annotations: { readOnlyHint: true } })).riskLevel).toBe('LOW');
    });

    it('never lowers a risk found elsewhere because of readOnlyHint=true', () => {
      const risk = analyzeToolRisk(
        tool('delete_everything', { annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false } }),
      );
      expect(risk.riskLevel).toBe('HIGH');
      expect(risk.riskReasons).toEqual([
        'name contains `delete`',
        'annotation readOnlyHint=true ignored (hints cannot lower the risk)',
      ]);
    });

    it('ignores hints that are not booleans', () => {
      expect(analyzeToolRisk(tool('lookup', { annotations: { destructiveHint: 'true' } })).riskLevel).toBe('LOW');
    });
  });

  describe('when several signals agree', () => {
    it('lists only the reasons of the winning level, each once', () => {
      const risk = analyzeToolRisk(
        tool('write_file', {
          description: 'Create a new file or overwrite an existing one.',
          inputSchema: withProperties('path', 'content'),
          annotations: { destructiveHint: true, readOnlyHint: false },
        }),
      );
      expect(risk.riskLevel).toBe('HIGH');
      expect(risk.riskReasons).toEqual([
        'name contains `write` on files (`file`)',
        'description mentions `overwrite`',
        'annotation destructiveHint=true',
      ]);
    });
  });
});
