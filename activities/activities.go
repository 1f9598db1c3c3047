package activities

import (
	"context"
	"errors"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
)

// CalendarSource hands out the current working-day calendar; *calsource.Source implements it.
type CalendarSource interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// ProjectionStore writes the read model. The worker supplies one backed by the database; the
// interface keeps this package, which workflow code imports, free of GORM and the models.
type ProjectionStore interface {
	// SaveTask upserts a task, applying it only when its revision is higher than the stored one.
	SaveTask(ctx context.Context, in ProjectTaskInput) error
	// SaveTimelineEvent inserts an event, ignoring a duplicate EventID.
	SaveTimelineEvent(ctx context.Context, in AppendTimelineInput) error
}

// ErrRejected marks input the read model refuses (a ProjectionStore wraps it); retrying such
// a call cannot help.
var ErrRejected = errors.New("rejected by the read model")

// Activities holds the dependencies of every activity. Workflows call its methods by
// reference (a nil *Activities is enough for that), the worker registers one built value.
type Activities struct {
	// Calendars is the current China working-day calendar.
	Calendars CalendarSource
	// Policy is the deployment's jurisdiction profile, resolved with its local defaults.
	Policy policy.Profile
	// Store is the read model (tasks and timelines).
	Store ProjectionStore
	// TimeLimits gives the time limit a rectification notice fixed; nil where no workflow
	// needs one (the profile's deadline then applies).
	TimeLimits OrderedTimeLimits
}

// Error types of non-retryable application errors returned by activities, so a workflow can
// tell a business failure from an outage.
const (
	// ErrTypeInvalid: the input names no step of the profile, cannot be computed, or cannot be
	// stored (a field the read model rejects); retrying would not help.
	ErrTypeInvalid = "invalid"
)
