// The tiny SQL engine abstraction both backends implement. The store speaks only this, so the
// same SQL runs on embedded PGlite and on PostgreSQL.

/** A row as returned by the driver; rows.ts turns it into domain types. */
export type Row = Record<string, unknown>;

export interface Queryable {
  /** One parameterised statement ($1, $2, ...). */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlEngine extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on `channel` (PostgreSQL: one dedicated connection, re-established when it drops);
   * absent on PGlite, which runs in this process. Resolves once listening; returns the unsubscribe.
   */
  listen?(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
