// Lint, including the dependency direction of ARCHITECTURE.md §2, enforced per folder.
import tseslint from 'typescript-eslint';

const transports = ['express', 'express/*', 'mongoose', 'mongodb', 'socket.io', 'imapflow', 'nodemailer', 'nodemailer/*',
  'mailparser', 'smtp-server', 'pino', 'busboy', 'mongodb-memory-server'];

/** Paths a folder may not import, with the reason shown to whoever tries. */
const forbid = (patterns, message) => ({ group: patterns, message });

const channelRules = [
  forbid(['**/src/core/*', '!**/src/core/index.ts'], 'channels import the core through src/core/index.ts only.'),
  forbid(['**/src/infra/**', '**/src/api/**', '**/src/cli/**', '**/config/**', '**/src/gateway.ts', '**/src/main.ts'], 'a channel never touches the database or the app wiring; it gets ports and settings injected.'),
  forbid(['mongoose', 'mongodb'], 'a channel never touches the database directly.'),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/channels/**', '**/infra/**', '**/config/**', '**/api/**', '**/cli/**'], 'src/core is the domain: it imports no channel, infra, config, api or cli code.'),
        forbid(transports, 'src/core imports no transport or database library; define a port in ports.ts instead.'),
      ] }],
    },
  },
  {
    files: ['channels/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: channelRules }],
    },
  },
  // A channel never imports another channel; only the registry (channels/registry.ts) loads them all.
  // From channels/<name>/ at depth d, a sibling channel is `../` d times then `<other>/`, while
  // `../` d+1 times leaves channels/ (the core). One block per folder depth says exactly that.
  ...[1, 2, 3].map((depth) => ({
    files: [`channels/*/${'*/'.repeat(depth - 1)}*.{ts,mjs,js}`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        ...channelRules,
        forbid([`${'../'.repeat(depth)}*/**`, `!${'../'.repeat(depth + 1)}**`],
          'a channel never imports another channel.'),
      ] }],
    },
  })),
  {
    files: ['src/api/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/core/*', '!**/core/index.ts'], 'src/api uses the core through src/core/index.ts only.'),
        forbid(['**/channels/**', '**/infra/**', '**/config/**', '**/cli/**', '**/gateway.ts', '**/core.composition.ts'],
          'src/api calls ports and services it is given; it never imports channels, infra, config or the wiring.'),
        forbid(['mongoose', 'mongodb', 'socket.io', 'imapflow', 'nodemailer', 'nodemailer/*', 'mailparser', 'smtp-server'],
          'src/api reads through repositories and acts through TicketActions, never a database or transport library.'),
      ] }],
    },
  },
  {
    // The console's server side: pages, assets and the live feed; it reads through the core's index.
    files: ['src/console/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/core/*', '!**/core/index.ts'], 'src/console uses the core through src/core/index.ts only.'),
        forbid(['**/channels/**', '**/infra/**', '**/config/**', '**/cli/**', '**/gateway.ts', '**/core.composition.ts', 'mongoose', 'mongodb'],
          'src/console is handed the services it needs; it never touches channels, infra, config or the database.'),
      ] }],
    },
  },
  {
    files: ['src/infra/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/channels/**', '**/api/**'], 'src/infra implements core ports; it never imports channels or the API.'),
        forbid(['**/config/**'], 'src/infra receives config slices; it does not load config.'),
      ] }],
    },
  },
  {
    // process.env is read in config/ only (and by test tooling that starts servers).
    files: ['src/**', 'channels/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration in config/ only' }],
    },
  },
  {
    files: ['src/cli/**', 'test/**', 'scripts/**', '*.config.*'],
    rules: { 'no-console': 'off' },
  },
);
