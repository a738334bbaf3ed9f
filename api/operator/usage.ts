/**
 * The CLI's usage and README's command table, both rendered from the command table in
 * commands.ts (each command's `args` and `does`), so neither is a hand-kept copy.
 *
 *   node --import tsx api/operator/usage.ts          prints README's section (Markdown)
 *   node --import tsx api/operator/usage.ts --write  rewrites it in README.md, between the markers
 *
 * usage.test.ts fails while README.md's section differs from what this renders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS, type Command } from './commands.ts';

/** `merchant create --name NAME`: a command as the operator types it. */
const syntax = (name: string, command: Command) => (command.args ? `${name} ${command.args}` : name);

const ENVIRONMENT = `Environment: DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite folder, default ./data), as for the server.
With PGlite, while the server runs the command is sent to it over DATA_DIR/counterpay.sock.`;

/** Where the description starts in usage (a longer syntax puts it on a line of its own), and where its lines wrap. */
const COLUMN = 32;
const WIDTH = 100;

/** `text` in lines of at most `width` characters, broken at spaces (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/** `counterpay help`: every command with what it does, then the environment it reads. */
export function usageText(commands: Readonly<Record<string, Command>> = COMMANDS): string {
  const indent = ' '.repeat(COLUMN);
  const lines = Object.entries(commands).map(([name, command]) => {
    const left = `  ${syntax(name, command)}`;
    const does = wrap(command.does.replace(/`/g, ''), WIDTH - COLUMN).join(`\n${indent}`);
    return left.length < COLUMN - 1 ? `${left.padEnd(COLUMN)}${does}` : `${left}\n${indent}${does}`;
  });
  return `Usage: counterpay <command> [options] [--json]\n\n${lines.join('\n')}\n\n${ENVIRONMENT}`;
}

export const README_START = '<!-- cli-usage -->';
export const README_END = '<!-- /cli-usage -->';

/** A table cell: a pipe would end the cell, so it is escaped (`\|`, which Markdown shows as `|`). */
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** README's command table, with the note that it is generated, between (not including) the markers. */
export function readmeSection(commands: Readonly<Record<string, Command>> = COMMANDS): string {
  return [
    '<!-- Generated from the command table in api/operator/commands.ts: after changing it, run `node --import tsx api/operator/usage.ts --write`. -->',
    '| command | does |',
    '| --- | --- |',
    ...Object.entries(commands).map(([name, command]) => `| \`${cell(syntax(name, command))}\` | ${cell(command.does)} |`),
  ].join('\n');
}

const SECTION = new RegExp(`${README_START}\\n([\\s\\S]*?)\\n?${README_END}`);

/** README's text between the markers (without the line breaks next to them); throws when the markers are missing. */
export function readmeSectionOf(readme: string): string {
  const found = SECTION.exec(readme);
  if (!found) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  return found[1]!;
}

/** `readme` with the text between the markers replaced by `section`. */
export function withReadmeSection(readme: string, section: string = readmeSection()): string {
  readmeSectionOf(readme);
  return readme.replace(SECTION, () => `${README_START}\n${section}\n${README_END}`);
}

export const README_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const readme = readFileSync(README_PATH, 'utf8');
    const updated = withReadmeSection(readme);
    if (updated !== readme) writeFileSync(README_PATH, updated);
    process.stdout.write(updated === readme ? 'README.md is up to date.\n' : 'README.md: the CLI section is rewritten.\n');
  } else {
    process.stdout.write(`${README_START}\n${readmeSection()}\n${README_END}\n`);
  }
}
