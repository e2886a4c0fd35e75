# TUMBLE: window assignment and a windowed aggregate; the watermark delay comes from the stream
CREATE CONTINUOUS QUERY revenue_per_minute AS SELECT window_start, window_end, customer, sum(amount) AS revenue, count(*) AS orders FROM TUMBLE(orders, ts, INTERVAL '1 minute') GROUP BY window_start, window_end, customer
----
CREATE CONTINUOUS QUERY revenue_per_minute (window_start timestamptz not null, window_end timestamptz not null, customer text, revenue float8, orders int8 not null) emit=changes trigger=1000ms depends=[orders]
select: SELECT window_start, window_end, customer, sum(amount) AS revenue, count(*) AS orders FROM TUMBLE(orders, ts, INTERVAL '1 minute') GROUP BY window_start, window_end, customer
Project [window_start, window_end, customer, sum(amount) AS revenue, count(*) AS orders]
  HashAggregate keys=[window_start, window_end, customer] aggs=[sum(amount), count(*)] emit=changes window_end=window_end
    Window tumble size=60s time=ts delay=5s
      Source stream orders columns=[customer, amount, ts]

# grouping by window_start alone still closes windows by window_end; EMIT ON WINDOW CLOSE
CREATE CONTINUOUS QUERY big AS SELECT window_start, customer, max(amount) AS top FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) GROUP BY window_start, customer EMIT ON WINDOW CLOSE
----
CREATE CONTINUOUS QUERY big (window_start timestamptz not null, customer text, top float8) emit=on_window_close trigger=1000ms depends=[orders]
select: SELECT window_start, customer, max(amount) AS top FROM TUMBLE(orders, ts, INTERVAL '10' SECOND) GROUP BY window_start, customer
Project [window_start, customer, max(amount) AS top]
  HashAggregate keys=[window_start, customer, window_end] aggs=[max(amount)] emit=on_window_close window_end=window_end
    Window tumble size=10s time=ts delay=5s
      Source stream orders columns=[customer, amount, ts]

# HOP
CREATE CONTINUOUS QUERY sliding AS SELECT window_end, count(*) AS n FROM HOP(orders, ts, INTERVAL '10 seconds', INTERVAL '1 minute') GROUP BY window_end
----
CREATE CONTINUOUS QUERY sliding (window_end timestamptz not null, n int8 not null) emit=changes trigger=1000ms depends=[orders]
select: SELECT window_end, count(*) AS n FROM HOP(orders, ts, INTERVAL '10 seconds', INTERVAL '1 minute') GROUP BY window_end
Project [window_end, count(*) AS n]
  HashAggregate keys=[window_end] aggs=[count(*)] emit=changes window_end=window_end
    Window hop slide=10s size=60s time=ts delay=5s
      Source stream orders columns=[ts]

# SESSION becomes one session aggregate
CREATE CONTINUOUS QUERY sessions AS SELECT customer, window_start, window_end, count(*) AS n, sum(amount) AS total FROM SESSION(orders, ts, INTERVAL '30 seconds') GROUP BY customer, window_start, window_end EMIT ON WINDOW CLOSE
----
CREATE CONTINUOUS QUERY sessions (customer text, window_start timestamptz not null, window_end timestamptz not null, n int8 not null, total float8) emit=on_window_close trigger=1000ms depends=[orders]
select: SELECT customer, window_start, window_end, count(*) AS n, sum(amount) AS total FROM SESSION(orders, ts, INTERVAL '30 seconds') GROUP BY customer, window_start, window_end
Project [customer, window_start, window_end, count(*) AS n, sum(amount) AS total]
  SessionAggregate keys=[customer] gap=30s time=ts delay=5s aggs=[count(*), sum(amount)] emit=on_window_close
    Source stream orders columns=[customer, amount, ts]

# windows without aggregation: each row tagged with its window
CREATE CONTINUOUS QUERY tagged AS SELECT order_id, window_start FROM TUMBLE(orders, ts, INTERVAL '1 minute')
----
CREATE CONTINUOUS QUERY tagged (order_id int8 not null, window_start timestamptz not null) emit=changes trigger=1000ms depends=[orders]
select: SELECT order_id, window_start FROM TUMBLE(orders, ts, INTERVAL '1 minute')
Project [order_id, window_start]
  Window tumble size=60s time=ts delay=5s
    Source stream orders columns=[order_id, ts]

