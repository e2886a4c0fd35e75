# 42601 syntax errors point at the offending token
SELECT FROM WHERE
----
ERROR 42601 at 8: syntax error at or near "FROM"

SELECT a +
----
ERROR 42601 at 11: syntax error at end of input

CREATE STREAM s (a INT
----
ERROR 42601 at 23: syntax error at end of input

SELECT 'unterminated
----
ERROR 42601 at 8: unterminated quoted string

# 42P01 undefined table
SELECT * FROM nosuch
----
ERROR 42P01 at 15: relation "nosuch" does not exist

SELECT x.id FROM customers c
----
ERROR 42P01 at 8: missing FROM-clause entry for table "x"

# 42703 undefined column
SELECT nosuch FROM customers
----
ERROR 42703 at 8: column "nosuch" does not exist

SELECT c.nosuch FROM customers c
----
ERROR 42703 at 8: column c.nosuch does not exist

# 42702 ambiguous column
SELECT id FROM customers a, customers b
----
ERROR 42702 at 8: column reference "id" is ambiguous

# 42883 undefined function, with PostgreSQL's hint
SELECT nosuch(id) FROM customers
----
ERROR 42883 at 8: function nosuch(bigint) does not exist

SELECT lower(id) FROM customers
----
ERROR 42883 at 8: function lower(bigint) does not exist

SELECT name + 1 FROM customers
----
ERROR 42883 at 13: operator does not exist: text + integer

# 42804 datatype mismatch
SELECT id FROM customers WHERE tier
----
ERROR 42804 at 32: argument of WHERE must be type boolean, not type integer

SELECT CASE WHEN true THEN 1 ELSE 'a'::text END FROM customers
----
ERROR 42804 at 8: CASE types text and integer cannot be matched

SELECT id FROM customers UNION ALL SELECT name FROM customers
----
ERROR 42804 at 26: UNION types bigint and text cannot be matched

INSERT INTO customers (id, tier) VALUES (1, now())
----
ERROR 42804 at 45: column "tier" is of type integer but expression is of type timestamp with time zone

# 42846 a cast that does not exist
SELECT true::timestamptz
----
ERROR 42846 at 12: cannot cast type boolean to timestamp with time zone

# 22P02 / 22007 constants that do not parse as their type, with the constant's position
SELECT id FROM customers WHERE tier = 'abc'
----
ERROR 22P02 at 37: invalid input syntax for type integer: "abc"

INSERT INTO orders VALUES (1, 'acme', 1.0, 'not a time')
----
ERROR 22007 at 44: invalid input syntax for type timestamp with time zone: "not a time"

# 42803 grouping errors
SELECT name, count(*) FROM customers GROUP BY region
----
ERROR 42803 at 8: column "customers.name" must appear in the GROUP BY clause or be used in an aggregate function

SELECT id FROM customers WHERE count(*) > 1
----
ERROR 42803 at 32: aggregate functions are not allowed in WHERE

SELECT sum(count(*)) FROM customers
----
ERROR 42803 at 12: aggregate function calls cannot be nested

# 0A000 a pull SELECT from a stream that keeps no rows
SELECT * FROM orders
----
ERROR 0A000 at 15: stream "orders" keeps no rows to SELECT from

# 0A000 LIMIT / OFFSET without ORDER BY in a continuous query: which rows it keeps would depend on arrival order
CREATE CONTINUOUS QUERY q AS SELECT customer FROM orders LIMIT 5
----
ERROR 0A000 at 64: LIMIT and OFFSET in a continuous query need an ORDER BY

CREATE CONTINUOUS QUERY q AS SELECT customer FROM orders OFFSET 2
----
ERROR 0A000 at 65: LIMIT and OFFSET in a continuous query need an ORDER BY

# 0A000 stream-stream join without a time bound
CREATE CONTINUOUS QUERY q AS SELECT o.order_id FROM orders o JOIN payments p ON o.order_id = p.order_id
----
ERROR 0A000 at 62: a join of two streams in a continuous query needs a time bound

# 22023 HOP size not a multiple of its slide
CREATE CONTINUOUS QUERY q AS SELECT window_start, count(*) FROM HOP(orders, ts, INTERVAL '7 seconds', INTERVAL '1 minute') GROUP BY window_start
----
ERROR 22023 at 103: HOP size must be a multiple of its slide

# 42804 a window over a column that is not a time
CREATE CONTINUOUS QUERY q AS SELECT window_start, count(*) FROM TUMBLE(orders, amount, INTERVAL '1 minute') GROUP BY window_start
----
ERROR 42804 at 80: window time column "amount" must be of type timestamp with time zone, not double precision

# 0A000 a window of months has no fixed length
CREATE CONTINUOUS QUERY q AS SELECT window_start, count(*) FROM TUMBLE(orders, ts, INTERVAL '1 month') GROUP BY window_start
----
ERROR 0A000 at 84: window size must not contain months or years

# 0A000 EMIT ON WINDOW CLOSE without a window
CREATE CONTINUOUS QUERY q AS SELECT customer, count(*) FROM orders GROUP BY customer EMIT ON WINDOW CLOSE
----
ERROR 0A000 at 86: EMIT ON WINDOW CLOSE needs a window: GROUP BY the window_start or window_end of a TUMBLE, HOP or SESSION

# 0A000 SESSION not grouped by its window
CREATE CONTINUOUS QUERY q AS SELECT customer, count(*) FROM SESSION(orders, ts, INTERVAL '1 minute') GROUP BY customer
----
ERROR 0A000 at 61: a SESSION window must be grouped by its window_start and window_end

# a continuous query over something that does not exist
CREATE CONTINUOUS QUERY q AS SELECT * FROM nothing
----
ERROR 42P01 at 44: relation "nothing" does not exist

# (42P07 duplicate object is not the planner's to say: the runtime refuses a taken name when the CREATE runs;
# test/slt/ddl.slt and errors.slt pin it for streams, tables and continuous queries.)
# 42701 duplicate column
CREATE STREAM s (a INT, a TEXT)
----
ERROR 42701 at 25: column "a" specified more than once

# watermark column checks
CREATE STREAM s (a INT, WATERMARK FOR b AS b)
----
ERROR 42703 at 39: column "b" does not exist

CREATE STREAM s (a INT, WATERMARK FOR a AS a)
----
ERROR 42804 at 39: WATERMARK column "a" must be of type timestamp with time zone, not integer

# 22023 bad WITH options
CREATE STREAM s (a INT) WITH (colour = 'red')
----
ERROR 22023 at 31: unrecognized stream option "colour"

CREATE STREAM s (a INT) WITH (connector = 'kafka', topic = 't', brokers = 'b', format = 'xml')
----
ERROR 22023 at 80: invalid value for option "format": "xml"

CREATE STREAM s (a INT) WITH (connector = 'kafka')
----
ERROR 22023 at 15: option "topic" is required for connector = 'kafka'

# 42704 unknown type
CREATE TABLE t (a FOO)
----
ERROR 42704 at 19: type "foo" does not exist

# 42809 wrong object kind
DROP STREAM customers
----
ERROR 42809 at 13: "customers" is not a stream

UPDATE orders SET amount = 1
----
ERROR 42809 at 8: cannot update stream "orders"

INSERT INTO revenue VALUES ('a', 1)
----
ERROR 42809 at 13: cannot insert into continuous query "revenue"

SELECT * FROM revenue_out
----
ERROR 42809 at 15: "revenue_out" is a sink, which cannot be read

# DROP of something that does not exist
DROP TABLE nothing
----
ERROR 42P01 at 12: table "nothing" does not exist

# INSERT arity
INSERT INTO customers (id, name) VALUES (1)
----
ERROR 42601 at 42: INSERT has more target columns than expressions

INSERT INTO customers (id) VALUES (1, 'a')
----
ERROR 42601 at 39: INSERT has more expressions than target columns

INSERT INTO customers (id, nope) VALUES (1, 'a')
----
ERROR 42703 at 28: column "nope" of relation "customers" does not exist

# 42P10 DISTINCT with ORDER BY of something not selected
SELECT DISTINCT region FROM customers ORDER BY tier
----
ERROR 42P10 at 48: for SELECT DISTINCT, ORDER BY expressions must appear in select list

# 42601 UNION arity
SELECT id FROM customers UNION ALL SELECT id, name FROM customers
----
ERROR 42601 at 36: each UNION query must have the same number of columns

# a bad date_part field
SELECT date_part('fortnight', ts) FROM clicks
----
ERROR 22023 at 18: unit "fortnight" not recognized for type timestamp with time zone

# approx_percentile fraction out of range
SELECT approx_percentile(tier, 2) FROM customers
----
ERROR 22003 at 8: percentile value 2 is not between 0 and 1
