# Follows RELATION's changes with psycopg2, one csv line per change as its epoch commits.
# usage: python3 subscribe_psycopg2.py HOST PORT RELATION [FROM_EPOCH]
#        (FROM_EPOCH: resume after the last epoch received whole)
import sys

import psycopg2

host, port, relation = sys.argv[1], int(sys.argv[2]), sys.argv[3]
options = f'from_epoch = {int(sys.argv[4])}' if len(sys.argv) > 4 else 'snapshot = false'
sys.stdout.reconfigure(line_buffering=True)  # each line out as soon as it is written

conn = psycopg2.connect(host=host, port=port, user='sluice', dbname='sluice')
conn.autocommit = True
with conn.cursor() as cur:
    # copy_expert writes each row to the file as it arrives; it returns only when the subscription ends.
    cur.copy_expert(f'COPY (SUBSCRIBE TO {relation} WITH ({options})) TO STDOUT (FORMAT csv)', sys.stdout)
