/** deploy/iam-policy.json: valid, templated, least privilege (no wildcards in actions, one workgroup, one database). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}
const file = path.join(import.meta.dirname, '../../../deploy/iam-policy.json');
const policy = JSON.parse(fs.readFileSync(file, 'utf8')) as { Version: string; Statement: Statement[] };
const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);
const actions = policy.Statement.flatMap((s) => list(s.Action));
const resources = policy.Statement.flatMap((s) => list(s.Resource));

describe('deploy/iam-policy.json', () => {
  it('allows exactly the documented actions, none with a wildcard', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(actions.some((a) => a.includes('*'))).toBe(false);
    for (const a of ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 'athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup', 'glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable', 'glue:BatchCreatePartition', 'glue:GetDatabase', 'glue:CreateDatabase']) {
      expect(actions, a).toContain(a);
    }
    expect(actions.filter((a) => a.startsWith('athena:'))).toHaveLength(5);
  });

  it('names only templated resources: three buckets, the results prefix, one workgroup, one database', () => {
    const placeholders = new Set(resources.flatMap((r) => [...r.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]!)));
    expect([...placeholders].sort()).toEqual(['AWS_ACCOUNT_ID', 'AWS_REGION', 'ATHENA_DATABASE', 'ATHENA_WORKGROUP', 'BRONZE_BUCKET', 'GOLD_BUCKET', 'RESULTS_BUCKET', 'RESULTS_PREFIX', 'SILVER_BUCKET'].sort());
    expect(resources.every((r) => r.startsWith('arn:aws:'))).toBe(true);
    expect(resources).not.toContain('*');
    expect(resources.filter((r) => r.startsWith('arn:aws:athena:'))).toEqual(['arn:aws:athena:${AWS_REGION}:${AWS_ACCOUNT_ID}:workgroup/${ATHENA_WORKGROUP}']);
  });
});
