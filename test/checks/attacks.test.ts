import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applySecurityChecks } from '../../lib/checks/apply-security-checks';
import { formatFindings, SecuritySynthResult, synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { Attack, AttackClass, AttackContext } from '../fixtures/attacks/attack';
import { buildCompliantPlatform } from '../fixtures/attacks/compliant-app';
import { ATTACKS } from '../fixtures/attacks';
import { newApp } from '../support/harness';

// The regression suite of the gate: small insecure apps (test/fixtures/attacks, one file each) that must each make
// synth fail with the expected rule on the attacked construct, or be refused while building. The attacks that need
// synth share one app (the shared platform plus a Stage per standalone attack) and one synth with every pack.

interface Outcome {
  readonly scope?: IConstruct;
  readonly error?: Error;
  readonly result?: () => SecuritySynthResult;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'attacks');
const CLASSES: readonly AttackClass[] = ['override', 'acknowledgement', 'warning', 'rule-logic', 'secret', 'weakening'];

describe('attack fixtures', () => {
  const outcomes = new Map<string, Outcome>();
  let compliant: SecuritySynthResult;

  beforeAll(() => {
    const shared = newApp();
    const platform = buildCompliantPlatform(shared);
    const ownApps: App[] = [];
    const context = (attack: Attack): AttackContext => ({
      platform,
      stack: () => new Stack(new Stage(shared, attack.name), 'Stack'),
      app: () => {
        const app = newApp();
        ownApps.push(app);
        return app;
      },
      freshPlatform: () => buildCompliantPlatform(newApp(), 'fresh'),
    });
    for (const attack of ATTACKS) {
      const before = ownApps.length;
      try {
        const scope = attack.build(context(attack));
        const own = ownApps.slice(before);
        outcomes.set(attack.name, { scope, result: own.length ? once(() => gate(own[0])) : undefined });
      } catch (error) {
        outcomes.set(attack.name, { error: error as Error });
      }
    }
    const sharedResult = gate(shared);
    for (const [name, outcome] of outcomes) {
      if (!outcome.result && !outcome.error) outcomes.set(name, { ...outcome, result: () => sharedResult });
    }
    const clean = newApp();
    buildCompliantPlatform(clean);
    compliant = gate(clean);
  });

  it(`has at least 25 attacks covering every class (${ATTACKS.length})`, () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(25);
    expect([...new Set(ATTACKS.map((a) => a.attackClass))].sort()).toEqual([...CLASSES].sort());
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.ts') && !['attack.ts', 'index.ts', 'compliant-app.ts'].includes(f));
    expect(ATTACKS.map((a) => `${a.name}.ts`).sort()).toEqual(files.sort());
  });

  it('the app they start from passes every pack', () => {
    expect(formatFindings(compliant.findings)).toBe('');
  });

  it.each(ATTACKS.map((a) => [a.name, a]))('%s', (_name, attack) => {
    const outcome = outcomes.get(attack.name)!;
    if ('refused' in attack.expect) {
      expect(outcome.error?.message, `${attack.name} was not refused`).toMatch(attack.expect.refused);
      return;
    }
    expect(outcome.error, `${attack.name} threw while building`).toBeUndefined();
    const { rule } = attack.expect;
    const at = outcome.scope!.node.path;
    const findings = outcome.result!().findings;
    const hit = findings.filter(
      (f) => f.acknowledgeId.startsWith(rule) && (at === '' || f.constructPath === at || f.constructPath.startsWith(`${at}/`)),
    );
    expect(
      hit.length,
      `${attack.name}: no ${rule} finding at ${at || 'the App'}; findings there:\n${formatFindings(findings.filter((f) => f.constructPath.startsWith(at)))}`,
    ).toBeGreaterThan(0);
  });
});

function gate(app: App): SecuritySynthResult {
  applySecurityChecks(app);
  return synthesizeWithChecks(app);
}

function once<T>(f: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: f() }).v;
}
