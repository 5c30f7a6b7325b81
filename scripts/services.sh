#!/usr/bin/env bash
# The integration tests need the PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) that
# these machines run. Starts whichever is down, when it is installed here; otherwise says so.
set -uo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  fi
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && break; sleep 1; done
pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { echo "services: PostgreSQL is not reachable on 127.0.0.1:5432 (set TEST_PG_URL)"; exit 1; }

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "services: Redis is not reachable on 127.0.0.1:6379 (set TEST_REDIS_URL)"; exit 1; }
echo "services: PostgreSQL and Redis are up"
