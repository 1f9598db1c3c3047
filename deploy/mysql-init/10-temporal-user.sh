#!/bin/bash
# The mysql image runs this once, when it initialises an empty data volume, after it created
# MYSQL_DATABASE and MYSQL_USER for datashare. Temporal gets its own account limited to its own
# two databases, so neither application can read or damage the other's tables. The image
# sources this file (it is not executable): it returns rather than exits, and leaves the
# entrypoint's shell options alone.
#
# The password is interpolated into SQL: keep it to letters and digits (it also goes into a
# DSN, where ':', '@' and '/' would need escaping).

if [ -z "${MYSQL_TEMPORAL_PASSWORD:-}" ]; then
	echo >&2 'MYSQL_TEMPORAL_PASSWORD is empty: not creating a Temporal account without a password'
	# Fails the initialisation whether the image sources or executes this file.
	return 1 2>/dev/null || exit 1
fi

MYSQL_PWD="${MYSQL_ROOT_PASSWORD}" mysql --protocol=socket --socket="${SOCKET:-/var/run/mysqld/mysqld.sock}" -uroot <<EOSQL
CREATE USER IF NOT EXISTS 'temporal'@'%' IDENTIFIED BY '${MYSQL_TEMPORAL_PASSWORD}';
GRANT ALL PRIVILEGES ON \`temporal\`.* TO 'temporal'@'%';
GRANT ALL PRIVILEGES ON \`temporal_visibility\`.* TO 'temporal'@'%';
EOSQL
