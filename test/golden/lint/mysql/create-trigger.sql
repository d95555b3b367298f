-- create-trigger: a trigger on a released table adds behaviour to old writes; a trigger on a table created in the same file does not.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), email_lower VARCHAR(255));
-- file: 0002_trigger.sql
DELIMITER $$
CREATE TRIGGER users_email_bi BEFORE INSERT ON users FOR EACH ROW
BEGIN
  SET NEW.email_lower = LOWER(NEW.email);
END$$
DELIMITER ;
-- file: 0003_fresh.sql
CREATE TABLE audit (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(255), created_at DATETIME);
CREATE TRIGGER audit_bi BEFORE INSERT ON audit FOR EACH ROW SET NEW.created_at = NOW();
