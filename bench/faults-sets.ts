// The migration sets the fault suite kills molt in: one per database, the same story told in each dialect.
// Twenty files of DDL and data, a few with a statement that takes 100–300 ms, so that a kill at a random
// moment lands in every stage: molt's own tables, the lock, mid-file, mid-statement, between files and
// during the history write. Each set names the queries whose answers must match a clean run's.

/** The database kinds the suite runs on, as test/helpers/databases.ts names them. */
export type FaultKind = 'sqlite' | 'postgres' | 'mysql';

/** A migration set and the queries over the data it writes. */
export interface FaultSet {
  /** File name to SQL, in apply order. */
  files: Record<string, string>;
  /** Each query's answer after any recovery must equal the answer after a clean, uninterrupted run. */
  checks: string[];
}

// Small enough for a clean run of about one second (a trial of two to three), large enough for a few
// statements of 50–150 ms of real work besides the sleeps.
const ACCOUNTS = 6000;
const ORDERS = 20000;

/** `[name, sql]` pairs as `0001_name.sql` files, numbered in order. */
function numbered(steps: [string, string][]): Record<string, string> {
  return Object.fromEntries(
    steps.map(([name, sql], i) => [`${String(i + 1).padStart(4, '0')}_${name}.sql`, `${sql}\n`]),
  );
}

// A statement outside a transaction that is not idempotent (the events backfill, the loyalty points) shows a
// statement run twice after a resume as a wrong count or sum, not only as an "already exists" error.
/** The queries over the rows every set writes; `paid` counts paid orders in the dialect's own way. */
const dataChecks = (paid: string): string[] => [
  'SELECT count(*) AS n, sum(loyalty_points) AS points, count(display_name) AS named FROM accounts',
  `SELECT count(*) AS n, sum(total) AS total, ${paid} AS paid FROM orders`,
  'SELECT count(*) AS n FROM order_events',
  'SELECT count(*) AS n, sum(amount) AS amount FROM refunds',
  'SELECT what, count(*) AS n FROM audit_log GROUP BY what ORDER BY what',
];

