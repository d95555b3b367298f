-- row-security: enabling row-level security or adding a restrictive policy on a released table; permissive policies and new tables are fine.
-- file: 0001_init.sql
CREATE TABLE documents (id bigint PRIMARY KEY, owner text, body text);
-- file: 0002_policies.sql
CREATE POLICY documents_owner ON documents USING (owner = current_user);
-- file: 0003_enable.sql
-- molt:phase contract
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_not_deleted ON documents AS RESTRICTIVE USING (body IS NOT NULL);
-- file: 0004_new.sql
CREATE TABLE notes (id bigint PRIMARY KEY, owner text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_owner ON notes USING (owner = current_user);
