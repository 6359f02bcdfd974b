'use client';
/** CodeMirror with DuckDB-flavoured SQL highlighting, autocomplete of lake tables and columns, and Ctrl/Cmd+Enter to run. */
import CodeMirror from '@uiw/react-codemirror';
import { Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { memo, useMemo, useRef } from 'react';
import type { CompletionSchema } from '@/lib/sql/completion';
import { sqlExtension } from './completion';
import styles from './sql.module.css';

const BASIC_SETUP = { lineNumbers: true, foldGutter: false, highlightActiveLine: true, autocompletion: true, closeBrackets: true } as const;

/** Memoized: the results streaming in re-render the page many times a second; the editor must not follow. */
export const CodeEditor = memo(function CodeEditor({
  value,
  onChange,
  onRun,
  schema,
  readOnly = false,
  height = '220px',
}: {
  value: string;
  onChange: (v: string) => void;
  onRun: () => void;
  schema: CompletionSchema;
  readOnly?: boolean;
  height?: string;
}) {
  const runRef = useRef(onRun);
  runRef.current = onRun;
  const language = sqlExtension(schema);
  const extensions = useMemo(
    () => [
      language,
      EditorView.lineWrapping,
      Prec.highest(
        keymap.of([
          {
            key: 'Mod-Enter',
            run: () => {
              runRef.current();
              return true;
            },
          },
        ]),
      ),
    ],
    [language],
  );
  return (
    <div className={styles.editor} data-testid="sql-editor">
      <CodeMirror
        value={value}
        height={height}
        minHeight="120px"
        extensions={extensions}
        onChange={onChange}
        readOnly={readOnly}
        basicSetup={BASIC_SETUP}
        aria-label="SQL"
      />
    </div>
  );
});
