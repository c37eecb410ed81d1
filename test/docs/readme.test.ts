// The READMEs are how operators configure the gateway: every variable src/config.ts reads is in the
// configuration table of both, and README.ko.md says the same as README.md (same sections, same
// commands), so that the Korean text cannot silently fall behind the English one.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const english = read('README.md');
const korean = read('README.ko.md');

/** Every environment variable config.ts reads by name (`text(env, 'PORT')`, `env.NHN_API_PASSWORD`...). */
function configVariables(): string[] {
  const source = read('src/config.ts');
  const names = new Set<string>();
  for (const match of source.matchAll(/\(\s*env,\s*'([A-Z][A-Z0-9_]+)'|\benv\.([A-Z][A-Z0-9_]+)|\benv\[\s*'([A-Z][A-Z0-9_]+)'\s*\]/g)) {
    names.add((match[1] ?? match[2] ?? match[3])!);
  }
  return [...names].sort();
}

/** Rows of the configuration table: the variables named in its first column. */
function tableVariables(readme: string): Set<string> {
  const names = new Set<string>();
  for (const line of readme.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]!);
  }
  return names;
}

function headingLevels(readme: string): string[] {
  return readme
    .split('\n')
    .filter((line) => /^#{1,4} /.test(line))
    .map((line) => line.split(' ')[0]!);
}

/** Shell commands of the indented and fenced code blocks, placeholders (`<...>`) and comments aside. */
function commands(readme: string): string[] {
  const found: string[] = [];
  let fence: string | null = null;
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) {
      fence = fence === null ? line.slice(3) : null;
      continue;
    }
    const code = fence !== null ? (['sh', 'bash', 'shell', 'console'].includes(fence) ? line : null) : line.startsWith('    ') ? line.trim() : null;
    if (code === null || code === '' || code.startsWith('#')) continue;
    found.push(code.replace(/<[^>]*>/g, '<>').replace(/\s+/g, ' '));
  }
  return found;
}

describe('README.md and README.ko.md', () => {
  test('every variable config.ts reads is in both configuration tables', () => {
    const variables = configVariables();
    expect(variables).toContain('PORT');
    expect(variables.filter((name) => !tableVariables(english).has(name) && !english.includes(`\`${name}\``))).toEqual([]);
    expect(variables.filter((name) => !tableVariables(korean).has(name) && !korean.includes(`\`${name}\``))).toEqual([]);
  });

  test('both tables list the same variables', () => {
    expect([...tableVariables(korean)].sort()).toEqual([...tableVariables(english)].sort());
  });

  test('the same sections, in the same order and depth', () => {
    expect(headingLevels(korean)).toEqual(headingLevels(english));
  });

  test('the same commands', () => {
    expect(commands(korean)).toEqual(commands(english));
  });

  test('each links to the other at the top', () => {
    expect(english.split('\n').slice(0, 5).join('\n')).toContain('](README.ko.md)');
    expect(korean.split('\n').slice(0, 5).join('\n')).toContain('](README.md)');
  });
});
