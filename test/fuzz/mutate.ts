/**
 * Mutations of the files gilbench reads, as data that fast-check generates and shrinks: a walk to
 * a place in a JSON document and what is done there (structural), or an offset into the bytes and
 * what is done to them (byte-level). Applying one is deterministic, so a failing case's printed
 * counterexample is the whole recipe for the file that failed.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a value is replaced by: every kind of wrong the 300 mutations tried, and more. */
const ODD_VALUES: Json[] = [
  null,
  -1,
  0,
  0.5,
  -0.5,
  1e308,
  -1e308,
  2 ** 53,
  'x',
  '',
  [],
  {},
  true,
  false,
  'x'.repeat(10_000),
  [[]],
  { x: 1 },
];

/** A number JSON.stringify cannot write: replaced in the text after serialising (JSON.parse reads 1e999 as Infinity). */
const INFINITY = '\u0000infinity\u0000';

/**
 * A place in a document: one of its fields, every field counted once whatever how many times it
 * occurs (plan.cells.*.workload is one field, however many cells), so that a timeline's thousands
 * of samples do not drown the plan's few cross-references; then which occurrence (each pick
 * chooses an array index, modulo the array's length).
 */
interface Place {
  field: number;
  picks: number[];
}
const place: fc.Arbitrary<Place> = fc.record({ field: fc.nat(), picks: fc.array(fc.nat(), { maxLength: 4 }) });

type StructuralMutation =
  | { op: 'replace'; at: Place; value: Json }
  | { op: 'infinity'; at: Place }
  | { op: 'delete'; at: Place }
  | { op: 'duplicate'; at: Place }
  | { op: 'empty'; at: Place }
  | { op: 'copy'; at: Place; from: Place }
  | { op: 'odd-number'; at: Place; value: number }
  | { op: 'negate'; at: Place }
  | { op: 'scale'; at: Place; by: number };

type ByteMutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'truncate'; at: number }
  | { op: 'invalid-utf8'; at: number; bytes: readonly number[] }
  | { op: 'cut'; at: number; length: number };

/** Positions as fractions of the length, so that a mutation means the same on any file. */
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const structuralMutation: fc.Arbitrary<StructuralMutation> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: place, value: fc.constantFrom(...ODD_VALUES) }),
  fc.record({ op: fc.constant('infinity' as const), at: place }),
  fc.record({ op: fc.constant('delete' as const), at: place }),
  fc.record({ op: fc.constant('duplicate' as const), at: place }),
  fc.record({ op: fc.constant('empty' as const), at: place }),
  // a value of the same kind from elsewhere in the same file: a cell naming another workload, a run another cell, …
  fc.record({ op: fc.constant('copy' as const), at: place, from: place }),
  // the same kind of value, wrong: what a schema of shapes lets through
  fc.record({
    op: fc.constant('odd-number' as const),
    at: place,
    value: fc.constantFrom(-1, 0, 0.5, 1e-300, 1e308, -1e308, 2 ** 53, 2 ** 31),
  }),
  fc.record({ op: fc.constant('negate' as const), at: place }),
  // a number off by a factor, or its sign: plausible-looking numbers that disagree with the rest
  fc.record({ op: fc.constant('scale' as const), at: place, by: fc.constantFrom(-1, 0, 1e-9, 1000, 1e12) }),
);

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fraction, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fraction }),
  fc.record({
    op: fc.constant('invalid-utf8' as const),
    at: fraction,
    bytes: fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00]),
  }),
  fc.record({ op: fc.constant('cut' as const), at: fraction, length: fc.integer({ min: 1, max: 200 }) }),
);

export type Mutation = StructuralMutation | ByteMutation;

/** One to three mutations, mostly structural: a file that still parses reaches the checks behind the parser. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof({ arbitrary: structuralMutation, weight: 4 }, { arbitrary: byteMutation, weight: 1 }),
  {
    minLength: 1,
    maxLength: 3,
  },
);

const isByte = (m: Mutation): m is ByteMutation =>
  m.op === 'flip' || m.op === 'truncate' || m.op === 'invalid-utf8' || m.op === 'cut';

/**
 * The document's bytes after the mutations: structural ones first, on a copy; then byte-level
 * ones on its text, as `write` writes it (a JSON file, or one JSON line per element: a journal).
 */
