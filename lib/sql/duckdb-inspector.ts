/**
 * The guard's window into DuckDB's parser and binder (see guard.ts). It uses the process's DuckDB
 * instance on a connection of its own, never the engine's pool: inspecting SQL must not wait behind
 * running queries. Nothing here executes the SQL it is given: `json_serialize_sql` only parses, and a
 * prepared statement is bound and destroyed without running.
 *
 * With the DuckDB engine, create the inspector after the engine has opened the instance (any query,
 * e.g. syncing the lake views), so the instance carries the engine's settings.
 */
import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { getDuckDB } from '../engine/duckdb/instance';
import { toKeystoneError } from '../engine/duckdb/error-mapping';
import { KeystoneError } from '../errors';
import type { SerializedSql, SqlInspector } from './guard';

async function withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const connection = await (await getDuckDB()).connect();
  try {
    return await fn(connection);
  } finally {
    connection.disconnectSync();
  }
}

/** DuckDB's own message for a syntax error (kind, text, and the `LINE n:` excerpt with a caret). */
async function syntaxError(connection: DuckDBConnection, sql: string, fallback: string): Promise<KeystoneError> {
  try {
    await connection.extractStatements(sql);
  } catch (e) {
    return toKeystoneError(e);
  }
  return new KeystoneError('bad_request:sql', `Parser Error: ${fallback}`);
}

export function duckdbInspector(options: { bind: boolean } = { bind: true }): SqlInspector {
  const inspector: SqlInspector = {
    serialize: (sql) =>
      withConnection(async (c) => {
        const reader = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
        const text = String(reader.getRows()[0]?.[0] ?? '{}');
        const parsed = JSON.parse(text) as SerializedSql;
        if (parsed.error && parsed.error_type === 'parser') throw await syntaxError(c, sql, parsed.error_message ?? 'syntax error');
        return parsed;
      }),
  };
  if (options.bind) {
    inspector.statementTypes = (sql) =>
      withConnection(async (c) => {
        const types: string[] = [];
        let extracted;
        try {
          extracted = await c.extractStatements(sql);
        } catch (e) {
          throw toKeystoneError(e);
        }
        for (let i = 0; i < extracted.count; i++) {
          let prepared;
          try {
            prepared = await extracted.prepare(i);
          } catch (e) {
            // A binder error (unknown table or column) is the person's to fix: DuckDB's message, with its line.
            throw toKeystoneError(e);
          }
          try {
            types.push(StatementType[prepared.statementType] ?? `statement type ${prepared.statementType}`);
          } finally {
            prepared.destroySync();
          }
        }
        return types;
      });
  }
  return inspector;
}
