import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS } from './commands.ts';
import { README_PATH, readmeSection, readmeSectionOf, usageText, withReadmeSection } from './usage.ts';

describe('the CLI usage and README, from the command table', () => {
  it("README.md's CLI section is what the command table renders (run `node --import tsx api/operator/usage.ts --write` after changing it)", () => {
    expect(readmeSectionOf(readFileSync(README_PATH, 'utf8'))).toBe(readmeSection());
  });

  it('lists every command, with what it does, in usage and in README', () => {
    const usage = usageText();
    const readme = readmeSection();
    for (const name of COMMAND_NAMES) {
      const { args, does } = COMMANDS[name]!;
      const syntax = args ? `${name} ${args}` : name;
      expect(usage, name).toMatch(new RegExp(`^  ${syntax.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`, 'm'));
      expect(usage.replace(/\n +/g, ' '), name).toContain(does.replace(/`/g, ''));
      expect(readme, name).toContain(`| \`${syntax.replace(/\|/g, '\\|')}\` | ${does.replace(/\|/g, '\\|')} |`);
    }
    expect(usage).toMatch(/^Usage: counterpay <command> \[options\] \[--json\]\n/);
    expect(usage).toContain('Environment: DATABASE_URL (PostgreSQL) or DATA_DIR');
  });

  it('replaces only the text between the markers', () => {
    const readme = 'before\n<!-- cli-usage -->\nold table\n<!-- /cli-usage -->\nafter\n';
    expect(withReadmeSection(readme, 'new table')).toBe('before\n<!-- cli-usage -->\nnew table\n<!-- /cli-usage -->\nafter\n');
    expect(() => readmeSectionOf('no markers')).toThrow('README.md has no <!-- cli-usage --> … <!-- /cli-usage --> section');
  });
});
