# a table read whole
SELECT * FROM customers
----
Project [id, name, region, tier]
  Source table customers columns=[id, name, region, tier]

# WHERE, ORDER BY, LIMIT and OFFSET
SELECT name, tier FROM customers WHERE region = 'eu' ORDER BY tier DESC, name LIMIT 10 OFFSET 5
----
Limit 10 offset=5
  Sort [tier DESC, name]
    Project [name, tier]
      Filter (region = 'eu')
        Source table customers columns=[name, region, tier]

# ORDER BY an input column that is not selected: a hidden column, projected away at the end
SELECT name FROM customers ORDER BY tier NULLS FIRST
----
Project [name]
  Sort [tier NULLS FIRST]
    Project [name, tier]
      Source table customers columns=[name, tier]

# DISTINCT
SELECT DISTINCT region FROM customers
----
Distinct
  Project [region]
    Source table customers columns=[region]

# a SELECT without FROM: one row of constants, the session functions folded
SELECT 1, 'a', version(), current_user, current_database(), current_schema()
----
Project [1 AS ?column?, 'a' AS ?column?, 'PostgreSQL 15.0 (Sluice 0.1.0) on x86_64, compiled by TypeScript' AS version, 'alice' AS current_user, 'sluice' AS current_database, 'public' AS current_schema]
  Values rows=1 columns=[]

# a stream with retention can be read by a pull query; _arrival is selectable but not part of *
SELECT *, _arrival FROM clicks WHERE url LIKE '/home%'
----
Project [user_id, url, n, ts, _arrival]
  Filter (url LIKE '/home%')
    Source stream clicks columns=[user_id, url, n, ts, _arrival]

# a qualified star and aliases
SELECT c.*, c.id AS key FROM customers AS c
----
Project [id, name, region, tier, id AS key]
  Source table customers columns=[id, name, region, tier]

# a continuous query's result is a relation to read
SELECT customer, revenue FROM revenue WHERE revenue > 100 ORDER BY revenue DESC
----
Sort [revenue DESC]
  Project [customer, revenue]
    Filter (revenue > 100)
      Source query revenue columns=[customer, revenue]

# a system view
SELECT name, status FROM sluice.queries WHERE status <> 'running'
----
Project [name, status]
  Filter (status <> 'running')
    Source system sluice.queries columns=[name, status]

# a subquery in FROM
SELECT s.region, s.n FROM (SELECT region, count(*) AS n FROM customers GROUP BY region) AS s WHERE s.n > 2
----
Project [region, n]
  Project [region, count(*) AS n]
    Filter (count(*) > 2)
      HashAggregate keys=[region] aggs=[count(*)] emit=changes
        Source table customers columns=[region]

# UNION ALL lines up columns by position and casts to the common type
SELECT id, name FROM customers UNION ALL SELECT tier, region FROM customers
----
Union
  Project [id, name]
    Source table customers columns=[id, name]
  Project [tier::int8 AS tier, region]
    Project [tier, region]
      Source table customers columns=[region, tier]

# UNION (without ALL) removes duplicates
SELECT region FROM customers UNION SELECT name FROM customers
----
Distinct
  Union
    Project [region]
      Source table customers columns=[region]
    Project [name]
      Source table customers columns=[name]

# VALUES as a query, ordered by an output column
VALUES (1, 'one'), (2, 'two') ORDER BY 2
----
Sort [column2]
  Values rows=2 columns=[column1, column2]

# IN lists, BETWEEN, IS NULL, ILIKE, NOT
SELECT id FROM customers WHERE tier IN (1, 2, 3) AND id BETWEEN 10 AND 20 AND region IS NOT NULL AND NOT name ILIKE 'x%'
----
Project [id]
  Filter ((((tier IN (1, 2, 3) AND (id >= 10)) AND (id <= 20)) AND region IS NOT NULL) AND NOT (name ILIKE 'x%'))
    Source table customers columns=[id, name, region, tier]

# NOT BETWEEN, NOT IN, IS DISTINCT FROM, IS TRUE
SELECT id FROM customers WHERE tier NOT BETWEEN 1 AND 2 AND id NOT IN (7, 8) AND region IS DISTINCT FROM 'eu' AND (tier > 1) IS TRUE
----
Project [id]
  Filter (((NOT ((tier >= 1) AND (tier <= 2)) AND NOT id IN (7, 8)) AND (region IS DISTINCT FROM 'eu')) AND (tier > 1) IS TRUE)
    Source table customers columns=[id, region, tier]

