# SUBSCRIBE: the relation's visible columns (a stream's without _arrival), then sluice_epoch and sluice_diff
SUBSCRIBE TO orders
----
SUBSCRIBE orders (order_id int8 not null, customer text, amount float8, ts timestamptz not null, sluice_epoch int8 not null, sluice_diff int4 not null) snapshot=true progress=false from_epoch=none output=rows

# bare, without TO; progress makes every column nullable and adds sluice_progress
SUBSCRIBE revenue WITH (snapshot = false, progress = true)
----
SUBSCRIBE revenue (customer text, revenue float8, sluice_epoch int8 not null, sluice_diff int4, sluice_progress bool not null) snapshot=false progress=true from_epoch=none output=rows

# inside COPY, in csv; from_epoch replays the log and so implies no snapshot
COPY (SUBSCRIBE TO customers WITH (from_epoch = 42)) TO STDOUT WITH (FORMAT csv)
----
SUBSCRIBE customers (id int8 not null, name text, region text, tier int4, sluice_epoch int8 not null, sluice_diff int4 not null) snapshot=false progress=false from_epoch=42 output=copy_csv

COPY (SUBSCRIBE TO revenue) TO STDOUT (FORMAT text)
----
SUBSCRIBE revenue (customer text, revenue float8, sluice_epoch int8 not null, sluice_diff int4 not null) snapshot=true progress=false from_epoch=none output=copy_text

# errors: an unknown relation where it is named; a sink; the options
SUBSCRIBE TO nowhere
----
ERROR 42P01 at 14: relation "nowhere" does not exist

SUBSCRIBE TO revenue_out
----
ERROR 42809 at 14: cannot subscribe to sink revenue_out

SUBSCRIBE TO orders WITH (snapshot = 'sometimes')
----
ERROR 22023 at 27: snapshot requires a Boolean value

SUBSCRIBE TO orders WITH (from_epoch = 'latest')
----
ERROR 22023 at 27: from_epoch must be an epoch number (an integer, 0 or more), not "latest"

SUBSCRIBE TO orders WITH (from_epoch = 3, snapshot = true)
----
ERROR 22023 at 43: SUBSCRIBE cannot take both from_epoch and snapshot = true

SUBSCRIBE TO orders WITH (colour = 'blue')
----
ERROR 42601 at 27: SUBSCRIBE option "colour" not recognized

SUBSCRIBE TO (SELECT 1)
----
ERROR 0A000 at 14: SUBSCRIBE to a query is not supported; SUBSCRIBE TO a continuous query, table or stream

COPY (SELECT * FROM orders) TO STDOUT
----
ERROR 0A000 at 21: stream "orders" keeps no rows to SELECT from

COPY (SUBSCRIBE TO orders) TO STDOUT (HEADER true)
----
ERROR 0A000 at 1: COPY (SUBSCRIBE ...) takes only the FORMAT option

COPY (SUBSCRIBE TO orders) TO '/tmp/file'
----
ERROR 0A000 at 31: COPY TO a file or program is not supported; use COPY ... TO STDOUT
