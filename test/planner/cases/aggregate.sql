# GROUP BY with aggregates; HAVING is a filter over the aggregate
SELECT region, count(*), count(DISTINCT tier), sum(tier), avg(tier), min(name), max(id) FROM customers GROUP BY region HAVING count(*) > 1
----
Project [region, count(*) AS count, count(DISTINCT tier) AS count, sum(tier) AS sum, avg(tier) AS avg, min(name) AS min, max(id) AS max]
  Filter (count(*) > 1)
    HashAggregate keys=[region] aggs=[count(*), count(DISTINCT tier), sum(tier), avg(tier), min(name), max(id)] emit=changes
      Source table customers columns=[id, name, region, tier]

# aggregates without GROUP BY: one group
SELECT count(*), sum(id) FROM customers
----
Project [count(*) AS count, sum(id) AS sum]
  HashAggregate keys=[] aggs=[count(*), sum(id)] emit=changes
    Source table customers columns=[id]

# result types: sum(int8) numeric, avg(float8) float8, stddev, bool aggregates, sketches
SELECT sum(id), stddev(tier), bool_and(tier > 1), bool_or(tier > 2), approx_count_distinct(name), approx_percentile(tier, 0.9) FROM customers
----
Project [sum(id) AS sum, stddev(tier) AS stddev, bool_and((tier > 1)) AS bool_and, bool_or((tier > 2)) AS bool_or, approx_count_distinct(name) AS approx_count_distinct, approx_percentile(tier::float8, 0.9) AS approx_percentile]
  HashAggregate keys=[] aggs=[sum(id), stddev(tier), bool_and((tier > 1)), bool_or((tier > 2)), approx_count_distinct(name), approx_percentile(tier::float8, 0.9)] emit=changes
    Source table customers columns=[id, name, tier]

# GROUP BY an ordinal and an output alias; the expression is computed below the aggregate
SELECT upper(region) AS r, count(*) AS n FROM customers GROUP BY 1
----
Project [upper(region) AS r, count(*) AS n]
  HashAggregate keys=[upper(region)] aggs=[count(*)] emit=changes
    Project [upper(region)]
      Source table customers columns=[region]

# GROUP BY an expression used in the select list
SELECT tier + 1, count(*) FROM customers GROUP BY tier + 1 ORDER BY 2 DESC
----
Sort [count DESC]
  Project [(tier + 1) AS ?column?, count(*) AS count]
    HashAggregate keys=[(tier + 1)] aggs=[count(*)] emit=changes
      Project [(tier + 1)]
        Source table customers columns=[tier]

# ORDER BY an aggregate that is not selected
SELECT region FROM customers GROUP BY region ORDER BY count(*) DESC LIMIT 3
----
Project [region]
  Limit 3
    Sort [count DESC]
      Project [region, count(*) AS count]
        HashAggregate keys=[region] aggs=[count(*)] emit=changes
          Source table customers columns=[region]

# the same aggregate twice is computed once
SELECT region, sum(tier), sum(tier) * 2 FROM customers GROUP BY region
----
Project [region, sum(tier) AS sum, (sum(tier) * 2) AS ?column?]
  HashAggregate keys=[region] aggs=[sum(tier)] emit=changes
    Source table customers columns=[region, tier]