const postgres: FaultSet = {
  files: numbered([
    [
      'accounts',
      'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());',
    ],
    [
      'seed_accounts',
      `INSERT INTO accounts (id, email) SELECT g, 'user' || g || '@example.com' FROM generate_series(1, ${ACCOUNTS}) AS g;`,
    ],
    [
      'orders',
      'CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), total numeric(12, 2) NOT NULL, status text NOT NULL);',
    ],
    [
      'seed_orders',
      `INSERT INTO orders (id, account_id, total, status)\nSELECT g, g % ${ACCOUNTS} + 1, (g % 1000) / 10.0, (ARRAY['new', 'paid', 'shipped'])[g % 3 + 1] FROM generate_series(1, ${ORDERS}) AS g;`,
    ],
    [
      'audit_log',
      "CREATE TABLE audit_log (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), what text NOT NULL);\nSELECT pg_sleep(0.1);\nINSERT INTO audit_log (what) VALUES ('audit log created');",
    ],
    ['orders_account_idx', 'CREATE INDEX orders_account_idx ON orders (account_id);'],
    [
      'display_name',
      "ALTER TABLE accounts ADD COLUMN display_name text;\nUPDATE accounts SET display_name = split_part(email, '@', 1);",
    ],
    // Alone in its file, so molt runs it outside a transaction without being told.
    ['orders_status_idx', 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);'],
    [
      'order_events',
      `-- molt:transaction off
CREATE TABLE order_events (id bigserial PRIMARY KEY, order_id bigint NOT NULL, what text NOT NULL);
INSERT INTO order_events (order_id, what) SELECT id, 'imported' FROM orders;
SELECT pg_sleep(0.1);
CREATE INDEX CONCURRENTLY order_events_order_idx ON order_events (order_id);
INSERT INTO audit_log (what) VALUES ('order events backfilled');`,
    ],
    ['order_state', "CREATE TYPE order_state AS ENUM ('new', 'paid', 'shipped', 'cancelled');"],
    ['status_as_enum', 'ALTER TABLE orders ALTER COLUMN status TYPE order_state USING status::order_state;'],
    // Written the way Prisma writes enum changes: the file manages its own transaction.
    [
      'refunds',
      "BEGIN;\nALTER TYPE order_state ADD VALUE 'refunded';\nCREATE TABLE refunds (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), amount numeric(12, 2) NOT NULL);\nCOMMIT;",
    ],
    [
      'audit_function',
      "CREATE FUNCTION audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO audit_log (what) VALUES (TG_OP || ' ' || TG_TABLE_NAME);\n  RETURN NEW;\nEND\n$$;",
    ],
    [
      'refunds_audit',
      'CREATE TRIGGER refunds_audit AFTER INSERT ON refunds FOR EACH ROW EXECUTE FUNCTION audit_insert();',
    ],
    ['seed_refunds', 'INSERT INTO refunds (order_id, amount) SELECT id, total FROM orders WHERE id % 50 = 0;'],
    [
      'account_summary',
      'SELECT pg_sleep(0.12);\nCREATE VIEW account_summary AS\nSELECT a.id, a.display_name, count(o.id) AS orders, coalesce(sum(o.total), 0) AS spent FROM accounts a LEFT JOIN orders o ON o.account_id = a.id GROUP BY a.id, a.display_name;',
    ],
    [
      'loyalty',
      'ALTER TABLE accounts ADD COLUMN loyalty_points integer NOT NULL DEFAULT 0;\nUPDATE accounts SET loyalty_points = loyalty_points + 10 WHERE id % 7 = 0;',
    ],
    [
      'loyalty_backfill',
      "-- molt:transaction off\nUPDATE accounts SET loyalty_points = loyalty_points + 5 WHERE id % 3 = 0;\nSELECT pg_sleep(0.1);\nINSERT INTO audit_log (what) VALUES ('loyalty backfilled');",
    ],
    [
      'orders_note',
      "ALTER TABLE orders ADD COLUMN note text;\nCOMMENT ON COLUMN orders.note IS 'free text from the customer';",
    ],
    ['audit_log_at_idx', 'CREATE INDEX audit_log_at_idx ON audit_log (at);'],
  ]),
  checks: [
    ...dataChecks("count(*) FILTER (WHERE status = 'paid')"),
    // An index left INVALID by a killed CREATE INDEX CONCURRENTLY reads like a valid one in a schema dump.
    'SELECT indexrelid::regclass::text AS invalid FROM pg_index WHERE NOT indisvalid ORDER BY 1',
  ],
};