# a window over a stream without a watermark, in a pull query over its retained rows, with Flink's spelling
SELECT window_start, count(*) FROM TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5 minutes') w GROUP BY window_start
----
Project [window_start, count(*) AS count]
  HashAggregate keys=[window_start, window_end] aggs=[count(*)] emit=changes window_end=window_end
    Window tumble size=300s time=ts
      Source stream clicks columns=[ts]

# a window over _arrival (processing time): no watermark delay applies
CREATE CONTINUOUS QUERY arrivals AS SELECT window_start, count(*) AS n FROM TUMBLE(orders, _arrival, INTERVAL '1 minute') GROUP BY window_start
----
CREATE CONTINUOUS QUERY arrivals (window_start timestamptz not null, n int8 not null) emit=changes trigger=1000ms depends=[orders]
select: SELECT window_start, count(*) AS n FROM TUMBLE(orders, _arrival, INTERVAL '1 minute') GROUP BY window_start
Project [window_start, count(*) AS n]
  HashAggregate keys=[window_start, window_end] aggs=[count(*)] emit=changes window_end=window_end
    Window tumble size=60s time=_arrival
      Source stream orders columns=[_arrival]

# a window over a subquery
SELECT window_start, sum(n) FROM TUMBLE((SELECT ts, n FROM clicks WHERE n > 0), ts, INTERVAL '1 hour') GROUP BY window_start
----
Project [window_start, sum(n) AS sum]
  HashAggregate keys=[window_start, window_end] aggs=[sum(n)] emit=changes window_end=window_end
    Window tumble size=3600s time=ts
      Project [ts, n]
        Filter (n > 0)
          Source stream clicks columns=[n, ts]

# a continuous query over another continuous query reads a relation of kind query
CREATE CONTINUOUS QUERY bands AS SELECT CASE WHEN revenue > 100 THEN 'big' ELSE 'small' END AS band, count(*) AS customers FROM revenue GROUP BY 1
----
CREATE CONTINUOUS QUERY bands (band text, customers int8 not null) emit=changes trigger=1000ms depends=[revenue]
select: SELECT CASE WHEN revenue > 100 THEN 'big' ELSE 'small' END AS band, count(*) AS customers FROM revenue GROUP BY 1
Project [case AS band, count(*) AS customers]
  HashAggregate keys=[case] aggs=[count(*)] emit=changes
    Project [CASE WHEN (revenue > 100) THEN 'big' ELSE 'small' END AS case]
      Source query revenue columns=[revenue]

# Nexmark q5's shape: the HOP and its count per key and window are one shared subplan read by both sides of the
# join; the max of counts per window is keyed by a closed window_end, so it (and the join) evict closed windows
CREATE CONTINUOUS QUERY hot AS SELECT a.customer, a.n, a.window_end FROM (SELECT customer, count(*) AS n, window_start, window_end FROM HOP(orders, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY customer, window_start, window_end) a JOIN (SELECT max(c.n) AS maxn, c.window_start, c.window_end FROM (SELECT count(*) AS n, window_start, window_end FROM HOP(orders, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY customer, window_start, window_end) c GROUP BY c.window_start, c.window_end) m ON a.window_start = m.window_start AND a.window_end = m.window_end AND a.n >= m.maxn
----
CREATE CONTINUOUS QUERY hot (customer text, n int8 not null, window_end timestamptz not null) emit=changes trigger=1000ms depends=[orders]
select: SELECT a.customer, a.n, a.window_end FROM (SELECT customer, count(*) AS n, window_start, window_end FROM HOP(orders, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY customer, window_start, window_end) a JOIN (SELECT max(c.n) AS maxn, c.window_start, c.window_end FROM (SELECT count(*) AS n, window_start, window_end FROM HOP(orders, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY customer, window_start, window_end) c GROUP BY c.window_start, c.window_end) m ON a.window_start = m.window_start AND a.window_end = m.window_end AND a.n >= m.maxn
Project [customer, n, window_end]
  HashJoin inner keys=[window_start = window_start, window_end = window_end] residual=(n >= maxn)
    Project [customer, count(*) AS n, window_start, window_end]
      HashAggregate keys=[customer, window_start, window_end] aggs=[count(*)] emit=changes window_end=window_end [shared #1]
        Window hop slide=2s size=10s time=ts delay=5s
          Source stream orders columns=[customer, ts]
    Project [max(n) AS maxn, window_start, window_end]
      HashAggregate keys=[window_start, window_end] aggs=[max(n)] emit=changes window_end=window_end
        Project [count(*) AS n, window_start, window_end]
          Shared #1
