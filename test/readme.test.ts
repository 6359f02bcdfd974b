import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../lib/config';

describe('README', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it('documents every configuration variable, with its default, exactly as lib/config.ts declares it', () => {
    const table = readme.split('<!-- config-table:start -->')[1]!.split('<!-- config-table:end -->')[0]!;
    for (const v of CONFIG_VARIABLES) {
      const d = v.default.startsWith('(') ? v.default : `\`${v.default}\``;
      expect(table).toContain(`| \`${v.name}\` | ${d} | ${v.meaning} |`);
    }
  });
  it('has the two-command quick start', () => {
    expect(readme).toContain('npm ci && npx keystone serve');
    expect(readme).toMatch(/^npm test\b/m);
  });
});
