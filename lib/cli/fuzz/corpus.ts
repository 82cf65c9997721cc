/* Fixed inputs of csm-fuzz: hostile strings sent to the API and the signs of internals leaking from it. */

/** Injection strings (SQL, NoSQL, command, template, JNDI, XSS, LDAP, XPath, CRLF, format string). */
export const INJECTION_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "1'; DROP TABLE orders; --",
  '" OR ""="',
  '1 UNION SELECT username, password FROM users--',
  "admin'--",
  '{"$gt": ""}',
  "'; return true; var x='",
  '; cat /etc/passwd',
  '| id',
  '$(sleep 5)',
  '`id`',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '${jndi:ldap://127.0.0.1:1389/a}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '*)(uid=*))(|(uid=*',
  "' or count(/*)=1 or '",
  'line\r\nSet-Cookie: injected=1',
  '%s%s%s%s%n',
  '\u0000',
];

/** Operator objects placed where a string is expected (NoSQL injection). */
export const INJECTION_OBJECTS: readonly unknown[] = [{ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }];

/** Path traversal values for path parameters (sent percent-encoded, some double-encoded). */
export const TRAVERSAL_STRINGS: readonly string[] = [
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '....//....//etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%252f..%252f..%252fetc%252fpasswd',
  '/etc/passwd',
  '..;/..;/admin',
  '.%00./.%00./etc/passwd',
];

/** Unicode that breaks naive handling: bidi overrides, zero-width, combining marks, astral, lone surrogates, NUL. */
export const TRICKY_UNICODE: readonly string[] = [
  '\u202Egnp.exe',
  'a\u200Bb\u200Dc\uFEFF',
  'Z\u0351\u0362\u035A\u0353a\u0337\u0322l\u0328\u0318g\u0489o',
  '\uD83D\uDE00\uD83D\uDC69\u200D\uD83D\uDCBB',
  '\uD800',
  '\uDFFF',
  '\uFF0E\uFF0E\uFF0F\uFF0E\uFF0E\uFF0Fetc',
  'nul\u0000byte',
  '\u0130\u0131\u017F\u212A',
  '\uFFFD\uFFFE\uFFFF',
];

/** Headers that try to reroute or re-verb a request behind the gateway. */
export const OVERRIDE_HEADERS: readonly Record<string, string>[] = [
  { 'X-HTTP-Method-Override': 'DELETE' },
  { 'X-Original-URL': '/admin' },
  { 'X-Rewrite-URL': '/admin' },
  { 'X-Forwarded-For': '127.0.0.1' },
  { 'X-Forwarded-Host': 'localhost' },
  { 'X-Amzn-Trace-Id': 'Root=1-00000000-000000000000000000000000;Sampled=1' },
];

/** What a response body must not contain: each pattern names the kind of internals it reveals. */
export const LEAK_PATTERNS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'JavaScript stack trace', pattern: /\bat [\w$.<>[\] ]+ \(?(?:\/|[A-Za-z]:\\|file:|node:)[^)\n]*:\d+:\d+\)?/ },
  { what: 'Python traceback', pattern: /Traceback \(most recent call last\)|File "[^"]+", line \d+/ },
  {
    what: 'Java/.NET stack trace',
    pattern:
      /\bat [a-z][\w$]*(?:\.[\w$<>]+)+\((?:[\w$]+\.(?:java|kt|scala|cs)(?::(?:line )?\d+)?|Native Method|Unknown Source)\)|\bin [^\n]+\.cs:line \d+/,
  },
  { what: 'Go panic', pattern: /goroutine \d+ \[running\]|panic: runtime error/ },
  { what: 'PHP/Ruby error', pattern: /(?:Fatal error|Parse error|Warning): .+ on line \d+|\.rb:\d+:in `/ },
  {
    what: 'exception name',
    pattern:
      /\b(?:[A-Z][a-z0-9]+){1,6}Exception\b|\b(?:TypeError|ReferenceError|SyntaxError|RangeError|KeyError|ValueError|AttributeError|IndexError|NameError|NullPointerException|UnhandledPromiseRejection)\b/,
  },
  {
    what: 'SQL error or statement',
    pattern:
      /SQL syntax|SQLSTATE|ORA-\d{5}|PG::|psql:|syntax error at or near|SQLITE_|unterminated quoted string|ODBC|JDBC|\bSELECT\b[^\n]{1,200}\bFROM\b|\bINSERT INTO\b|\bUPDATE\b[^\n]{1,100}\bSET\b/i,
  },
  {
    what: 'internal host name',
    pattern:
      /\bip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\b|\b[\w-]+(?:\.[\w-]+)*\.(?:compute\.internal|ec2\.internal|svc\.cluster\.local|local|internal|corp|lan)\b/i,
  },
  { what: 'private IP address', pattern: /\b(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}\b/ },
  { what: 'file system path', pattern: /(?:\/(?:home|usr\/src|var\/task|srv|opt|app)\/[\w.-]+\/[\w./-]+)|[A-Za-z]:\\(?:Users|inetpub|Windows)\\/ },
  { what: 'AWS resource name', pattern: /\barn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:/ },
];
