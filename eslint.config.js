// Lint: the layer rules of docs/architecture.md, checked on every import, and
// the purity rule of the pure layers (no I/O, no clocks, no unseeded chance).
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// Each layer may import from the layers listed for it, and from itself.
// Lower layers never import upward: the pure cores know nothing of storage,
// transports or threads; a node runtime knows nothing of the HTTP face.
const LAYERS = {
  ground: [],
  // The dashboard's page: browser code that sees nothing of the server but
  // src/dashboard/protocol.ts (types only); the rule for page files below
  // refuses every other file of src/dashboard/.
  page: ['dashboard'],
  machines: ['ground'],
  core: ['ground', 'machines'],
  kv: ['ground', 'core'],
  check: ['ground', 'core', 'kv'],
  convergence: ['ground', 'check'],
  leaderless: ['ground', 'check', 'convergence', 'machines'],
  multileader: ['ground', 'check', 'convergence', 'core', 'kv', 'machines'],
  storage: ['ground', 'core', 'kv'],
  transport: ['ground', 'core'],
  node: ['ground', 'machines', 'core', 'kv', 'storage', 'transport'],
  lifecycle: ['ground', 'core', 'node'],
  cluster: ['ground', 'core', 'kv', 'node', 'lifecycle'],
  host: ['ground', 'core', 'node', 'lifecycle', 'transport'],
  client: ['ground'],
  http: ['ground', 'core', 'kv', 'node', 'client'],
  dashboard: ['ground', 'machines', 'core', 'kv', 'node', 'http'],
  serve: ['ground', 'core', 'kv', 'node', 'storage', 'transport', 'lifecycle', 'cluster', 'host', 'http', 'dashboard'],
  verify: ['ground', 'check', 'core', 'kv', 'storage', 'client'],
  cli: ['ground', 'machines', 'core', 'transport', 'cluster', 'client', 'dashboard', 'serve', 'verify'],
};
const PURE_LAYERS = ['ground', 'machines', 'core', 'kv', 'check', 'convergence', 'leaderless', 'multileader'];

// Where each layer lives, when it is not src/<name>/. The first element that
// matches a file names its layer, so page comes before dashboard.
const PATTERNS = {
  machines: 'machines/**',
  page: 'src/dashboard/page/**',
};
const elements = Object.keys(LAYERS).map((type) => ({ type, pattern: PATTERNS[type] ?? `src/${type}/**`, partialMatch: false }));
const policies = Object.entries(LAYERS).map(([type, allowed]) => ({
  from: { element: { type } },
  allow: { to: { element: { types: { anyOf: [type, ...allowed] } } } },
}));

const impureGlobals = [
  { name: 'Date', message: 'Pure layers count time in ticks; take time as an argument.' },
  { name: 'setTimeout', message: 'Pure layers have no timers; return an effect instead.' },
  { name: 'setInterval', message: 'Pure layers have no timers; return an effect instead.' },
  { name: 'setImmediate', message: 'Pure layers have no timers; return an effect instead.' },
  { name: 'performance', message: 'Pure layers count time in ticks.' },
  { name: 'process', message: 'Pure layers do no I/O and read no environment.' },
];

/** Import patterns refused in a page file whose way up to src/dashboard/ is `up`. */
function pageImports(up) {
  const escaped = up.replaceAll('.', '\\.');
  return [
    { regex: `^${escaped}(?!protocol\\.js$)`, message: 'The page imports no server code: only src/dashboard/protocol.ts (types) and page modules.' },
    { regex: '^node:', message: 'The page runs in a browser.' },
  ];
}

export default [
  { ignores: ['dist/**', 'node_modules/**', 'results/**', 'src/dashboard/page.bundle.js', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // The codebase asserts with `assert()` and narrows with guards; these two
      // would only add noise where a cast is checked one line earlier.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/*.ts', 'machines/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/include': ['src/**/*.ts', 'machines/**/*.ts'],
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies }],
    },
  },
  {
    // The page runs in a browser: of the server's files it may import
    // protocol.ts alone, and no Node module.
    files: ['src/dashboard/page/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...pageImports('../')] }] },
  },
  {
    files: ['src/dashboard/page/dom/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...pageImports('../../')] }] },
  },
  {
    files: PURE_LAYERS.map((layer) => (layer === 'machines' ? 'machines/**/*.ts' : `src/${layer}/**/*.ts`)),
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Pure layers use seeded randomness passed in.' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'fs/*', 'net', 'os', 'path', 'child_process', 'worker_threads'], message: 'Pure layers do no I/O.' },
            { group: ['lmdb', 'comlink', 'piscina', 'prom-client'], message: 'Pure layers use no runtime library; msgpackr encoding and xstate are allowed.' },
          ],
        },
      ],
    },
  },
];
