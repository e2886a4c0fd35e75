# COPY relation TO STDOUT is SELECT * FROM relation: a table's rows
COPY customers TO STDOUT
----
COPY TO STDOUT format=text header=false delimiter="\t" null="\\N"
Project [id, name, region, tier]
  Source table customers columns=[id, name, region, tier]

# some columns, in the order named; csv with a header, old spelling
COPY customers (name, id) TO STDOUT WITH CSV HEADER
----
COPY TO STDOUT format=csv header=true delimiter="," null="" quote="\"" escape="\"" force_quote=[false, false]
Project [name, id]
  Source table customers columns=[id, name]

# a stream's retained rows, without _arrival; a continuous query's result
COPY clicks TO STDOUT (FORMAT csv, QUOTE '''', ESCAPE '\', FORCE_QUOTE (url))
----
COPY TO STDOUT format=csv header=false delimiter="," null="" quote="'" escape="\\" force_quote=[false, true, false, false]
Project [user_id, url, n, ts]
  Source stream clicks columns=[user_id, url, n, ts]

COPY public.revenue TO STDOUT (FORMAT text, DELIMITER '|', NULL 'nil', HEADER false)
----
COPY TO STDOUT format=text header=false delimiter="|" null="nil"
Project [customer, revenue]
  Source query revenue columns=[customer, revenue]

# a query, with a parameter; FORCE QUOTE * quotes every column
COPY (SELECT id, name FROM customers WHERE id > $1) TO STDOUT CSV FORCE QUOTE *
----
COPY TO STDOUT format=csv header=false delimiter="," null="" quote="\"" escape="\"" force_quote=[true, true]
Project [id, name]
  Filter (id > $1)
    Source table customers columns=[id, name]

COPY (VALUES (1, 'a')) TO STDOUT
----
COPY TO STDOUT format=text header=false delimiter="\t" null="\\N"
Values rows=1 columns=[column1, column2]

# a stream that keeps no rows: the same refusal as SELECT
COPY orders TO STDOUT
----
ERROR 0A000 at 6: stream "orders" keeps no rows to SELECT from

COPY nowhere TO STDOUT
----
ERROR 42P01 at 6: relation "nowhere" does not exist

COPY revenue_out TO STDOUT
----
ERROR 42809 at 6: cannot copy from sink revenue_out

COPY customers (id, nope) TO STDOUT
----
ERROR 42703 at 21: column "nope" of relation "customers" does not exist

COPY customers (id, id) TO STDOUT
----
ERROR 42701 at 21: column "id" specified more than once

COPY customers TO '/tmp/out.csv'
----
ERROR 0A000 at 19: COPY TO a file or program is not supported; use COPY ... TO STDOUT

COPY customers TO PROGRAM 'cat'
----
ERROR 0A000 at 19: COPY TO a file or program is not supported; use COPY ... TO STDOUT

COPY (INSERT INTO customers VALUES (1)) TO STDOUT
----
ERROR 0A000 at 6: COPY (query) TO takes a SELECT, VALUES or SUBSCRIBE

# options, checked as PostgreSQL 15 checks them
COPY customers TO STDOUT (FORMAT binary)
----
ERROR 0A000 at 34: COPY format "binary" is not supported

COPY customers TO STDOUT (FORMAT csv, FORMAT text)
----
ERROR 42601 at 39: conflicting or redundant options

COPY customers TO STDOUT (COLOUR 'red')
----
ERROR 42601 at 27: option "colour" not recognized

COPY customers TO STDOUT (DELIMITER '||')
----
ERROR 0A000 at 1: COPY delimiter must be a single one-byte character

COPY customers TO STDOUT (DELIMITER 'é', FORMAT csv)
----
ERROR 0A000: COPY delimiter must be a single one-byte character

COPY customers TO STDOUT (DELIMITER 'a')
----
ERROR 22023: COPY delimiter cannot be "a"

COPY customers TO STDOUT (NULL E'\n')
----
ERROR 22023: COPY null representation cannot use newline or carriage return

COPY customers TO STDOUT (DELIMITER ',', NULL 'a,b')
----
ERROR 22023: COPY delimiter must not appear in the NULL specification

COPY customers TO STDOUT (QUOTE '"')
----
ERROR 0A000: COPY quote available only in CSV mode

COPY customers TO STDOUT (ESCAPE '\')
----
ERROR 0A000: COPY escape available only in CSV mode

COPY customers TO STDOUT (FORCE_QUOTE *)
----
ERROR 0A000: COPY force quote available only in CSV mode

COPY customers TO STDOUT (FORMAT csv, QUOTE ',')
----
ERROR 22023: COPY delimiter and quote must be different

COPY customers TO STDOUT (FORMAT csv, QUOTE 'ab')
----
ERROR 0A000: COPY quote must be a single one-byte character

COPY customers TO STDOUT (FORMAT csv, NULL '"')
----
ERROR 22023: CSV quote character must not appear in the NULL specification

COPY customers (id) TO STDOUT (FORMAT csv, FORCE_QUOTE (name))
----
ERROR 42P10 at 57: FORCE_QUOTE column "name" not referenced by COPY

COPY customers TO STDOUT (HEADER maybe)
----
ERROR 22023 at 34: header requires a Boolean value

# COPY FROM takes no QUOTE, ESCAPE or FORCE_QUOTE
COPY customers FROM STDIN (FORMAT csv, QUOTE '"')
----
ERROR 0A000 at 1: COPY FROM STDIN takes the FORMAT, HEADER, DELIMITER and NULL options only
