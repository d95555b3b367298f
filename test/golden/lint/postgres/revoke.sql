-- revoke: revoking privileges or dropping a role; grants are additions.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE ROLE reporting;
-- file: 0002_revoke.sql
REVOKE UPDATE, DELETE ON users FROM app_user;
DROP ROLE reporting;
-- file: 0003_grant.sql
CREATE ROLE auditor;
GRANT SELECT ON users TO auditor;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO auditor;
