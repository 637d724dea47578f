import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Libraries that take ~0.3–1.8 s each to load: imported with `await import()` where they are used, so that a
 * start does not pay for Excel, PDF, image or mail code it may never run (bench/README.md, startup). Type
 * imports are free.
 */
const loadedWhenUsed = ['exceljs', 'pdfkit', 'sharp', 'nodemailer', 'qrcode'].map((name) => ({
  name,
  allowTypeImports: true,
  message: `Load ${name} where it is used (\`const { default: x } = await import('${name}')\`, or src/platform/pdf/document.ts): a static import costs every start.`,
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'dist/', 'data/', 'migrations/', 'coverage/', 'e2e/.tmp/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only (CODE_STYLE.md).' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/test/**', '**/testSupport.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: loadedWhenUsed }] },
  },
  {
    // Platform knows no domain: it never imports a module.
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/modules/**'], message: 'platform/* must not import modules/* (DESIGN: layout).' }] }],
    },
  },
  {
    // A module reaches another module only through its service.ts (never its tables or routes).
    files: ['src/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*/schema.ts', '../*/routes.ts', '../../modules/*/schema.ts', '../../modules/*/routes.ts'], message: "Use the other module's service.ts functions or its events (DESIGN: layout)." },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', localStorage: 'readonly', EventSource: 'readonly', indexedDB: 'readonly', location: 'readonly', HTMLElement: 'readonly', File: 'readonly', Blob: 'readonly', FormData: 'readonly' } },
    rules: {
      'no-restricted-syntax': 'off',
      // The client shares server types, never server code.
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/platform/**', '**/src/modules/**'], allowTypeImports: true, message: 'web/ may import server types with `import type` only.' }] }],
    },
  },
  {
    files: ['*.config.{js,ts}', 'web/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
