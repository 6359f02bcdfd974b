'use client';
/** Inputs for a query's `{{parameters}}`, typed by each parameter's declared type (a date picker for dates…). */
import type { QueryParameter } from '@/db/schema';
import { PARAMETER_TYPES } from '@/lib/sql/parameters';
import styles from './sql.module.css';

export type ParamValues = Record<string, string>;

const INPUT_TYPE: Record<QueryParameter['type'], string> = {
  string: 'text',
  integer: 'number',
  number: 'number',
  date: 'date',
  timestamp: 'datetime-local',
  boolean: 'select',
};

export function ParamInput({ p, value, onChange }: { p: QueryParameter; value: string; onChange: (v: string) => void }) {
  const id = `param-${p.name}`;
  if (p.type === 'boolean') {
    return (
      <select id={id} aria-label={p.label ?? p.name} value={value} onChange={(e) => onChange(e.target.value)} data-param={p.name}>
        <option value="">—</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  return (
    <input
      id={id}
      aria-label={p.label ?? p.name}
      data-param={p.name}
      type={INPUT_TYPE[p.type]}
      step={p.type === 'number' ? 'any' : p.type === 'timestamp' ? 1 : undefined}
      value={value}
      placeholder={p.default ?? ''}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function ParamsForm({
  parameters,
  values,
  onValue,
  onType,
}: {
  parameters: QueryParameter[];
  values: ParamValues;
  onValue: (name: string, v: string) => void;
  /** When given, the type of each parameter can be changed (ad-hoc SQL); saved queries keep theirs. */
  onType?: (name: string, t: QueryParameter['type']) => void;
}) {
  if (parameters.length === 0) return null;
  return (
    <section className={styles.params} aria-label="Parameters" data-testid="params-form">
      <h3>Parameters — bound to the query, never pasted into its text</h3>
      <div className={styles.paramRows}>
        {parameters.map((p) => (
          <label key={p.name} className={styles.param}>
            <span>
              {p.label ? `${p.label} ` : ''}
              <code>{`{{${p.name}}}`}</code>
            </span>
            <span className={styles.paramInputs}>
              <ParamInput p={p} value={values[p.name] ?? ''} onChange={(v) => onValue(p.name, v)} />
              {onType ? (
                <select aria-label={`Type of ${p.name}`} value={p.type} onChange={(e) => onType(p.name, e.target.value as QueryParameter['type'])}>
                  {PARAMETER_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              ) : (
                <span className="small muted">{p.type}</span>
              )}
            </span>
          </label>
        ))}
      </div>
    </section>
  );
}

/** A datetime-local input gives 'YYYY-MM-DDTHH:MM[:SS]'; the server accepts that form too. */
export function valuesFor(parameters: QueryParameter[], values: ParamValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parameters) {
    const v = values[p.name];
    if (v !== undefined && v !== '') out[p.name] = v;
  }
  return out;
}
