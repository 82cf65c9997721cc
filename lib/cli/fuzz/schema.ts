import Ajv from 'ajv-draft-04';

export type JsonObject = Record<string, unknown>;

/** A property reachable from the body's root through `properties`. */
export interface Slot {
  readonly path: readonly string[];
  /** Allowed JSON types (empty: any). */
  readonly types: readonly string[];
  readonly schema: JsonObject;
  /** Listed in its parent's `required`. */
  readonly required: boolean;
}

/** json-schema-faker's generateSync (loaded with a dynamic import: the package is ESM-only). */
export type GenerateSync = (schema: JsonObject, options: { seed: number; optionalsProbability: number; maxDefaultItems: number }) => unknown;

/** Loads json-schema-faker once per process. */
export async function loadGenerator(): Promise<GenerateSync> {
  const jsf = await import('json-schema-faker');
  return (schema, options) => jsf.generateSync(schema as never, options);
}

const ajv = new Ajv({ strict: false, validateFormats: false, logger: false, allErrors: false });

/**
 * A route's body schema (JSON Schema draft 4, as API Gateway validates it): valid examples from json-schema-faker,
 * the verdict of ajv on any body, and the places a mutation can aim at.
 */
export class BodySchema {
  private readonly validate?: (value: unknown) => boolean;
  private readonly slots: Slot[];
  private readonly closed: string[][];

  constructor(
    private readonly schema: JsonObject,
    private readonly generate: GenerateSync,
  ) {
    try {
      const compiled = ajv.compile(schema);
      this.validate = (value) => compiled(value) as boolean;
      this.lastErrors = () => ajv.errorsText(compiled.errors, { dataVar: 'body' });
    } catch {
      // An unresolvable $ref (another API Gateway model): bodies cannot be judged against the schema.
      this.validate = undefined;
    }
    this.slots = [];
    this.closed = [];
    this.walk(schema, [], true);
  }

  /** True when the schema could be compiled, so bodies can be judged. */
  public get checkable(): boolean {
    return this.validate !== undefined;
  }

  public rootIsObject(): boolean {
    return typesOf(this.schema).includes('object') || this.schema.properties !== undefined;
  }

  /** A fresh valid body for the seed (undefined when none could be generated). */
  public valid(seed: number): unknown {
    const fakerSchema = forFaker(this.schema) as JsonObject;
    for (let attempt = 0; attempt < 5; attempt++) {
      let value: unknown;
      try {
        value = this.generate(fakerSchema, { seed: seed + attempt, optionalsProbability: 0.5, maxDefaultItems: 3 });
      } catch {
        continue;
      }
      if (!this.validate || this.validate(value)) return value;
    }
    return undefined;
  }

  /** Why the body breaks the schema, or undefined when it is valid (or cannot be judged). */
  public problem(value: unknown): string | undefined {
    if (!this.validate) return undefined;
    return this.validate(value) ? undefined : this.lastErrors();
  }

  public fields(): Slot[] {
    return this.slots;
  }

  public requiredFields(): Slot[] {
    return this.slots.filter((s) => s.required);
  }

  public stringFields(): Slot[] {
    return this.slots.filter((s) => s.types.includes('string') && !s.schema.enum);
  }

  /** Paths of objects that forbid additional properties. */
  public closedObjects(): string[][] {
    return this.closed;
  }

