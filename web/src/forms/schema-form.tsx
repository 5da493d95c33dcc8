/**
 * A form generated from a JSON Schema (a flow's input schema, a wait node's human input):
 * one field per property — text, number, checkbox or a choice — required ones marked and checked
 * before sending; a property the form cannot draw (an object, an array) is edited as JSON.
 * What the server still refuses comes back as its message, shown under the form.
 */
import { type FormEvent, useId, useState } from 'react';
import type { JsonSchema } from '../api/types';

type Kind = 'text' | 'number' | 'integer' | 'boolean' | 'choice' | 'json';

function kindOf(schema: JsonSchema): Kind {
  if (schema.enum) return 'choice';
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length === 1 && types[0] === 'boolean') return 'boolean';
  if (types.length === 1 && types[0] === 'integer') return 'integer';
  if (types.length === 1 && types[0] === 'number') return 'number';
  if (types.includes('object') || types.includes('array')) return 'json';
  return 'text';
}

/** The value a field's text stands for, or an error naming the field. */
function parseField(name: string, schema: JsonSchema, raw: string | boolean): { value?: unknown; error?: string } {
  const kind = kindOf(schema);
  if (kind === 'boolean') return { value: raw === true };
  const text = String(raw).trim();
  if (text === '') return {};
  if (kind === 'number' || kind === 'integer') {
    const n = Number(text);
    if (!Number.isFinite(n) || (kind === 'integer' && !Number.isInteger(n)))
      return { error: `${name}: expected ${kind === 'integer' ? 'a whole number' : 'a number'}` };
    return { value: n };
  }
  if (kind === 'json') {
    try {
      return { value: JSON.parse(text) };
    } catch {
      return { error: `${name}: not valid JSON` };
    }
  }
  if (kind === 'choice') return { value: schema.enum?.find((option) => String(option) === text) ?? text };
  const types = Array.isArray(schema.type) ? schema.type : [];
  // A field that may be a number or a string ([number, string]) takes a number when it reads as one.
  if (types.includes('number') && text !== '' && Number.isFinite(Number(text))) return { value: Number(text) };
  return { value: text };
}

/** A default as the text of its field: JSON for an object or array, as typed otherwise. */
function fieldText(schema: JsonSchema, value: unknown): string {
  if (value === undefined) return '';
  return kindOf(schema) === 'json' ? JSON.stringify(value) : String(value);
}

export interface SchemaFormProps {
  readonly schema: JsonSchema | undefined;
  readonly submitLabel: string;
  readonly onSubmit: (value: Record<string, unknown>) => Promise<void>;
  readonly testId?: string;
}

export function SchemaForm({ schema, submitLabel, onSubmit, testId }: SchemaFormProps) {
  const formId = useId();
  const properties = Object.entries(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(
      properties.map(([name, prop]) => [
        name,
        kindOf(prop) === 'boolean' ? prop.default === true : fieldText(prop, prop.default),
      ]),
    ),
  );
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [name, prop] of properties) {
      const parsed = parseField(name, prop, values[name] ?? '');
      if (parsed.error) problems.push(parsed.error);
      else if (parsed.value !== undefined) value[name] = parsed.value;
      else if (required.has(name)) problems.push(`${name}: required`);
    }
    setErrors(problems);
    if (problems.length > 0) return;
    setBusy(true);
    try {
      await onSubmit(value);
    } catch (error) {
      setErrors([(error as Error).message]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="schema-form" onSubmit={submit} data-testid={testId} noValidate>
      {properties.length === 0 && <p className="muted">No fields.</p>}
      {properties.map(([name, prop]) => {
        const id = `${formId}-${name}`;
        const kind = kindOf(prop);
        const label = (
          <label htmlFor={id}>
            {prop.title ?? name}
            {required.has(name) && (
              <span className="required" title="required">
                {' '}
                *
              </span>
            )}
          </label>
        );
        const set = (v: string | boolean) => setValues((current) => ({ ...current, [name]: v }));
        return (
          <div className={`field field-${kind}`} key={name}>
            {kind === 'boolean' ? (
              <>
                <input
                  id={id}
                  name={name}
                  type="checkbox"
                  checked={values[name] === true}
                  onChange={(e) => set(e.target.checked)}
                />
                {label}
              </>
            ) : (
              <>
                {label}
                {kind === 'choice' ? (
                  <select id={id} name={name} value={String(values[name] ?? '')} onChange={(e) => set(e.target.value)}>
                    <option value="">—</option>
                    {prop.enum?.map((option) => (
                      <option key={String(option)} value={String(option)}>
                        {String(option)}
                      </option>
                    ))}
                  </select>
                ) : kind === 'json' ? (
                  <textarea
                    id={id}
                    name={name}
                    value={String(values[name] ?? '')}
                    onChange={(e) => set(e.target.value)}
                    rows={3}
                  />
                ) : (
                  <input
                    id={id}
                    name={name}
                    inputMode={kind === 'text' ? 'text' : 'decimal'}
                    value={String(values[name] ?? '')}
                    onChange={(e) => set(e.target.value)}
                  />
                )}
              </>
            )}
            {prop.description && <small className="muted">{prop.description}</small>}
          </div>
        );
      })}
      {errors.length > 0 && (
        <ul className="error" role="alert">
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
