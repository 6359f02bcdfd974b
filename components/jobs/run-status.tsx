/** A run's status as a coloured word; the colour never carries meaning alone. */
export function RunStatus({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status}</span>;
}

export function ChecksSummary({ checks }: { checks: { passed: number; warned: number; failed: number } }) {
  const total = checks.passed + checks.warned + checks.failed;
  if (total === 0) return <span className="muted">—</span>;
  return (
    <span className="checks" title={`${checks.passed} passed, ${checks.warned} warned, ${checks.failed} failed`}>
      <span className="status-ok">{checks.passed} passed</span>
      {checks.warned > 0 ? <span className="status-warn"> · {checks.warned} warned</span> : null}
      {checks.failed > 0 ? <span className="status-bad"> · {checks.failed} failed</span> : null}
    </span>
  );
}
