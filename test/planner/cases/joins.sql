# INNER JOIN: equi keys from ON, the rest as residual
SELECT c.name, p.sku FROM customers c JOIN products p ON c.name = p.sku AND c.tier < p.small
----
Project [name, sku]
  HashJoin inner keys=[name = sku] residual=(tier < small::int4)
    Source table customers columns=[name, tier]
    Source table products columns=[sku, small]

# LEFT JOIN
SELECT c.name, r.revenue FROM customers c LEFT JOIN revenue r ON r.customer = c.name
----
Project [name, revenue]
  HashJoin left keys=[name = customer]
    Source table customers columns=[name]
    Source query revenue columns=[customer, revenue]

# RIGHT JOIN: SELECT * keeps the SQL's column order; an ON term over the padded (left) side filters it first, a
# WHERE term over the preserved (right) side too, a WHERE term over the padded side stays above the join
SELECT * FROM customers a RIGHT JOIN customers b ON a.id = b.id AND a.tier > 1 WHERE b.region = 'eu' AND a.name IS NULL
----
Project [id, name, region, tier, id, name, region, tier]
  Filter name IS NULL
    HashJoin right keys=[id = id]
      Filter (tier > 1)
        Source table customers columns=[id, name, region, tier]
      Filter (region = 'eu')
        Source table customers columns=[id, name, region, tier]

# FULL JOIN: both sides are padded, so no WHERE term and no ON term over one side moves below the join
SELECT c.name, r.revenue FROM customers c FULL JOIN revenue r ON r.customer = c.name AND r.revenue > 10 WHERE c.tier > 1
----
Project [name, revenue]
  Filter (tier > 1)
    HashJoin full keys=[name = customer] residual=(revenue > 10)
      Source table customers columns=[name, tier]
      Source query revenue columns=[customer, revenue]

# a comma join with the condition in WHERE becomes a hash join
SELECT c.name, r.revenue FROM customers c, revenue r WHERE c.name = r.customer AND r.revenue > 10
----
Project [name, revenue]
  HashJoin inner keys=[name = customer]
    Source table customers columns=[name]
    Filter (revenue > 10)
      Source query revenue columns=[customer, revenue]

# JOIN ... USING
SELECT a.id FROM customers a JOIN customers b USING (region)
----
Project [id]
  HashJoin inner keys=[region = region]
    Source table customers columns=[id, region]
    Source table customers columns=[region]

# CROSS JOIN
SELECT a.id, b.id FROM customers a CROSS JOIN customers b
----
Project [id, id]
  NestedLoopJoin inner
    Source table customers columns=[id]
    Source table customers columns=[id]

# stream JOIN table in a continuous query (lookup join)
CREATE CONTINUOUS QUERY enriched AS SELECT o.order_id, o.amount, c.region FROM orders o JOIN customers c ON c.name = o.customer
----
CREATE CONTINUOUS QUERY enriched (order_id int8 not null, amount float8, region text) emit=changes trigger=1000ms depends=[orders, customers]
select: SELECT o.order_id, o.amount, c.region FROM orders o JOIN customers c ON c.name = o.customer
Project [order_id, amount, region]
  HashJoin inner keys=[customer = name]
    Source stream orders columns=[order_id, customer, amount]
    Source table customers columns=[name, region]

# stream JOIN stream with an interval time bound
CREATE CONTINUOUS QUERY paid AS SELECT o.order_id, p.paid FROM orders o JOIN payments p ON o.order_id = p.order_id AND p.ts BETWEEN o.ts AND o.ts + INTERVAL '10 minutes'
----
CREATE CONTINUOUS QUERY paid (order_id int8 not null, paid float8) emit=changes trigger=1000ms depends=[orders, payments]
select: SELECT o.order_id, p.paid FROM orders o JOIN payments p ON o.order_id = p.order_id AND p.ts BETWEEN o.ts AND o.ts + INTERVAL '10 minutes'
Project [order_id, paid]
  HashJoin inner keys=[order_id = order_id] residual=((ts >= ts) AND (ts <= (ts + '00:10:00'::interval)))
    Source stream orders columns=[order_id, ts]
    Source stream payments columns=[order_id, paid, ts]

