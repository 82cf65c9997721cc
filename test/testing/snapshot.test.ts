import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { assetHashSerializer, HASH_PLACEHOLDER, stripAssetHashes } from '../../lib/testing/snapshot';
import { newStack } from '../support/harness';

const HASH = 'a'.repeat(38) + '0123456789abcdef0123456789';

describe('snapshot helpers', () => {
  it('strips 64-hex asset hashes and keeps everything else', () => {
    const template = { Code: { S3Key: `${HASH}.zip` }, Name: 'keep-me', Short: 'abc123' };
    expect(stripAssetHashes(template)).toEqual({ Code: { S3Key: `${HASH_PLACEHOLDER}.zip` }, Name: 'keep-me', Short: 'abc123' });
  });

  it('produces the same snapshot for two templates that differ only in asset content', () => {
    const render = (code: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-asset-'));
      fs.writeFileSync(path.join(dir, 'index.js'), code);
      const stack: Stack = newStack();
      new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_LATEST, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
      return Template.fromStack(stack).toJSON();
    };
    const one = render('exports.handler = async () => 1;');
    const two = render('exports.handler = async () => 2;');
    expect(JSON.stringify(one)).not.toEqual(JSON.stringify(two));
    expect(stripAssetHashes(one)).toEqual(stripAssetHashes(two));
  });

  it('works as a vitest snapshot serializer', () => {
    expect.addSnapshotSerializer(assetHashSerializer);
    expect(assetHashSerializer.test(`${HASH}.zip`)).toBe(true);
    expect(assetHashSerializer.test('no hash here')).toBe(false);
    expect(`s3://bucket/${HASH}.zip`).toMatchInlineSnapshot(`"s3://bucket/[ASSET-HASH].zip"`);
  });
});
