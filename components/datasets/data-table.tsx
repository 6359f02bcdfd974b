/** A small read-only table of rows (samples, previews): NULL is shown as NULL, long text is clipped. */
export function DataTable({ columns, rows, label }: { columns: { name: string; type?: string }[]; rows: (string | null)[][]; label: string }) {
  return (
    <div className="scroll-x">
      <table className="grid data" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.name} title={c.type}>
                {c.name}
                {c.type ? <span className="type"> {c.type.toLowerCase()}</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {columns.map((c, j) => {
                const v = r[j];
                return <td key={c.name}>{v === null || v === undefined ? <span className="null">NULL</span> : <span className="cell" title={v.length > 60 ? v : undefined}>{v}</span>}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
