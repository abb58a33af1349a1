/** Every test of the project: unit, integration on the embedded cloud, end to end. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/local', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  // The long-form suite (a 120-page story, a 60-clip merge) takes minutes: `npm run test:long-form`.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/.serverless/',
    '/.esbuild/',
    ...(process.env.REELAY_LONG_FORM ? [] : ['/test/long-form/']),
  ],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2023' } }] },
  // ESM-only packages that jest must transform to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|ulid|aws-local-stepfunctions)/)'],
  // @middy/core and @middy/util export only an `import` condition, which jest's CommonJS resolver does not try.
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  testTimeout: 120_000,
  maxWorkers: 2,
  // The long suites first, so the short ones run beside them (test/longest-first-sequencer.js).
  testSequencer: '<rootDir>/test/longest-first-sequencer.js',
};
