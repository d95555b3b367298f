-- This migration intentionally does nothing on MySQL.
# The PostgreSQL version creates an extension; MySQL has no equivalent.
/* Kept as a file so that the version numbers stay aligned;
   DELIMITER // inside a comment is not a command. */

;
