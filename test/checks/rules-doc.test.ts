import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORM_RULES } from '../../lib/checks/rules';

const root = path.join(__dirname, '..', '..');
const rows = fs
  .readFileSync(path.join(root, 'RULES.md'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('| Platform-'))
  .map((line) => line.split('|').map((cell) => cell.trim()))
  .map((cells) => ({ id: cells[1].replace(/^Platform-/, ''), practices: cells[4].split(/,\s*/) }));

describe('RULES.md and the registered PlatformChecks rules', () => {
  it('documents exactly the rules the pack runs, at least 12', () => {
    expect(PLATFORM_RULES.length).toBeGreaterThanOrEqual(12);
    expect(rows.map((r) => r.id).sort()).toEqual(PLATFORM_RULES.map((r) => r.id).sort());
  });

  it('names the same practices as each rule', () => {
    for (const rule of PLATFORM_RULES) {
      expect(rows.find((r) => r.id === rule.id)?.practices, rule.id).toEqual([...rule.practices]);
    }
  });

  it('has a test file per rule (compliant and non-compliant cases)', () => {
    const tests = fs.readdirSync(path.join(root, 'test', 'checks', 'rules'));
    const missing = PLATFORM_RULES.filter((r) => !tests.some((f) => f.startsWith(r.id)));
    expect(missing.map((r) => r.id)).toEqual([]);
  });
});
