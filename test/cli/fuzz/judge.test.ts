import { describe, expect, it } from 'vitest';
import { findLeak } from '../../../lib/cli/fuzz';

describe('csm-fuzz leak detection', () => {
  it.each([
    ['JavaScript stack trace', '{"error":"TypeError: x\\n    at handler (/var/task/index.js:10:5)"}'],
    ['Python traceback', 'Traceback (most recent call last):\n  File "/app/main.py", line 3, in <module>'],
    ['Java/.NET stack trace', 'at com.example.orders.OrderService.find(OrderService.java:42)'],
    ['Go panic', 'panic: runtime error: index out of range\n\ngoroutine 1 [running]:'],
    ['exception name', '{"message":"NullPointerException"}'],
    ['exception name', '{"__type":"ConditionalCheckFailedException"}'],
    ['SQL error or statement', 'ERROR: syntax error at or near "OR" at character 42'],
    ['SQL error or statement', 'You have an error in your SQL syntax; check the manual'],
    ['internal host name', 'upstream ip-10-0-3-17 timed out'],
    ['internal host name', 'connect to orders.svc.cluster.local failed'],
    ['internal host name', 'could not reach payments.internal.example.com:8444'],
    ['private IP address', 'connect ECONNREFUSED 10.0.12.7:8443'],
    ['file system path', 'ENOENT: /usr/src/app/config/orders.json'],
    ['AWS resource name', 'User: arn:aws:sts::111122223333:assumed-role/orders-task is not authorized'],
  ])('finds a %s', (what, body) => {
    expect(findLeak(body, [], ['internal.example.com'])?.what).toBe(what);
  });

  it('accepts the generic gateway bodies and echoes of what was sent', () => {
    for (const message of ['Request rejected', 'Internal error', 'Unauthorized', 'Forbidden', 'Invalid request', 'Too many requests', 'Not found']) {
      expect(findLeak(JSON.stringify({ message, requestId: 'c0ffee00-1111-2222-3333-444455556666' }), [], ['internal.example.com'])).toBeUndefined();
    }
    const sent = '1 UNION SELECT username, password FROM users--';
    expect(findLeak(JSON.stringify({ message: `no order ${sent}` }), [sent], [])).toBeUndefined();
    expect(findLeak(JSON.stringify({ message: `no order ${sent}` }), [], [])?.what).toBe('SQL error or statement');
  });
});
