/**
 * One logger: structured JSON lines on stderr when not a TTY (for the ingestor and CI logs),
 * short human lines when it is. Level from KEYSTONE_LOG_LEVEL (debug|info|warn|error, default info).
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

function threshold(): number {
  const wanted = (process.env.KEYSTONE_LOG_LEVEL ?? 'info') as Level;
  return ORDER[wanted] ?? ORDER.info;
}

export function createLogger(bindings: Record<string, unknown> = {}, sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const json = process.env.KEYSTONE_LOG_FORMAT === 'json' || (process.env.KEYSTONE_LOG_FORMAT !== 'text' && !process.stderr.isTTY);
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold()) return;
    const all = { ...bindings, ...fields };
    if (json) {
      sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...all }, replaceErrors));
    } else {
      const extra = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, replaceErrors)}`)
        .join(' ');
      sink(`${level === 'info' ? '' : level.toUpperCase() + ' '}${msg}${extra ? '  ' + extra : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (b) => createLogger({ ...bindings, ...b }, sink),
  };
}

function replaceErrors(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export const log = createLogger();