// MariaDB runs every file statement by statement, so the multi-statement files exercise the resume path.
const mysql: FaultSet = {
  files: numbered([
    [
      'accounts',
      'CREATE TABLE accounts (id BIGINT PRIMARY KEY, email VARCHAR(191) NOT NULL, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);',
    ],
    [
      'seed_accounts',
      `INSERT INTO accounts (id, email) SELECT seq, CONCAT('user', seq, '@example.com') FROM seq_1_to_${ACCOUNTS};`,
    ],
    [
      'orders',
      'CREATE TABLE orders (id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL, total DECIMAL(12, 2) NOT NULL, status VARCHAR(16) NOT NULL,\n  CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id));',
    ],
    [
      'seed_orders',
      `INSERT INTO orders (id, account_id, total, status)\nSELECT seq, seq % ${ACCOUNTS} + 1, (seq % 1000) / 10, ELT(seq % 3 + 1, 'new', 'paid', 'shipped') FROM seq_1_to_${ORDERS};`,
    ],
    [
      'audit_log',
      "CREATE TABLE audit_log (id BIGINT AUTO_INCREMENT PRIMARY KEY, at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), what VARCHAR(100) NOT NULL);\nDO SLEEP(0.1);\nINSERT INTO audit_log (what) VALUES ('audit log created');",
    ],
    ['orders_account_idx', 'CREATE INDEX orders_account_idx ON orders (account_id);'],
    [
      'display_name',
      "ALTER TABLE accounts ADD COLUMN display_name VARCHAR(100);\nUPDATE accounts SET display_name = SUBSTRING_INDEX(email, '@', 1);",
    ],
    [
      'order_events',
      "CREATE TABLE order_events (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL, what VARCHAR(32) NOT NULL);\nINSERT INTO order_events (order_id, what) SELECT id, 'imported' FROM orders;\nSELECT SLEEP(0.1);\nCREATE INDEX order_events_order_idx ON order_events (order_id);\nINSERT INTO audit_log (what) VALUES ('order events backfilled');",
    ],
    ['status_enum', "ALTER TABLE orders MODIFY status ENUM('new', 'paid', 'shipped', 'cancelled') NOT NULL;"],
    [
      'refunds',
      'CREATE TABLE refunds (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL, amount DECIMAL(12, 2) NOT NULL,\n  CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (id));',
    ],
    [
      'refunds_audit',
      "DELIMITER //\nCREATE TRIGGER refunds_audit AFTER INSERT ON refunds FOR EACH ROW\nBEGIN\n  INSERT INTO audit_log (what) VALUES ('INSERT refunds');\nEND//\nDELIMITER ;",
    ],
    ['seed_refunds', 'INSERT INTO refunds (order_id, amount) SELECT id, total FROM orders WHERE id % 50 = 0;'],
    [
      'account_summary',
      'DO SLEEP(0.12);\nCREATE VIEW account_summary AS\nSELECT a.id, a.display_name, COUNT(o.id) AS orders, COALESCE(SUM(o.total), 0) AS spent FROM accounts a LEFT JOIN orders o ON o.account_id = a.id GROUP BY a.id, a.display_name;',
    ],
    [
      'loyalty',
      "ALTER TABLE accounts ADD COLUMN loyalty_points INT NOT NULL DEFAULT 0;\nUPDATE accounts SET loyalty_points = loyalty_points + 10 WHERE id % 7 = 0;\nUPDATE accounts SET loyalty_points = loyalty_points + 5 WHERE id % 3 = 0;\nINSERT INTO audit_log (what) VALUES ('loyalty backfilled');",
    ],
    [
      'points_procedure',
      'DELIMITER //\nCREATE PROCEDURE add_points(IN account BIGINT, IN points INT)\nBEGIN\n  UPDATE accounts SET loyalty_points = loyalty_points + points WHERE id = account;\nEND//\nDELIMITER ;',
    ],
    // mysqldump's shape: molt runs the region as one unit, with no history write inside it.
    [
      'locked_audit',
      "LOCK TABLES audit_log WRITE;\nINSERT INTO audit_log (what) VALUES ('locked write 1'), ('locked write 2');\nUNLOCK TABLES;",
    ],
    ['orders_note', "ALTER TABLE orders ADD COLUMN note TEXT COMMENT 'free text from the customer';"],
    ['orders_status_idx', 'ALTER TABLE orders ADD INDEX orders_status_idx (status);'],
    ['audit_log_at_idx', 'CREATE INDEX audit_log_at_idx ON audit_log (at);'],
    [
      'settings',
      "CREATE TABLE settings (name VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL);\nINSERT INTO settings (name, value) VALUES ('schema', '20'), ('currency', 'EUR');",
    ],
  ]),
  checks: [...dataChecks("sum(status = 'paid')"), 'SELECT name, value FROM settings ORDER BY name'],
};

