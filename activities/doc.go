// Package activities holds every side effect of datashare's workflows: the projection of
// procedures into the read model, calendar computations, notifications and audit records.
// Activities hang off one struct holding their dependencies and are idempotent, because
// Temporal may run them more than once. It never imports workflows (docs/architecture.md).
package activities
