# predicate pushdown through a projection (a subquery), before
# no-optimize
SELECT x.n FROM (SELECT id + 1 AS n, region FROM customers) AS x WHERE x.region = 'eu'
----
Project [n]
  Filter (region = 'eu')
    Project [(id + 1) AS n, region]
      Source table customers columns=[id, name, region, tier]

# after: the filter reads the source's column, and the source reads only id and region
SELECT x.n FROM (SELECT id + 1 AS n, region FROM customers) AS x WHERE x.region = 'eu'
----
Project [n]
  Project [(id + 1) AS n]
    Filter (region = 'eu')
      Source table customers columns=[id, region]

# pushdown into both sides of an inner join, before
# no-optimize
SELECT c.name, p.sku FROM customers c JOIN products p ON c.name = p.sku WHERE c.tier = 1 AND p.price > 10 AND c.id < p.small
----
Project [name, sku]
  Filter (((tier = 1) AND (price > 10)) AND (id < small::int8))
    HashJoin inner keys=[name = sku]
      Source table customers columns=[id, name, region, tier]
      Source table products columns=[sku, price, attrs, label, added, small]

# after
SELECT c.name, p.sku FROM customers c JOIN products p ON c.name = p.sku WHERE c.tier = 1 AND p.price > 10 AND c.id < p.small
----
Project [name, sku]
  HashJoin inner keys=[name = sku] residual=(id < small::int8)
    Filter (tier = 1)
      Source table customers columns=[id, name, tier]
    Filter (price > 10)
      Source table products columns=[sku, price, small]

# LEFT JOIN: a WHERE term on the left side goes down, one on the right side stays above; an ON term on the right side goes down
SELECT c.name FROM customers c LEFT JOIN products p ON c.name = p.sku AND p.small > 1 WHERE c.tier = 1 AND p.price IS NULL
----
Project [name]
  Filter price IS NULL
    HashJoin left keys=[name = sku]
      Filter (tier = 1)
        Source table customers columns=[name, tier]
      Filter (small::int4 > 1)
        Source table products columns=[sku, price, small]

# below window assignment when the predicate does not use window columns, before
# no-optimize
SELECT window_start, count(*) FROM TUMBLE(clicks, ts, INTERVAL '1 minute') WHERE url = '/' AND window_start > TIMESTAMPTZ '2026-01-01 00:00:00+00' GROUP BY window_start
----
Project [window_start, count(*) AS count]
  HashAggregate keys=[window_start, window_end] aggs=[count(*)] emit=changes window_end=window_end
    Filter ((url = '/') AND (window_start > '2026-01-01 00:00:00+00'::timestamptz))
      Window tumble size=60s time=ts
        Source stream clicks columns=[user_id, url, n, ts, _arrival]

# after
SELECT window_start, count(*) FROM TUMBLE(clicks, ts, INTERVAL '1 minute') WHERE url = '/' AND window_start > TIMESTAMPTZ '2026-01-01 00:00:00+00' GROUP BY window_start
----
Project [window_start, count(*) AS count]
  HashAggregate keys=[window_start, window_end] aggs=[count(*)] emit=changes window_end=window_end
    Filter (window_start > '2026-01-01 00:00:00+00'::timestamptz)
      Window tumble size=60s time=ts
        Filter (url = '/')
          Source stream clicks columns=[url, ts]

# HAVING on a group key goes below the aggregate
SELECT region, count(*) FROM customers GROUP BY region HAVING region <> 'eu' AND count(*) > 1
----
Project [region, count(*) AS count]
  Filter (count(*) > 1)
    HashAggregate keys=[region] aggs=[count(*)] emit=changes
      Filter (region <> 'eu')
        Source table customers columns=[region]

# into every input of a UNION ALL
SELECT * FROM (SELECT id FROM customers UNION ALL SELECT tier FROM customers) AS u WHERE u.id > 5
----
Project [id]
  Union
    Project [id]
      Filter (id > 5)
        Source table customers columns=[id]
    Project [tier::int8 AS tier]
      Project [tier]
        Filter (tier::int8 > 5)
          Source table customers columns=[tier]

# never below LIMIT
SELECT * FROM (SELECT id FROM customers LIMIT 10) AS l WHERE l.id > 5
----
Project [id]
  Filter (id > 5)
    Limit 10
      Project [id]
        Source table customers columns=[id]

# count(*) still reads one column
SELECT count(*) FROM customers
----
Project [count(*) AS count]
  HashAggregate keys=[] aggs=[count(*)] emit=changes
    Source table customers columns=[id]
