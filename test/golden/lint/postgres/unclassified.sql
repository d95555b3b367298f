-- unclassified: statements molt has no rule for are left for review; settings and comments are neutral.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

CREATE TEXT SEARCH CONFIGURATION docs_search (COPY = english);
-- file: 0002_unknown.sql
ALTER TEXT SEARCH CONFIGURATION docs_search ALTER MAPPING FOR asciiword WITH simple;
SECURITY LABEL FOR selinux ON TABLE users IS 'system_u:object_r:sepgsql_table_t:s0';
-- file: 0003_neutral.sql
SET lock_timeout = '5s';
COMMENT ON TABLE users IS 'people who sign in';
ANALYZE users;
