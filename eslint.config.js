// Lint rules for every workspace. Type-aware, so floating promises are caught.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Production sources (the workspaces' src/, tests excepted) never import test support: a workspace's
// test-support/ folder or the test-bed package.
const TEST_SUPPORT = [
  { regex: '(^|/)test-support(/|$)', message: 'test-support/ is for tests: production code never imports it.' },
  { regex: '^@lastgasp/testbed(/|$)', message: 'the test bed is for tests and benchmarks: production code never imports it.' },
];
const PRODUCTION = ['proto/src/**', 'collector/src/**', 'agent/src/**'];
const TESTS = ['**/*.test.ts'];

/**
 * `no-restricted-imports` for `files`: `patterns`, plus TEST_SUPPORT for the production files among
 * them. (A later config object replaces the rule's options instead of merging them, so each object
 * carries the whole list.)
 */
function restrictImports(files, patterns) {
  const rule = (list) => ({ 'no-restricted-imports': ['error', { patterns: list }] });
  const blocks = [{ files, ignores: TESTS, rules: rule([...patterns, ...TEST_SUPPORT]) }];
  if (patterns.length > 0) blocks.push({ files: files.map((f) => `${f}/*.test.ts`), rules: rule(patterns) });
  return blocks;
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', 'deploy/helm/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      complexity: ['error', 20],
      'max-depth': ['error', 4],
      'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }],
      'max-params': ['error', 5],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...restrictImports(PRODUCTION, []),
  // Import boundaries of the collector: arrows point one way only (collector/README.md).
  ...restrictImports(['collector/src/parse/**', 'collector/src/reassemble/**', 'collector/src/classify/**'], [
    { regex: '^\\.\\./(?!(types|heap-size)\\.js$)', message: 'parse, reassemble and classify are pure stages: they import only ../types.js and ../heap-size.js.' },
  ]),
  ...restrictImports(['collector/src/kube/**'], [{ regex: '^\\.\\./', message: 'kube/ is Kubernetes plumbing: it imports nothing of the collector.' }]),
  ...restrictImports(['collector/src/record/**'], [
    { regex: '^\\.\\./(remediate|resolve|leader|api|cli|ingest)/', message: 'record/ is below remediate/, resolve/ and the API: it never imports them.' },
  ]),
  // One error-code scheme: a typed error's `code` is ERR_LASTGASP_<WHAT> (as Node.js's ERR_*).
  {
    files: PRODUCTION,
    ignores: TESTS,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "PropertyDefinition[key.name='code'][value.type='Literal']:not([value.value=/^ERR_LASTGASP_[A-Z0-9_]+$/])",
          message: 'Error codes are ERR_LASTGASP_<WHAT> (upper case, underscores).',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      'max-lines': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
