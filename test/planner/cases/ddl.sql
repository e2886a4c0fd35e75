CREATE STREAM IF NOT EXISTS trades (id BIGINT NOT NULL, symbol VARCHAR(8), price DOUBLE PRECISION, qty INT, at TIMESTAMP WITH TIME ZONE NOT NULL, WATERMARK FOR at AS at - INTERVAL '5 seconds') WITH (connector = 'kafka', topic = 'trades', brokers = '127.0.0.1:9092', format = 'JSON', start = 'earliest', on_error = 'skip', retention = '10 minutes')
----
CREATE STREAM trades (id int8 not null, symbol varchar(8), price float8, qty int4, at timestamptz not null) watermark=at - 5000000us options={connector=kafka, topic=trades, brokers=127.0.0.1:9092, format=json, start=earliest, on_error=skip, retention=10 minutes} if_not_exists=true

# a watermark without delay, no options
CREATE STREAM ticks (v REAL, day DATE, t TIMESTAMPTZ NOT NULL, WATERMARK FOR t AS t)
----
CREATE STREAM ticks (v float4, day date, t timestamptz not null) watermark=t - 0us options={} if_not_exists=false

CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT, balance NUMERIC(12, 2), meta JSONB, opened DATE, ok BOOLEAN, s SMALLINT, ts TIMESTAMP)
----
CREATE TABLE accounts (id int8 not null, owner text, balance numeric, meta jsonb, opened date, ok bool, s int2, ts timestamp) key=[id] options={} if_not_exists=false

# a table-level primary key; keys become NOT NULL
CREATE TABLE pairs (a INT, b TEXT, c INTERVAL, PRIMARY KEY (a, b)) WITH (connector = 'kafka', topic = 'pairs', brokers = 'k:9092', format = 'json')
----
CREATE TABLE pairs (a int4 not null, b text not null, c interval) key=[a, b] options={connector=kafka, topic=pairs, brokers=k:9092, format=json} if_not_exists=false

CREATE CONTINUOUS QUERY IF NOT EXISTS per_customer WITH (trigger_interval = '500 milliseconds') AS SELECT customer, count(*) AS n FROM orders GROUP BY customer EMIT CHANGES
----
CREATE CONTINUOUS QUERY per_customer (customer text, n int8 not null) emit=changes trigger=500ms depends=[orders]
select: SELECT customer, count(*) AS n FROM orders GROUP BY customer
Project [customer, count(*) AS n]
  HashAggregate keys=[customer] aggs=[count(*)] emit=changes
    Source stream orders columns=[customer]

CREATE MATERIALIZED VIEW mv AS SELECT customer FROM orders WHERE amount > 100
----
CREATE MATERIALIZED VIEW mv (customer text) emit=changes trigger=1000ms depends=[orders]
select: SELECT customer FROM orders WHERE amount > 100
Project [customer]
  Filter (amount > 100)
    Source stream orders columns=[customer, amount]

CREATE SINK big_out FROM revenue WITH (connector = 'kafka', topic = 'big', brokers = 'k:9092', format = 'json', key = 'customer')
----
CREATE SINK big_out FROM revenue options={connector=kafka, topic=big, brokers=k:9092, format=json, key=customer}

DROP STREAM IF EXISTS nothing_here CASCADE
----
DROP stream nothing_here if_exists=true cascade=true

DROP TABLE customers
----
DROP table customers if_exists=false cascade=false

DROP MATERIALIZED VIEW revenue CASCADE
----
DROP query revenue if_exists=false cascade=true

DROP SINK revenue_out
----
DROP sink revenue_out if_exists=false cascade=false

ALTER CONTINUOUS QUERY revenue PAUSE
----
ALTER QUERY revenue pause

ALTER CONTINUOUS QUERY revenue RESUME
----
ALTER QUERY revenue resume

SHOW STREAMS
----
SHOW stream

SHOW CONTINUOUS QUERIES
----
SHOW query

SHOW SINKS
----
SHOW sink

EXPLAIN CONTINUOUS QUERY revenue
----
Project [customer, sum(amount) AS revenue]
  HashAggregate keys=[customer] aggs=[sum(amount)] emit=changes
    Source stream orders columns=[customer, amount]

# EXPLAIN ANALYZE names each line's node by its id in the DAG (planNodeOrder), where the runtime finds its figures.
EXPLAIN ANALYZE CONTINUOUS QUERY revenue
----
EXPLAIN ANALYZE revenue format=text
Project [customer, sum(amount) AS revenue] #2
  HashAggregate keys=[customer] aggs=[sum(amount)] emit=changes #1
    Source stream orders columns=[customer, amount] #0

EXPLAIN (ANALYZE, FORMAT JSON) CONTINUOUS QUERY revenue
----
EXPLAIN ANALYZE revenue format=json
Project [customer, sum(amount) AS revenue] #2
  HashAggregate keys=[customer] aggs=[sum(amount)] emit=changes #1
    Source stream orders columns=[customer, amount] #0

EXPLAIN (ANALYZE false) CONTINUOUS QUERY revenue
----
Project [customer, sum(amount) AS revenue]
  HashAggregate keys=[customer] aggs=[sum(amount)] emit=changes
    Source stream orders columns=[customer, amount]

EXPLAIN (FORMAT JSON) CONTINUOUS QUERY revenue
----
ERROR 0A000 at 9: EXPLAIN (FORMAT JSON) needs ANALYZE

EXPLAIN ANALYZE SELECT 1
----
ERROR 0A000 at 9: EXPLAIN ANALYZE is supported for continuous queries only: EXPLAIN ANALYZE CONTINUOUS QUERY name

EXPLAIN (COSTS) CONTINUOUS QUERY revenue
----
ERROR 0A000 at 10: EXPLAIN option COSTS is not supported

EXPLAIN SELECT name FROM customers WHERE id = 1
----
Project [name]
  Filter (id = 1)
    Source table customers columns=[id, name]
