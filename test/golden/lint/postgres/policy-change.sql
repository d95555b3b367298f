-- policy-change: altering or dropping a released policy, or disabling row-level security; policies of new tables are fine.
-- file: 0001_init.sql
CREATE TABLE documents (id bigint PRIMARY KEY, owner text);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_owner ON documents USING (owner = current_user);
-- file: 0002_change.sql
ALTER POLICY documents_owner ON documents USING (true);
DROP POLICY documents_owner ON documents;
ALTER TABLE documents DISABLE ROW LEVEL SECURITY;
-- file: 0003_new.sql
CREATE TABLE notes (id bigint PRIMARY KEY, owner text);
CREATE POLICY notes_owner ON notes USING (owner = current_user);
ALTER POLICY notes_owner ON notes USING (true);
