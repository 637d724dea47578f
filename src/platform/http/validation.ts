import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from './errors.ts';

// ajv-formats ships CommonJS; under NodeNext its default export arrives as the module namespace.
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    // Bodies are JSON: a string where a number belongs is a client bug and gets a 400, never a silent cast.
    // Query strings and path params are text by nature, so those are coerced.
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

/**
 * Compiles a route's schema on its first request rather than at start: with a few hundred routes, compiling
 * every params/query/body schema up front was a large share of the start time (bench/README.md, startup).
 * The badInput sweep (every route from the OpenAPI document) exercises each one in the tests.
 */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    compiled ??= ajv.compile(schema);
    const ok = compiled(data) as boolean;
    // Fastify reads the errors from the function it was given.
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null as ErrorObject[] | null | undefined;
  return validate;
};

/** Ajv errors → field errors that name the field and the rule. */
export function toFieldErrors(errors: ErrorObject[], part: string): FieldError[] {
  return errors.map((e) => {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'required') field = [field, String(e.params.missingProperty)].filter(Boolean).join('.');
    if (e.keyword === 'additionalProperties') field = [field, String(e.params.additionalProperty)].filter(Boolean).join('.');
    const name = field || part;
    const message =
      e.keyword === 'additionalProperties'
        ? `${name}: unknown field`
        : e.keyword === 'required'
          ? `${name}: is required`
          : `${name}: ${e.message ?? e.keyword}`;
    return { field: name, rule: e.keyword, message };
  });
}