  /** Values just outside a field's bounds (length, range, pattern, enum, items). */
  public outOfBounds(slot: Slot): { value: unknown; why: string }[] {
    const s = slot.schema;
    const out: { value: unknown; why: string }[] = [];
    const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
    if (num('maxLength') !== undefined) out.push({ value: 'A'.repeat(num('maxLength')! + 1), why: `longer than maxLength ${num('maxLength')}` });
    if ((num('minLength') ?? 0) > 0) out.push({ value: 'A'.repeat(num('minLength')! - 1), why: `shorter than minLength ${num('minLength')}` });
    if (typeof s.pattern === 'string') {
      const re = safeRegExp(s.pattern);
      const miss = re && ['', ' ', '\u0000', '!!!', 'AAA', '0'].find((c) => !re.test(c));
      if (miss !== undefined && miss !== null) out.push({ value: miss, why: `does not match pattern ${s.pattern}` });
    }
    if (Array.isArray(s.enum))
      out.push({ value: typeof s.enum[0] === 'number' ? 987654321 : 'csm-fuzz-not-in-enum', why: 'not one of the enum values' });
    if (num('maximum') !== undefined)
      out.push({ value: s.exclusiveMaximum === true ? num('maximum') : num('maximum')! + 1, why: `above maximum ${num('maximum')}` });
    if (num('minimum') !== undefined)
      out.push({ value: s.exclusiveMinimum === true ? num('minimum') : num('minimum')! - 1, why: `below minimum ${num('minimum')}` });
    if (slot.types.includes('integer') && !slot.types.includes('number')) out.push({ value: 1.5, why: 'not a whole number' });
    if (num('maxItems') !== undefined) out.push({ value: new Array(num('maxItems')! + 1).fill(null), why: `more than maxItems ${num('maxItems')}` });
    if ((num('minItems') ?? 0) > 0) out.push({ value: [], why: `fewer than minItems ${num('minItems')}` });
    return out;
  }

  /** A body that breaks the schema (required field left out, extra field, wrong type or not an object), with why. */
  public invalidExample(seed: number): { value: unknown; why: string } | undefined {
    const candidates: (() => { value: unknown; why: string })[] = [
      ...this.requiredFields().map((slot) => () => ({
        value: without(this.valid(seed) ?? {}, slot.path),
        why: `required "${slot.path.join('.')}" left out`,
      })),
      ...this.closed.map((at) => () => ({
        value: withValue(this.valid(seed) ?? {}, [...at, 'csm_fuzz_extra'], 1),
        why: `extra field "${[...at, 'csm_fuzz_extra'].join('.')}"`,
      })),
      () => ({ value: [this.valid(seed)], why: 'an array instead of the body' }),
    ];
    for (const candidate of candidates) {
      const c = candidate();
      if (this.problem(c.value)) return c;
    }
    return undefined;
  }

  private lastErrors: () => string = () => 'invalid';

  private walk(schema: JsonObject, path: string[], reachable: boolean): void {
    if (!reachable || path.length > 8) return;
    if (schema.additionalProperties === false) this.closed.push(path);
    const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    for (const [name, child] of Object.entries(properties)) {
      if (!child || typeof child !== 'object') continue;
      const childPath = [...path, name];
      this.slots.push({ path: childPath, types: typesOf(child), schema: child, required: required.has(name) });
      if (child.properties || child.additionalProperties === false) this.walk(child, childPath, true);
    }
  }
}

function typesOf(schema: JsonObject): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  return Array.isArray(schema.type) ? (schema.type as string[]) : [];
}

/** Draft 4 → what json-schema-faker expects: numeric exclusive bounds, no $schema. */
function forFaker(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(forFaker);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as JsonObject)) {
    if (k === '$schema') continue;
    out[k] = forFaker(v);
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else {
        delete out[flag];
      }
    }
  }
  return out;
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

function without(value: unknown, path: readonly string[]): unknown {
  const copy = structuredClone(value) as JsonObject;
  let o: JsonObject | undefined = copy;
  for (const k of path.slice(0, -1)) o = o && typeof o[k] === 'object' ? (o[k] as JsonObject) : undefined;
  if (o) delete o[path[path.length - 1]];
  return copy;
}

function withValue(value: unknown, path: readonly string[], v: unknown): unknown {
  const copy = structuredClone(value) as JsonObject;
  let o = copy;
  for (const k of path.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as JsonObject;
  }
  o[path[path.length - 1]] = v;
  return copy;
}
