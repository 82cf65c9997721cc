import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORM_RULES } from '../../lib/checks/rules';
import { PRACTICES } from '../../lib/private/practices';

const root = path.join(__dirname, '..', '..');
const doc = fs.readFileSync(path.join(root, 'docs', 'PRACTICES.md'), 'utf8');
/** `## P<n> <title>` sections of docs/PRACTICES.md with the rules named on their "Checked by" line. */
const sections = doc
  .split(/^## /m)
  .slice(1)
  .map((section) => {
    const [heading] = section.split('\n');
    const [, id, title] = /^(P\d+) (.+)$/.exec(heading.trim()) ?? [];
    const checkedBy = /- Checked by: ([\s\S]*?)(?:\n\n|\n- |$)/.exec(section)?.[1] ?? '';
    return { id, title, section, rules: [...checkedBy.matchAll(/Platform-(\w+)/g)].map((m) => m[1]).sort() };
  });

describe('docs/PRACTICES.md', () => {
  it('describes exactly the practices the security report maps, with the same ids and titles, in order', () => {
    expect(PRACTICES.length).toBe(16);
    expect(sections.map((s) => `${s.id} ${s.title}`)).toEqual(PRACTICES.map((p) => `${p.id} ${p.title}`));
  });

  it('says for each practice what it means, what implements it and what checks it', () => {
    for (const s of sections) {
      expect(s.section, s.id).toMatch(/- Implemented by: \S/);
      expect(s.section, s.id).toMatch(/- Checked by: \S/);
    }
  });

  it('lists under each practice exactly the PlatformChecks rules that name it', () => {
    for (const s of sections) {
      const expected = PLATFORM_RULES.filter((r) => r.practices.includes(s.id as `P${number}`))
        .map((r) => r.id)
        .sort();
      expect(s.rules, s.id).toEqual(expected);
    }
  });
});

describe('references to the practices', () => {
  const skip = new Set(['node_modules', 'dist', '.git', 'cdk.out', 'coverage']);
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (skip.has(e.name) || e.name.startsWith('cdk.out')) return [];
      const full = path.join(dir, e.name);
      return e.isDirectory() ? files(full) : [full];
    });

  it('point into this repository (docs/PRACTICES.md), never to a file users do not have', () => {
    const outside = 'shared' + '/';
    const offending = files(root).filter((f) => /\.(ts|mjs|js|json|md)$/.test(f) && fs.readFileSync(f, 'utf8').includes(outside));
    expect(offending.map((f) => path.relative(root, f))).toEqual([]);
  });
});
