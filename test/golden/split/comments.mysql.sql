# A hash comment; with a semicolon
CREATE TABLE notes (id INT PRIMARY KEY, body TEXT); # trailing hash comment;
-- a dash comment; with a semicolon
/* a block comment; with a semicolon */
INSERT INTO notes VALUES (1, '# not a comment; in a string');
INSERT INTO notes VALUES (2, "-- nor this; in a double-quoted string");
/* multi-line
   block comment; DELIMITER //
*/ INSERT INTO notes VALUES (3, '/* not a comment */');
SELECT id # the id;
     , body -- the body;
  FROM notes
 WHERE id /* inline; comment */ = 1;