export function mutate(document: Json, list: Mutation[], write: (document: Json) => string = JSON.stringify): Buffer {
  // The fields of the original: a place means the same whatever the mutations before it did.
  const fields = fieldsOf(document);
  let copy = structuredClone(document);
  for (const m of list) if (!isByte(m)) copy = applyStructural(copy, fields, m);
  let bytes: Buffer = Buffer.from(write(copy).replaceAll(JSON.stringify(INFINITY), '1e999'));
  for (const m of list) if (isByte(m)) bytes = applyBytes(bytes, m);
  return bytes;
}

function applyBytes(bytes: Buffer, m: ByteMutation): Buffer {
  const at = Math.floor(m.at * bytes.length);
  switch (m.op) {
    case 'flip': {
      const copy = Buffer.from(bytes);
      if (copy.length) copy[at] = copy[at]! ^ m.mask;
      return copy;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'invalid-utf8':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    case 'cut':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
  }
}

/** Every field of a document, array indices written as '*': "plan.cells.*.workload". */
function fieldsOf(document: Json): string[][] {
  if (document !== null && typeof document === 'object' && FIELDS.has(document)) return FIELDS.get(document)!;
  const fields = new Map<string, string[]>();
  const visit = (value: Json, path: string[]) => {
    if (path.length) fields.set(path.join('\u0000'), path);
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) for (const item of value) visit(item, [...path, '*']);
    else for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
  };
  visit(document, []);
  const list = [...fields.values()];
  if (document !== null && typeof document === 'object') FIELDS.set(document, list);
  return list;
}

/** The fields of each document mutated so far: a fuzz run mutates a few documents thousands of times. */
const FIELDS = new WeakMap<object, string[][]>();

/** The container that holds the place, and the key of the place in it; undefined when this document has no such place. */
function locate(
  root: Json,
  fields: string[][],
  at: Place,
): { parent: Json[] | { [key: string]: Json }; key: string | number } | undefined {
  if (fields.length === 0) return undefined;
  const path = fields[at.field % fields.length]!;
  let parent: Json[] | { [key: string]: Json } | undefined;
  let key: string | number | undefined;
  let here: Json | undefined = root;
  let picks = 0;
  for (const step of path) {
    if (here === null || typeof here !== 'object') return undefined;
    if (Array.isArray(here) !== (step === '*')) return undefined;
    if (Array.isArray(here) && here.length === 0) return undefined;
    parent = here;
    key = Array.isArray(here) ? (at.picks[picks++] ?? 0) % here.length : step;
    here = (here as Record<string | number, Json>)[key];
  }
  return here === undefined ? undefined : { parent: parent!, key: key! };
}

function valueAt(root: Json, fields: string[][], at: Place): Json | undefined {
  const found = locate(root, fields, at);
  return found && (found.parent as Record<string | number, Json>)[found.key];
}

function applyStructural(root: Json, fields: string[][], m: StructuralMutation): Json {
  const found = locate(root, fields, m.at);
  if (!found) return root;
  const { parent, key } = found;
  const here = (parent as Record<string | number, Json>)[key]!;
  const set = (value: Json) => {
    (parent as Record<string | number, Json>)[key] = value;
  };
  switch (m.op) {
    case 'replace':
      set(structuredClone(m.value));
      break;
    case 'infinity':
      set(INFINITY);
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(here));
      else parent[`${key}`.concat('2')] = structuredClone(here);
      break;
    case 'empty':
      set(
        Array.isArray(here) ? [] : here !== null && typeof here === 'object' ? {} : typeof here === 'string' ? '' : 0,
      );
      break;
    case 'copy': {
      const value = valueAt(root, fields, m.from);
      if (value !== undefined && kindOf(value) === kindOf(here)) set(structuredClone(value));
      break;
    }
    case 'odd-number':
      if (typeof here === 'number') set(m.value);
      break;
    case 'negate':
      if (typeof here === 'boolean') set(!here);
      break;
    case 'scale':
      if (typeof here === 'number') set(here * m.by);
      break;
  }
  return root;
}

function kindOf(value: Json): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}
