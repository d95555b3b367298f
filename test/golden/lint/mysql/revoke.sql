-- revoke: REVOKE, DROP USER and DROP ROLE take access away from the previous release; GRANT and CREATE USER add it.
-- file: 0001_init.sql
CREATE USER 'app'@'%' IDENTIFIED BY 'secret';
GRANT SELECT, INSERT, UPDATE ON shop.* TO 'app'@'%';
-- file: 0002_revoke.sql
REVOKE UPDATE ON shop.* FROM 'app'@'%';
DROP USER 'reporting'@'%';
-- file: 0003_grant.sql
CREATE USER 'reader'@'%' IDENTIFIED BY 'secret';
GRANT SELECT ON shop.* TO 'reader'@'%';
