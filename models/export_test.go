package models

// MigrateUpTo lets the external tests build a schema of an older version.
var MigrateUpTo = migrateUpTo
