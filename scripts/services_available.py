"""Exit 0 when PostgreSQL and Redis answer on their loopback ports, else print why and exit 1.

`make test` uses it to decide whether the services pass can run; under CI a 1 fails the build.
"""

import sys

import psycopg
import redis

POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
REDIS_URL = "redis://127.0.0.1:6379/0"


def main() -> int:
    try:
        psycopg.connect(POSTGRES_DSN).close()
    except psycopg.Error as exc:
        print(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {str(exc).strip().splitlines()[0]}")
        return 1
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        print(f"Redis at 127.0.0.1:6379 is not reachable: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
