/* outer comment
   /* nested comment; still inside */
   still in the outer comment; SELECT 'not run';
*/
CREATE TABLE "semi;colon" (id int);
-- a line comment; with a semicolon
INSERT INTO "semi;colon" VALUES (1) /* trailing; /* nested */ comment */;
SELECT 'a /* not a comment */ b';
SELECT "semi;colon".id FROM "semi;colon" -- no terminator on the last statement
