// One Jest run over every workspace package (the README's test command).
export default {
  projects: ['<rootDir>/packages/*', '<rootDir>/apps/*', '<rootDir>/tooling'],
  reporters: ['default', '<rootDir>/tooling/summary-reporter.js'],
  maxWorkers: 2,
};