# CASE (simple and searched), COALESCE, NULLIF, GREATEST, LEAST
SELECT CASE tier WHEN 1 THEN 'gold' WHEN 2 THEN 'silver' ELSE 'none' END AS level, CASE WHEN tier > 2 THEN 1.5 END, coalesce(region, 'n/a'), nullif(tier, 0), greatest(tier, 3), least(id, tier) FROM customers
----
Project [CASE WHEN (tier = 1) THEN 'gold' WHEN (tier = 2) THEN 'silver' ELSE 'none' END AS level, CASE WHEN (tier > 2) THEN 1.5 END AS case, coalesce(region, 'n/a') AS coalesce, nullif(tier, 0) AS nullif, greatest(tier, 3) AS greatest, least(id, tier::int8) AS least]
  Source table customers columns=[id, region, tier]

# casts: CAST, ::, typed constants folded
SELECT CAST(tier AS text), id::float8, '42'::int4, DATE '2026-01-02', TIMESTAMPTZ '2026-01-01 10:00:00+00', INTERVAL '90' SECOND FROM customers
----
Project [tier::text AS tier, id::float8 AS id, 42 AS int4, '2026-01-02'::date AS date, '2026-01-01 10:00:00+00'::timestamptz AS timestamptz, '00:01:30'::interval AS interval]
  Source table customers columns=[id, tier]

# JSONB -> and ->>, ||, and string functions
SELECT attrs -> 'color', attrs ->> 'size', attrs -> 0, label || '!', sku || 1, lower(sku), upper(label), length(sku), substring(sku FROM 2 FOR 3), substring(sku, 2), trim(sku), trim(LEADING 'x' FROM sku), rtrim(sku, 'y'), concat(sku, '-', price), replace(sku, 'a', 'b'), split_part(sku, '-', 2), position('a' IN sku), strpos(sku, 'a') FROM products
----
Project [(attrs -> 'color') AS ?column?, (attrs ->> 'size') AS ?column?, (attrs -> 0) AS ?column?, (label::text || '!') AS ?column?, (sku || '1') AS ?column?, lower(sku) AS lower, upper(label::text) AS upper, length(sku) AS length, substring(sku, 2, 3) AS substring, substring(sku, 2) AS substring, trim(sku) AS btrim, ltrim(sku, 'x') AS ltrim, rtrim(sku, 'y') AS rtrim, concat(sku, '-', price) AS concat, replace(sku, 'a', 'b') AS replace, split_part(sku, '-', 2) AS split_part, position('a', sku) AS position, position('a', sku) AS strpos]
  Source table products columns=[sku, price, attrs, label]

# numeric functions
SELECT abs(price), round(price), round(price, 2), round(small), floor(price), ceil(small), mod(small, 3), power(price, 2), sqrt(small), price % 2, -small FROM products
----
Project [abs(price) AS abs, round(price) AS round, round(price, 2) AS round, round(small::float8) AS round, floor(price) AS floor, ceil(small::float8) AS ceil, mod(small::int4, 3) AS mod, power(price, 2) AS power, sqrt(small::float8) AS sqrt, (price % 2) AS ?column?, -small AS ?column?]
  Source table products columns=[price, small]

# date and time functions
SELECT date_trunc('hour', ts), EXTRACT(EPOCH FROM ts), date_part('dow', ts), now(), to_timestamp(1700000000), ts - INTERVAL '1 hour', ts + INTERVAL '1 day', now() - ts, current_timestamp FROM clicks
----
Project [date_trunc('hour', ts) AS date_trunc, extract('epoch', ts) AS extract, date_part('dow', ts) AS date_part, now() AS now, to_timestamp(1700000000) AS to_timestamp, (ts - '01:00:00'::interval) AS ?column?, (ts + '1 day'::interval) AS ?column?, (now() - ts) AS ?column?, now() AS current_timestamp]
  Source stream clicks columns=[ts]

# parameters take the type of what they meet
# params: int8
SELECT name FROM customers WHERE id = $1 AND tier > $2 AND region = $3
----
Project [name]
  Filter (((id = $1) AND (tier > $2)) AND (region = $3))
    Source table customers columns=[id, name, region, tier]
params: int8, int4, text
