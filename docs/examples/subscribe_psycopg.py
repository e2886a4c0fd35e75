# Follows RELATION's changes with psycopg 3, one csv line per change as its epoch commits.
# usage: python3 subscribe_psycopg.py HOST PORT RELATION [FROM_EPOCH]
#        (FROM_EPOCH: resume after the last epoch received whole)
import sys

import psycopg

host, port, relation = sys.argv[1], int(sys.argv[2]), sys.argv[3]
options = f'from_epoch = {int(sys.argv[4])}' if len(sys.argv) > 4 else 'snapshot = false'

with psycopg.connect(host=host, port=port, user='sluice', dbname='sluice', autocommit=True) as conn:
    with conn.cursor() as cur:
        with cur.copy(f'COPY (SUBSCRIBE TO {relation} WITH ({options})) TO STDOUT (FORMAT csv)') as copy:
            for data in copy:  # one row's line, as it arrives
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
