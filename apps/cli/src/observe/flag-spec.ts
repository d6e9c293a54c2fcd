/** One flag: its yargs shape (the same shape as the proxy's flag table). */
export interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly alias?: readonly string[];
  readonly default?: string | boolean;
  readonly demandOption?: boolean;
  readonly choices?: readonly string[];
  readonly describe: string;
}
