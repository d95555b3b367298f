-- extension-change: updating or dropping an extension; creating one is an addition.
-- file: 0001_init.sql
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
-- file: 0002_change.sql
ALTER EXTENSION pg_trgm UPDATE TO '1.6';
DROP EXTENSION "uuid-ossp";
-- file: 0003_create.sql
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
