#!/bin/sh
# Follows RELATION's changes with psql, one csv line per change as its epoch commits:
#   columns...,sluice_epoch,sluice_diff
# usage: subscribe.sh HOST PORT RELATION [FROM_EPOCH]   (FROM_EPOCH: resume after the last epoch received whole)
if [ -n "$4" ]; then options="from_epoch = $4"; else options="snapshot = false"; fi
# psql buffers its output into a pipe or a file: stdbuf makes it print each line as it comes.
exec stdbuf -oL psql -X -h "$1" -p "$2" -U sluice -d sluice \
  -c "COPY (SUBSCRIBE TO $3 WITH ($options)) TO STDOUT (FORMAT csv)"