# stream JOIN stream on the same window
CREATE CONTINUOUS QUERY paid_per_window AS SELECT o.window_start, count(*) AS n FROM TUMBLE(orders, ts, INTERVAL '1 minute') o JOIN TUMBLE(payments, ts, INTERVAL '1 minute') p ON o.order_id = p.order_id AND o.window_start = p.window_start GROUP BY o.window_start
----
CREATE CONTINUOUS QUERY paid_per_window (window_start timestamptz not null, n int8 not null) emit=changes trigger=1000ms depends=[orders, payments]
select: SELECT o.window_start, count(*) AS n FROM TUMBLE(orders, ts, INTERVAL '1 minute') o JOIN TUMBLE(payments, ts, INTERVAL '1 minute') p ON o.order_id = p.order_id AND o.window_start = p.window_start GROUP BY o.window_start
Project [window_start, count(*) AS n]
  HashAggregate keys=[window_start, window_end] aggs=[count(*)] emit=changes window_end=window_end
    HashJoin inner keys=[order_id = order_id, window_start = window_start]
      Window tumble size=60s time=ts delay=5s
        Source stream orders columns=[order_id, ts]
      Window tumble size=60s time=ts delay=1s
        Source stream payments columns=[order_id, ts]

# WHERE x IN (SELECT ...) becomes a join with the distinct values of the subquery
SELECT name FROM customers WHERE region IN (SELECT region FROM customers WHERE tier = 1) AND tier > 0
----
Project [name]
  HashJoin inner keys=[region = region]
    Filter (tier > 0)
      Source table customers columns=[name, region, tier]
    Distinct
      Project [region]
        Filter (tier = 1)
          Source table customers columns=[region, tier]

# a stream joined to its own per-window max (Nexmark q7's highest bid) keeps only each window's max rows
CREATE CONTINUOUS QUERY latest AS SELECT B.order_id, B.customer, B.ts, M.window_start FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) AS B JOIN (SELECT max(order_id) AS top, window_start, window_end FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end) AS M ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.order_id = M.top
----
CREATE CONTINUOUS QUERY latest (order_id int8 not null, customer text, ts timestamptz not null, window_start timestamptz not null) emit=changes trigger=1000ms depends=[orders]
select: SELECT B.order_id, B.customer, B.ts, M.window_start FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) AS B JOIN (SELECT max(order_id) AS top, window_start, window_end FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end) AS M ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.order_id = M.top
Project [order_id, customer, ts, window_start]
  Project [order_id, customer, ts, window_start]
    WindowMax value=order_id window_end=window_end
      Window tumble size=10s time=ts delay=5s
        Source stream orders columns=[order_id, customer, ts]

# ... but not over a float, whose max the join's equality might not find (NaN): a join
CREATE CONTINUOUS QUERY biggest AS SELECT B.order_id, B.amount FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) AS B JOIN (SELECT max(amount) AS top, window_start, window_end FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end) AS M ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.amount = M.top
----
CREATE CONTINUOUS QUERY biggest (order_id int8 not null, amount float8) emit=changes trigger=1000ms depends=[orders]
select: SELECT B.order_id, B.amount FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) AS B JOIN (SELECT max(amount) AS top, window_start, window_end FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end) AS M ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.amount = M.top
Project [order_id, amount]
  HashJoin inner keys=[window_start = window_start, window_end = window_end, amount = top]
    Window tumble size=10s time=ts delay=5s
      Source stream orders columns=[order_id, amount, ts]
    Project [max(amount) AS top, window_start, window_end]
      HashAggregate keys=[window_start, window_end] aggs=[max(amount)] emit=changes window_end=window_end
        Window tumble size=10s time=ts delay=5s
          Source stream orders columns=[amount, ts]

# ... nor over two different windows
CREATE CONTINUOUS QUERY mismatched AS SELECT B.order_id FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) AS B JOIN (SELECT max(order_id) AS top, window_start, window_end FROM TUMBLE(orders, ts, INTERVAL '20' SECOND) GROUP BY window_start, window_end) AS M ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.order_id = M.top
----
CREATE CONTINUOUS QUERY mismatched (order_id int8 not null) emit=changes trigger=1000ms depends=[orders]
select: SELECT B.order_id FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) AS B JOIN (SELECT max(order_id) AS top, window_start, window_end FROM TUMBLE(orders, ts, INTERVAL '20' SECOND) GROUP BY window_start, window_end) AS M ON B.window_start = M.window_start AND B.window_end = M.window_end AND B.order_id = M.top
Project [order_id]
  HashJoin inner keys=[window_start = window_start, window_end = window_end, order_id = top]
    Window tumble size=10s time=ts delay=5s
      Source stream orders columns=[order_id, ts]
    Project [max(order_id) AS top, window_start, window_end]
      HashAggregate keys=[window_start, window_end] aggs=[max(order_id)] emit=changes window_end=window_end
        Window tumble size=20s time=ts delay=5s
          Source stream orders columns=[order_id, ts]