// SQLite holds the whole run in one write transaction; the slow statements are recursive CTEs.
const slowSqlite = (n: number): string =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) SELECT count(*) FROM c;`;
const sqlite: FaultSet = {
  files: numbered([
    [
      'accounts',
      'CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);',
    ],
    [
      'seed_accounts',
      `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ${ACCOUNTS})\nINSERT INTO accounts (id, email) SELECT x, 'user' || x || '@example.com' FROM g;`,
    ],
    [
      'orders',
      'CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id), total REAL NOT NULL, status TEXT NOT NULL);',
    ],
    [
      'seed_orders',
      `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ${ORDERS})\nINSERT INTO orders (id, account_id, total, status)\nSELECT x, x % ${ACCOUNTS} + 1, (x % 1000) / 10.0, CASE x % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' ELSE 'shipped' END FROM g;`,
    ],
    [
      'audit_log',
      `CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, what TEXT NOT NULL);\n${slowSqlite(600_000)}\nINSERT INTO audit_log (what) VALUES ('audit log created');`,
    ],
    ['orders_account_idx', 'CREATE INDEX orders_account_idx ON orders (account_id);'],
    [
      'display_name',
      "ALTER TABLE accounts ADD COLUMN display_name TEXT;\nUPDATE accounts SET display_name = substr(email, 1, instr(email, '@') - 1);",
    ],
    [
      'order_events',
      "CREATE TABLE order_events (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, what TEXT NOT NULL);\nINSERT INTO order_events (order_id, what) SELECT id, 'imported' FROM orders;\nCREATE INDEX order_events_order_idx ON order_events (order_id);",
    ],
    // SQLite's own procedure for changing a column: build the new table, copy, drop, rename.
    [
      'orders_rebuild',
      "CREATE TABLE orders_new (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id), total REAL NOT NULL,\n  status TEXT NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'cancelled', 'refunded')));\nINSERT INTO orders_new (id, account_id, total, status) SELECT id, account_id, total, status FROM orders;\nDROP TABLE orders;\nALTER TABLE orders_new RENAME TO orders;\nCREATE INDEX orders_account_idx ON orders (account_id);",
    ],
    [
      'refunds',
      'CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id), amount REAL NOT NULL);',
    ],
    [
      'refunds_audit',
      "CREATE TRIGGER refunds_audit AFTER INSERT ON refunds BEGIN\n  INSERT INTO audit_log (what) VALUES ('INSERT refunds');\nEND;",
    ],
    ['seed_refunds', 'INSERT INTO refunds (order_id, amount) SELECT id, total FROM orders WHERE id % 50 = 0;'],
    [
      'account_summary',
      `${slowSqlite(800_000)}\nCREATE VIEW account_summary AS\nSELECT a.id, a.display_name, count(o.id) AS orders, coalesce(sum(o.total), 0) AS spent FROM accounts a LEFT JOIN orders o ON o.account_id = a.id GROUP BY a.id, a.display_name;`,
    ],
    [
      'loyalty',
      'ALTER TABLE accounts ADD COLUMN loyalty_points INTEGER NOT NULL DEFAULT 0;\nUPDATE accounts SET loyalty_points = loyalty_points + 10 WHERE id % 7 = 0;',
    ],
    [
      'loyalty_backfill',
      `-- molt:transaction off\nUPDATE accounts SET loyalty_points = loyalty_points + 5 WHERE id % 3 = 0;\n${slowSqlite(400_000)}\nINSERT INTO audit_log (what) VALUES ('loyalty backfilled');`,
    ],
    ['orders_note', 'ALTER TABLE orders ADD COLUMN note TEXT;'],
    ['orders_status_idx', 'CREATE INDEX orders_status_idx ON orders (status);'],
    ['audit_log_at_idx', 'CREATE INDEX audit_log_at_idx ON audit_log (at);'],
    [
      'settings',
      "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);\nINSERT INTO settings (name, value) VALUES ('schema', '20'), ('currency', 'EUR');",
    ],
    ['settings_touch', "UPDATE settings SET value = '21' WHERE name = 'schema';"],
  ]),
  checks: [...dataChecks("sum(status = 'paid')"), 'SELECT name, value FROM settings ORDER BY name'],
};

/** The set each database kind runs. */
export const FAULT_SETS: Record<FaultKind, FaultSet> = { sqlite, postgres, mysql };
