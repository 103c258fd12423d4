"""Storage and the outside world's files: SQLite store, migrations, roster import, exports, sync."""
