# VALUES into a stream: constants take the column types, parsed now
INSERT INTO orders VALUES (1, 'acme', 12.5, '2026-01-01 10:00:03+00'), (2, 'globex', 7, '2026-01-01 10:00:41+00')
----
INSERT INTO stream orders (order_id, customer, amount, ts)
Values rows=2 columns=[order_id, customer, amount, ts]

# a column list: the others are NULL; a parameter takes its column's type
INSERT INTO customers (name, id) VALUES ($1, 7)
----
INSERT INTO table customers (id, name, region, tier) params: text
Values rows=1 columns=[id, name, region, tier]

# INSERT ... SELECT with assignment casts (int8 to int4 narrows)
INSERT INTO customers (id, name, region, tier) SELECT user_id, url, 'eu', user_id FROM clicks WHERE user_id > 0
----
INSERT INTO table customers (id, name, region, tier)
Project [user_id AS id, url AS name, ?column? AS region, user_id::int4 AS tier]
  Project [user_id, url, 'eu' AS ?column?, user_id]
    Filter (user_id > 0)
      Source stream clicks columns=[user_id, url]

INSERT INTO products (sku, price, label) SELECT url, n, url FROM clicks
----
INSERT INTO table products (sku, price, attrs, label, added, small)
Project [url AS sku, n::numeric AS price, NULL AS attrs, url::varchar(20) AS label, NULL AS added, NULL AS small]
  Project [url, n, url]
    Source stream clicks columns=[url, n]

UPDATE customers SET region = 'eu', tier = tier + 1 WHERE id = 7
----
UPDATE customers SET region = 'eu', tier = (tier + 1) WHERE (id = 7)

# params: int8
UPDATE customers AS c SET name = $2 WHERE c.id = $1
----
UPDATE customers SET name = $2 WHERE (id = $1) params: int8, text

DELETE FROM customers WHERE region IS NULL
----
DELETE customers WHERE region IS NULL

DELETE FROM customers
----
DELETE customers

COPY orders FROM STDIN WITH (FORMAT csv, HEADER true)
----
COPY stream orders columns=[0, 1, 2, 3] format=csv header=true delimiter="," null=""

COPY customers (id, name) FROM STDIN
----
COPY table customers columns=[0, 1] format=text header=false delimiter="\t" null="\\N"

COPY customers FROM STDIN WITH (FORMAT text, DELIMITER '|', NULL 'nil')
----
COPY table customers columns=[0, 1, 2, 3] format=text header=false delimiter="|" null="nil"

COPY orders FROM STDIN CSV HEADER
----
COPY stream orders columns=[0, 1, 2, 3] format=csv header=true delimiter="," null=""
