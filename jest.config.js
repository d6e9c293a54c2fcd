// One Jest run over every workspace package (the README's test command).
export default {
  projects: ['<rootDir>/packages/*', '<rootDir>/apps/*', '<rootDir>/tooling', '<rootDir>/examples'],
  reporters: ['default', '<rootDir>/tooling/summary-reporter.js'],
  // Global options: a project's own config cannot set these in a multi-project run.
  testTimeout: 30_000,
  maxWorkers: 2,
};
