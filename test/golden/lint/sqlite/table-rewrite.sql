-- table-rewrite: VACUUM rewrites the whole database file; ANALYZE only gathers statistics.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
-- file: 0002_vacuum.sql
VACUUM;
-- file: 0003_analyze.sql
ANALYZE;
PRAGMA optimize;
