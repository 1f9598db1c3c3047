// Package api is datashare's HTTP interface: the Gin router with the whole route table,
// handlers, DTOs, middleware and the one error envelope (docs/api.md).
package api

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/calquery"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// Deps is everything the API needs, wired once by the binary.
type Deps struct {
	Logger       *slog.Logger
	Verifier     auth.Verifier
	Catalog      CatalogStore
	Departments  DepartmentStore
	Directory    DirectoryStore   // departments and users, managed by admins
	Idempotency  IdempotencyStore // answers to creates sent with an Idempotency-Key
	Calendar     CalendarSource   // the current working-day calendar
	CalendarData CalendarStore    // calendar overrides and loaded years, managed by admins
	Now          func() time.Time // the clock of calendar status; time.Now when nil
	Policies     []policy.Profile // resolved jurisdiction profiles, the active one included
	ActivePolicy string           // id of the profile in force
	Tasks        TaskStore        // the inbox and timelines (read model)
	Workflows    WorkflowUpdater  // sends task actions as Temporal Updates

	// ShareRequests reads share requests, their timelines and tasks, and grants.
	ShareRequests ShareRequestStore
	Starter       WorkflowStarter // starts ShareRequestWorkflow and CorrectionWorkflow, and queries them
	// Corrections reads data corrections, their timelines and tasks, grants for the report's
	// check, and flags catalog resources under verification.
	Corrections CorrectionStore
	// Rectifications reads rectification notices (限期整改), their timelines and tasks, and
	// the supervision tasks a notice may be issued from.
	Rectifications RectificationStore
	TaskQueue      string // of the workers; workflows.DefaultTaskQueue when empty

	// Notifications are the caller's reminders, overdue notices, urges and new tasks.
	Notifications NotificationStore

	// AnnualReports reads annual reports (年度报告); Starter opens a year's round on demand.
	AnnualReports AnnualReportStore

	// Audit is the audit log (日志记录, 内乡 第三十三条): administrative changes are written to
	// it as they succeed, and the authority and admins read and export it.
	Audit AuditStore

	// CatalogUpdates reads catalog updates (目录更新), their timelines, tasks and linked
	// revisions; Starter starts their workflows too.
	CatalogUpdates CatalogUpdateStore

	// OpenCatalogCorrections reads citizens' open-catalog corrections (开放目录更正), their
	// timelines and tasks; Starter starts their workflows.
	OpenCatalogCorrections OpenCatalogCorrectionStore
	// InterfaceRequirements reads interface requirements (服务接口及其延期), their timelines and
	// tasks; Starter starts their workflows.
	InterfaceRequirements InterfaceRequirementStore
	// OpenData reads citizens' open-data requests (有条件开放申请), their timelines and tasks;
	// Starter starts their workflows too.
	OpenData OpenDataStore
	// Supervision reads the step tasks of the authority's supervision board (督办看板);
	// Departments and Calendar complete it.
	Supervision SupervisionStore

	Checks   []Check
	Registry *prometheus.Registry // serves /metrics; HTTP metrics are registered into it
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	MaxBodyBytes int64
	Version      string
}

// route is one row of the route table: the handler and what the OpenAPI document says of it.
type route struct {
	method  string
	path    string // Gin syntax: /catalog/resources/:id
	op      string // operationId
	summary string
	tag     string
	public  bool        // no token needed
	roles   []auth.Role // nil: any authenticated principal
	query   []param
	body    any // request DTO, nil for none
	status  int // success status
	resp    any // response DTO
	handler gin.HandlerFunc

	// idempotent routes accept an Idempotency-Key: a repeat with the same key and body gets
	// the first answer (docs/api.md). Every create sets it.
	idempotent bool
	// redrive marks an idempotent create that can safely run again for a key whose first
	// attempt never answered (the process died, or Temporal failed after the start): it names
	// what it creates with newRequestID and starts it with startProcedure, so every attempt
	// addresses the same workflow. Other idempotent routes make a retry wait until the claim
	// is abandoned.
	redrive bool

	// self also admits the principal whose subject is the :id of the path, whatever its roles:
	// a user may read its own record.
	self bool
	// upsert routes create or replace what their path names: 201 when it was created,
	// status when it was replaced.
	upsert bool
	// rule documents the 422 rule_violated answer of routes that have one.
	rule string
	// audit records a successful call in the audit log: the administrative changes, whose
	// effect no workflow records.
	audit bool
	// contentType is the success response's media type when it is not JSON (a CSV export).
	contentType string
	// idPattern is the pattern the :id of the path must match, stated in the OpenAPI
	// document; the handler checks it.
	idPattern string
	// exports are media types the success response also comes in, chosen with ?format= (the
	// supervision board as CSV or Excel); JSON stays the default.
	exports []string
}

type param struct {
	name, description string
}

// routes is the whole route table. The OpenAPI document is generated from it, and a test checks
// that Gin serves exactly these routes.
func routes(d Deps) []route {
	sys := systemHandlers{checks: d.Checks, departments: d.Departments}
	dir := directoryHandlers{store: d.Directory, jurisdictions: knownJurisdictions(d.Policies)}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	calh := calendarHandlers{source: d.Calendar, store: d.CalendarData, now: now}
	pol := policyHandlers{profiles: d.Policies, active: d.ActivePolicy}
	var active policy.Profile
	for _, p := range d.Policies {
		if p.ID == d.ActivePolicy {
			active = p
		}
	}
	views := taskViews{profile: active, calendar: d.Calendar, now: now}
	// A create answers once its first task is in the read model.
	var openTasks OpenTasks
	if d.Tasks != nil {
		openTasks = d.Tasks
	}
	tasks := taskHandlers{store: d.Tasks, workflows: d.Workflows, users: d.Directory, views: views}
	queue := d.TaskQueue
	if queue == "" {
		queue = contract.DefaultTaskQueue
	}
	cat := catalogHandlers{store: d.Catalog, corrections: d.Corrections, verificationRule: verificationRule(active),
		review: active.CatalogReviewBasis, now: now}
	corrections := correctionHandlers{opened: openTasks, store: d.Corrections, catalog: d.Catalog, departments: d.Departments,
		starter: d.Starter, tasks: tasks, profile: active, taskQueue: queue, now: time.Now}
	correctionParams := []param{
		{"status", "dispatching, verifying, correcting, answered, coordinating, accepted, upheld or resolved"},
		{"resource_id", "catalog resource id"},
		{"overdue", "true or false: the open step is past its deadline"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	correctionRule := "rule_violated: the resource cannot be reported on (unknown, not published, or the reporter's own); procedure_not_in_profile: the active profile has no correction procedure"
	shares := shareRequestHandlers{opened: openTasks, store: d.ShareRequests, catalog: d.Catalog, departments: d.Departments,
		starter: d.Starter, workflows: d.Workflows, tasks: tasks, profile: active, taskQueue: queue, now: time.Now}
	grants := grantHandlers{store: d.ShareRequests, workflows: d.Workflows}
	rects := rectificationHandlers{opened: openTasks, store: d.Rectifications, starter: d.Starter, profile: active, taskQueue: queue, now: time.Now, views: views}
	rectParams := []param{
		{"status", "issued, reported, overdue or rectified"},
		{"department", "id of the department ordered (the authority's filter)"},
		{"overdue", "true or false: past the time limit and not rectified"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	rectRule := "procedure_not_in_profile: the profile in force has no rectification procedure"
	catUpdates := catalogUpdateHandlers{opened: openTasks, store: d.CatalogUpdates, catalog: d.Catalog, departments: d.Departments,
		starter: d.Starter, tasks: tasks, profile: active, taskQueue: queue, now: time.Now}
	catUpdateParams := []param{
		{"status", "updating, reviewing, reporting or published"},
		{"overdue", "true or false: the open step is past its deadline"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	catUpdateRule := "rule_violated: changed_on in the future, a resource that is not the department's, or a procedure the profile lacks"
	reporters := []auth.Role{auth.RoleApprover, auth.RoleAuthority}
	openCatalog := openCatalogHandlers{opened: openTasks, store: d.OpenCatalogCorrections, catalog: d.Catalog, departments: d.Departments,
		starter: d.Starter, profile: active, taskQueue: queue, now: time.Now, views: views}
	interfaces := interfaceHandlers{opened: openTasks, store: d.InterfaceRequirements, departments: d.Departments, starter: d.Starter,
		profile: active, taskQueue: queue, now: time.Now, views: views}
	pageParams := []param{
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	openCatalogParams := append([]param{{"status", "replying, updating_catalog, disagreed, catalog_updated, update_rejected or update_failed"}}, pageParams...)
	interfaceParams := append([]param{{"status", "required or delivered"}}, pageParams...)
	openCatalogRule := "rule_violated: the resource is not in the open catalog; procedure_not_in_profile: the profile in force has no open-catalog correction (内乡 only)"
	interfaceRule := "rule_violated: agreed_due has passed; procedure_not_in_profile: the profile in force has no interface extension (内乡 only)"
	citizen := []auth.Role{auth.RoleCitizen}
	shareParams := []param{
		{"status", "pending, refused, negotiating, coordinating, granted, rejected or withdrawn"},
		{"resource_id", "catalog resource id"},
		{"overdue", "true or false: the open step is past its deadline"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	grantParams := []param{
		{"status", "active, suspended, revoked or expired"},
		{"resource_id", "catalog resource id"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	auditH := auditHandlers{store: d.Audit, grants: d.ShareRequests, log: d.Logger}
	notes := notificationHandlers{store: d.Notifications}
	annual := annualReportHandlers{store: d.AnnualReports, starter: d.Starter, profile: active, taskQueue: queue, now: time.Now}
	auditReaders := []auth.Role{auth.RoleAuthority, auth.RoleAdmin}
	accessRecorders := []auth.Role{auth.RoleApprover, auth.RoleApplicant}
	// The authority acts on any grant; a providing department's approver on its own, from the
	// 条例's date (the workflow decides).
	grantActors := []auth.Role{auth.RoleAuthority, auth.RoleApprover}
	auditParams := []param{
		{"department", "department id of the actor"},
		{"resource_id", "catalog resource id"},
		{"actor", "subject of the actor"},
		{"action", "e.g. data_provided, granted, completed, putUser"},
		{"from", "RFC 3339 time or YYYY-MM-DD (start of that day, China): events at or after"},
		{"to", "RFC 3339 time or YYYY-MM-DD: events before"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	applicant := []auth.Role{auth.RoleApplicant}
	// staff are the roles of government departments: a principal holding only the citizen
	// role never sees a department's inbox or lists (403).
	staff := []auth.Role{auth.RoleApplicant, auth.RoleApprover, auth.RoleDeptHead, auth.RoleAuthority, auth.RoleTechService, auth.RoleAdmin}
	openData := openDataHandlers{opened: openTasks, store: d.OpenData, workflows: d.Workflows, catalog: d.Catalog, deps: d.Departments, starter: d.Starter,
		profile: active, taskQueue: queue, now: time.Now, views: views}
	openDataParams := []param{
		{"status", "pending, approved, refused or opened"},
		{"overdue", "true or false: the reply is past its deadline"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	openDataRule := "rule_violated: the resource is not published or not open (open type none: 不予开放); procedure_not_in_profile: the profile in force has no open-data procedure"
	urgers := []auth.Role{auth.RoleApplicant, auth.RoleAuthority}
	board := supervisionHandlers{store: d.Supervision, departments: d.Departments, calendar: d.Calendar, profile: active, now: now}
	boardParams := []param{
		{"from", "first day of the period, YYYY-MM-DD (China); default 1 January of this year"},
		{"to", "last day of the period, YYYY-MM-DD (China), not before from; default today"},
		{"format", "json (default), csv (UTF-8 with BOM) or xlsx: the same figures as an attachment named after the period"},
	}
	shareRule := "rule_violated: the resource cannot be asked for (not published, or the applicant's own), or a rule of the procedure forbids the action"
	taskParams := []param{
		{"status", "open (default), completed, closed or all"},
		{"procedure", "procedure code, e.g. share"},
		{"step", "step code, e.g. reply"},
		{"decided_by", "me: instead of the inbox, the tasks the caller decided (已办), the most recent first; status does not apply"},
		{"overdue", "true or false"},
		{"due_before", "RFC 3339 time, or YYYY-MM-DD for the start of that day (China)"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	taskRule := "rule_violated: a rule of the step forbids it (e.g. a transfer outside the department), or the task's kind does not take the action (a supervision task is not claimed, transferred or decided; an extension approval is only decided)"
	kindRule := "rule_violated: the task's kind does not take the action (a supervision task is not claimed; an extension approval is only decided)"
	sideTaskRule := "rule_violated: the task's kind does not take the action (an extension approval is only decided), or a rule of the step forbids it (a second urge on one working day)"
	dueParams := []param{{"from", "receipt: RFC 3339 time or YYYY-MM-DD date (China)"}, {"workdays", "number of working days, 1-365"}}
	daysParams := []param{{"from", "first date, YYYY-MM-DD"}, {"to", "last date, YYYY-MM-DD (at most 366 days)"}}
	ownApprover := []auth.Role{auth.RoleApprover}
	authority := []auth.Role{auth.RoleAuthority}
	admin := []auth.Role{auth.RoleAdmin}
	listParams := []param{
		{"department", "providing department id"},
		{"share_type", "unconditional, conditional or none"},
		{"open_type", "unconditional, conditional or none"},
		{"status", "draft, submitted, published or retired"},
		{"q", "text in code, name or description"},
		{"limit", "page size, 1-100 (default 20)"},
		{"cursor", "next_cursor of the previous page"},
	}
	return []route{
		{method: http.MethodGet, path: "/healthz", op: "healthz", summary: "Liveness: the process answers", tag: "system", public: true, status: 200, resp: HealthView{}, handler: sys.healthz},
		{method: http.MethodGet, path: "/readyz", op: "readyz", summary: "Readiness: database and Temporal reachable (503 otherwise)", tag: "system", public: true, status: 200, resp: HealthView{}, handler: sys.readyz},
		{method: http.MethodGet, path: "/api/v1/me", op: "getMe", summary: "The calling principal", tag: "auth", status: 200, resp: MeView{}, handler: sys.me},
		{method: http.MethodGet, path: "/api/v1/departments", op: "listDepartments", summary: "Departments", tag: "departments", status: 200, resp: DepartmentList{}, handler: sys.listDepartments},
		{method: http.MethodGet, path: "/api/v1/departments/:id", op: "getDepartment", summary: "One department", tag: "departments", status: 200, resp: DepartmentView{}, handler: sys.getDepartment},
		{method: http.MethodPut, path: "/api/v1/departments/:id", op: "putDepartment", idPattern: directoryIDPattern, audit: true, summary: "Create or replace a department (admin)", tag: "departments", roles: admin, body: DepartmentInput{}, status: 200, upsert: true, resp: DepartmentView{}, handler: dir.putDepartment},
		{method: http.MethodGet, path: "/api/v1/users", op: "listUsers", summary: "Users ordered by id, optionally of one department (admin)", tag: "users", roles: admin, query: []param{{"department", "department id"}}, status: 200, resp: UserList{}, handler: dir.listUsers},
		{method: http.MethodGet, path: "/api/v1/users/:id", op: "getUser", summary: "One user (admin, or the user itself)", tag: "users", roles: admin, self: true, status: 200, resp: UserView{}, handler: dir.getUser},
		{method: http.MethodPut, path: "/api/v1/users/:id", op: "putUser", idPattern: directoryIDPattern, audit: true, summary: "Create or replace a user: department, roles, active (admin)", tag: "users", roles: admin, body: UserInput{}, status: 200, upsert: true, resp: UserView{}, handler: dir.putUser,
			rule: "rule_violated: an admin may not deactivate themselves or drop their own admin role"},
		{method: http.MethodGet, path: "/api/v1/catalog/resources", op: "listCatalogResources", summary: "Catalog resources visible to the caller, cursor-paginated by id", tag: "catalog", query: listParams, status: 200, resp: CatalogResourceList{}, handler: cat.list},
		// Not redrive: a draft is one database insert under an auto-increment id; its unique
		// code already refuses a second insert (409), so a retry after a crash waits out the
		// claim as before (see catalogHandlers.create).
		{method: http.MethodPost, path: "/api/v1/catalog/resources", op: "createCatalogResource", audit: true, summary: "Register a draft resource of the caller's department (approver)", tag: "catalog", roles: ownApprover, body: CatalogResourceInput{}, status: 201, resp: CatalogResourceView{}, idempotent: true, handler: cat.create},
		{method: http.MethodGet, path: "/api/v1/catalog/resources/:id", op: "getCatalogResource", summary: "One catalog resource", tag: "catalog", status: 200, resp: CatalogResourceView{}, handler: cat.get},
		{method: http.MethodPatch, path: "/api/v1/catalog/resources/:id", op: "updateCatalogResource", audit: true, summary: "Edit a draft, or the draft revision of a published resource (approver of the providing department)", tag: "catalog", roles: ownApprover, body: CatalogResourcePatch{}, status: 200, resp: CatalogResourceView{}, handler: cat.update},
		{method: http.MethodPost, path: "/api/v1/catalog/resources/:id/submit", op: "submitCatalogResource", audit: true, summary: "Submit a draft for the authority's review (approver of the providing department)", tag: "catalog", roles: ownApprover, body: TransitionInput{}, status: 200, resp: CatalogResourceView{}, handler: cat.submit},
		{method: http.MethodPost, path: "/api/v1/catalog/resources/:id/publish", op: "publishCatalogResource", audit: true, summary: "Publish a submitted resource (authority); the answer's review_basis cites what it rests on under the profile in force (政务数据共享条例 第十六条第一款 since 2025-08-01; 辽宁 第十条, 内乡 第十八条)", tag: "catalog", roles: authority, body: TransitionInput{}, status: 200, resp: CatalogResourceView{}, handler: cat.publish},
		{method: http.MethodPost, path: "/api/v1/catalog/resources/:id/return", op: "returnCatalogResource", audit: true, summary: "Return a submitted resource to its department with a reason (authority)", tag: "catalog", roles: authority, body: ReasonInput{}, status: 200, resp: CatalogResourceView{}, handler: cat.returnToDept},
		{method: http.MethodPost, path: "/api/v1/catalog/resources/:id/retire", op: "retireCatalogResource", audit: true, summary: "Retire a published resource with a reason (authority)", tag: "catalog", roles: authority, body: ReasonInput{}, status: 200, resp: CatalogResourceView{}, handler: cat.retire},
		{method: http.MethodPost, path: "/api/v1/catalog/resources/:id/revise", op: "reviseCatalogResource", audit: true, summary: "Open a draft revision of a published resource (修订, approver of the providing department): PATCH, submit, publish and return then act on the revision while the published content stays visible", tag: "catalog", roles: ownApprover, body: TransitionInput{}, status: 200, resp: CatalogResourceView{}, handler: cat.revise},
		{method: http.MethodGet, path: "/api/v1/catalog/resources/:id/versions", op: "listCatalogResourceVersions", summary: "Every revision of a resource, oldest first", tag: "catalog", status: 200, resp: CatalogVersionList{}, handler: cat.versions},

		{method: http.MethodGet, path: "/api/v1/calendar/due", op: "calendarDue", summary: "Deadline of N working days after a receipt (day of receipt not counted; end of the N-th working day, Asia/Shanghai)", tag: "calendar", public: true, query: dueParams, status: 200, resp: calendar.DueResult{}, handler: calh.due},
		{method: http.MethodGet, path: "/api/v1/calendar/days", op: "calendarDays", summary: "Kind of each day in a range: workday, weekend, holiday, makeup_workday", tag: "calendar", public: true, query: daysParams, status: 200, resp: calquery.DaysResponse{}, handler: calh.days},
		{method: http.MethodGet, path: "/api/v1/calendar/status", op: "calendarStatus", summary: "Calendar version, published years, warnings (admin)", tag: "calendar", roles: admin, status: 200, resp: calsource.Status{}, handler: calh.status},
		{method: http.MethodGet, path: "/api/v1/calendar/overrides", op: "listCalendarOverrides", summary: "Days corrected by admins and years loaded (admin)", tag: "calendar", roles: admin, status: 200, resp: CalendarOverrideList{}, handler: calh.listOverrides},
		{method: http.MethodPut, path: "/api/v1/calendar/overrides/:date", op: "putCalendarOverride", audit: true, summary: "Make a day a holiday or a working day (admin); takes effect at once, raises the calendar version", tag: "calendar", roles: admin, body: CalendarOverrideInput{}, status: 200, upsert: true, resp: CalendarEditView{}, handler: calh.putOverride},
		{method: http.MethodDelete, path: "/api/v1/calendar/overrides/:date", op: "deleteCalendarOverride", audit: true, summary: "Remove a day's override (admin)", tag: "calendar", roles: admin, status: 200, resp: CalendarEditView{}, handler: calh.deleteOverride},
		{method: http.MethodGet, path: "/api/v1/policies", op: "listPolicies", summary: "Jurisdiction profiles; the one in force is marked active", tag: "policies", status: 200, resp: PolicyList{}, handler: pol.list},
		{method: http.MethodGet, path: "/api/v1/policies/:id", op: "getPolicy", summary: "A jurisdiction profile: every step's deadline, actor, reminders, escalation, extension and legal basis", tag: "policies", status: 200, resp: PolicyView{}, handler: pol.get},
		{method: http.MethodPost, path: "/api/v1/calendar/years/:year", op: "loadCalendarYear", audit: true, summary: "Load a year's holiday schedule, e.g. the State Council's notice for a new year (admin)", tag: "calendar", roles: admin, body: CalendarYearInput{}, status: 200, resp: calsource.Status{}, handler: calh.loadYear},
		{method: http.MethodGet, path: "/api/v1/tasks", op: "listTasks", summary: "The caller's inbox (待办): tasks offered to its department in one of its roles, or claimed by it; by due time, no deadline last. Each says what it is about (title, resource, applicant department, purpose), counts the working days left (remaining_workdays, light) and has a URL-safe id (/ written ~)", tag: "tasks", roles: staff, query: taskParams, status: 200, resp: TaskList{}, handler: tasks.list},
		{method: http.MethodGet, path: "/api/v1/tasks/:id", op: "getTask", summary: "A task with its timeline (candidates, assignee and the authority); the id as listed (URL-safe, / written ~) or with its slashes escaped as %2F", tag: "tasks", status: 200, resp: TaskDetail{}, handler: tasks.get},
		{method: http.MethodPost, path: "/api/v1/tasks/:id/claim", op: "claimTask", summary: "Claim a task of one's department and role (签收)", tag: "tasks", status: 200, resp: TaskView{}, handler: tasks.claim, rule: kindRule},
		{method: http.MethodPost, path: "/api/v1/tasks/:id/unclaim", op: "unclaimTask", summary: "Give a claimed task back to the department's pool", tag: "tasks", status: 200, resp: TaskView{}, handler: tasks.unclaim, rule: kindRule},
		{method: http.MethodPost, path: "/api/v1/tasks/:id/transfer", op: "transferTask", summary: "Transfer a task to a person of the department, or (authority, where allowed) to another department (转办)", tag: "tasks", body: TransferInput{}, status: 200, resp: TaskView{}, handler: tasks.transfer, rule: taskRule},
		{method: http.MethodPost, path: "/api/v1/tasks/:id/comments", op: "commentTask", summary: "Comment on a task (candidates, watchers, the supervising authority); on a supervision task (督办), on the task it supervises, which the answer shows", tag: "tasks", body: CommentInput{}, status: 200, resp: TaskView{}, handler: tasks.comment, rule: sideTaskRule},
		{method: http.MethodPost, path: "/api/v1/tasks/:id/urge", op: "urgeTask", summary: "Urge a task (催办: its watchers, and the authority supervising it once overdue; once per working day per department); on a supervision task (督办), the task it supervises, which the answer shows", tag: "tasks", body: UrgeInput{}, status: 200, resp: TaskView{}, handler: tasks.urge, rule: sideTaskRule},
		{method: http.MethodGet, path: "/api/v1/supervision/board", op: "getSupervisionBoard", summary: "The supervision board (督办看板, authority): every department's open, near-due (≤2 working days left) and overdue step tasks now, by procedure; and over a period the tasks handled, handled on time, the overdue rate (超期率) and the median handling time in working days; as JSON, CSV or Excel", tag: "supervision", roles: authority, query: boardParams, status: 200, resp: SupervisionBoard{}, exports: []string{mediaCSV, mediaXLSX}, handler: board.board},
		{method: http.MethodPost, path: "/api/v1/tasks/:id/rectification", op: "issueRectificationFromSupervision", summary: "Issue a rectification notice (限期整改) from an open supervision task (督办) of any procedure, to the overdue task's department, linked to it (authority)", tag: "rectifications", roles: authority, body: SupervisionRectificationInput{}, status: 201, resp: RectificationStatus{}, handler: rects.fromSupervision, rule: rectRule},
		{method: http.MethodPost, path: "/api/v1/tasks/:id/complete", op: "completeTask", summary: "Decide a task: one of its decisions with the fields that decision requires, as the task lists them; an extension task (延期审批) takes approve, or refuse with a reason", tag: "tasks", body: CompleteInput{}, status: 200, resp: TaskView{}, handler: tasks.complete, rule: taskRule},

		{method: http.MethodPost, path: "/api/v1/share-requests", op: "createShareRequest", summary: "Ask for a published catalog resource of another department (有条件共享申请, applicant); answers with the first step and its deadline", tag: "share-requests", roles: applicant, body: ShareRequestInput{}, status: 201, resp: ShareRequestStatus{}, idempotent: true, redrive: true, handler: shares.create, rule: shareRule + "; a duty_basis is missing that the profile in force asks of every request (submission_requires)"},
		{method: http.MethodGet, path: "/api/v1/share-requests", op: "listShareRequests", summary: "Share requests of the caller's department as applicant, provider or deciding party (the authority: all), newest first", tag: "share-requests", roles: staff, query: shareParams, status: 200, resp: ShareRequestList{}, handler: shares.list},
		{method: http.MethodGet, path: "/api/v1/share-requests/:id", op: "getShareRequest", summary: "A share request with its timeline, open tasks and grant", tag: "share-requests", status: 200, resp: ShareRequestDetail{}, handler: shares.get},
		{method: http.MethodPost, path: "/api/v1/share-requests/:id/withdraw", op: "withdrawShareRequest", summary: "Withdraw a request before its final decision (撤回, applicant)", tag: "share-requests", roles: applicant, body: WithdrawInput{}, status: 200, resp: ShareRequestStatus{}, handler: shares.withdraw},
		{method: http.MethodPost, path: "/api/v1/share-requests/:id/urge", op: "urgeShareRequest", summary: "Urge the open step (催办, applicant or authority; once per working day per party)", tag: "share-requests", roles: urgers, body: UrgeInput{}, status: 200, resp: TaskView{}, handler: shares.urge, rule: shareRule},
		{method: http.MethodPost, path: "/api/v1/share-requests/:id/negotiation", op: "askShareNegotiation", summary: "Ask for negotiation after a refusal, within the policy's window (协商, applicant)", tag: "share-requests", roles: applicant, body: NegotiationInput{}, status: 200, resp: ShareRequestStatus{}, handler: shares.negotiation, rule: shareRule},
		{method: http.MethodPost, path: "/api/v1/rectifications", op: "createRectification", summary: "Issue a rectification notice (限期整改通知, authority): violation from the profile's list, description, time limit in working days; answers with the deadline and its article", tag: "rectifications", roles: authority, body: RectificationInput{}, status: 201, resp: RectificationStatus{}, idempotent: true, redrive: true, handler: rects.create, rule: rectRule},
		{method: http.MethodGet, path: "/api/v1/rectifications", op: "listRectifications", summary: "Rectification notices: the caller's department's (the authority: all), newest first", tag: "rectifications", roles: staff, query: rectParams, status: 200, resp: RectificationList{}, handler: rects.list},
		{method: http.MethodGet, path: "/api/v1/rectifications/:id", op: "getRectification", summary: "A rectification notice with its timeline and open tasks", tag: "rectifications", status: 200, resp: RectificationDetail{}, handler: rects.get},
		{method: http.MethodGet, path: "/api/v1/violations", op: "listViolations", summary: "The active profile's violation list with articles, the longest time limit and the consequence of missing it", tag: "rectifications", status: 200, resp: ViolationList{}, handler: rects.violations},
		{method: http.MethodPost, path: "/api/v1/catalog-updates", op: "createCatalogUpdate", summary: "Report (approver) or order for a department (authority) a catalog update after a law was revised or duties changed (目录更新); the deadline counts from changed_on (宁夏 第八条, 乌海 第七条, 辽宁 第九条, 内乡 第二十二条)", tag: "catalog-updates", roles: reporters, body: CatalogUpdateInput{}, status: 201, resp: CatalogUpdateStatus{}, idempotent: true, redrive: true, handler: catUpdates.create, rule: catUpdateRule},
		{method: http.MethodGet, path: "/api/v1/catalog-updates", op: "listCatalogUpdates", summary: "Catalog updates of the caller's department (the authority: all), newest first", tag: "catalog-updates", roles: staff, query: catUpdateParams, status: 200, resp: CatalogUpdateList{}, handler: catUpdates.list},
		{method: http.MethodGet, path: "/api/v1/catalog-updates/:id", op: "getCatalogUpdate", summary: "A catalog update with its timeline, open tasks and the revisions its submissions linked", tag: "catalog-updates", status: 200, resp: CatalogUpdateDetail{}, handler: catUpdates.get},
		{method: http.MethodPost, path: "/api/v1/catalog-updates/:id/submit", op: "submitCatalogUpdate", summary: "Submit the department's edited resources as one update (approver of the department): the open update task's submit decision, checked against the catalog", tag: "catalog-updates", roles: ownApprover, body: CatalogSubmitInput{}, status: 200, resp: TaskView{}, handler: catUpdates.submit, rule: catUpdateRule},
		{method: http.MethodGet, path: "/api/v1/notifications", op: "listNotifications", summary: "The caller's notifications (通知), newest first: new tasks, reminders, overdue notices, urges, proposals, decisions on its requests, the answers to a citizen's own open-data requests and open-catalog corrections — to its department in one of its roles, or to it by name", tag: "notifications", query: []param{{"unread", "true: only those the caller has not read"}, {"limit", "page size, 1-100 (default 20)"}, {"cursor", "next_cursor of the previous page"}}, status: 200, resp: NotificationList{}, handler: notes.list},
		{method: http.MethodPost, path: "/api/v1/notifications/:id/read", op: "readNotification", summary: "Mark a notification read for the caller", tag: "notifications", status: 200, resp: NotificationReadView{}, handler: notes.read},
		// Not redrive: a round's workflow id is its year, so a retry cannot start it twice; it
		// is answered 409 (already opened) rather than with the first answer.
		{method: http.MethodPost, path: "/api/v1/annual-reports", op: "openAnnualReportRound", summary: "Open a past year's annual reports on demand (authority): a report task for every department, due at the end of January, and the summary (内乡: end of February; 宁夏 第十七条, 内乡 第六十条); the Schedule does this every 1 January", tag: "annual-reports", roles: authority, body: AnnualReportRoundInput{}, status: 201, resp: AnnualReportRoundView{}, idempotent: true, handler: annual.open},
		{method: http.MethodGet, path: "/api/v1/annual-reports", op: "listAnnualReports", summary: "Annual reports, newest year first, with their prefilled figures (the authority: all; a department: its own)", tag: "annual-reports", status: 200, resp: AnnualReportList{}, handler: annual.list},
		{method: http.MethodGet, path: "/api/v1/annual-reports/:year", op: "getAnnualReportYear", summary: "A year's annual reports and how many are submitted, open and overdue", tag: "annual-reports", status: 200, resp: AnnualReportYear{}, handler: annual.year},
		{method: http.MethodPost, path: "/api/v1/grants/:id/accesses", op: "recordDataAccess", summary: "Record data provided (approver of the providing department) or received (applicant of the consuming department) under an active grant, in the audit log (日志记录, 内乡 第三十三条)", tag: "audit", roles: accessRecorders, body: DataAccessInput{}, status: 201, resp: AuditEventView{}, handler: auditH.recordAccess},
		{method: http.MethodGet, path: "/api/v1/audit-events", op: "listAuditEvents", summary: "The audit log, newest first: grants, data provided and received, decisions, administrative changes (authority, admin)", tag: "audit", roles: auditReaders, query: auditParams, status: 200, resp: AuditEventList{}, handler: auditH.list},
		{method: http.MethodGet, path: "/api/v1/audit-events/export", op: "exportAuditEvents", summary: "The audit log as CSV (UTF-8), every event matching the filters, newest first (authority, admin)", tag: "audit", roles: auditReaders, query: auditParams[:6], status: 200, contentType: "text/csv", handler: auditH.export},
		{method: http.MethodPost, path: "/api/v1/corrections", op: "createCorrection", summary: "Report problem data of a catalog resource the department obtained (数据校核纠错, applicant; 403 without an active grant unless the resource is shared unconditionally); answers with the first step and its deadline", tag: "corrections", roles: applicant, body: CorrectionInput{}, status: 201, resp: CorrectionStatus{}, idempotent: true, redrive: true, handler: corrections.create, rule: correctionRule},
		{method: http.MethodGet, path: "/api/v1/corrections", op: "listCorrections", summary: "Corrections of the caller's department as reporter, provider or producer (the authority and the technical service unit: all), newest first", tag: "corrections", roles: staff, query: correctionParams, status: 200, resp: CorrectionList{}, handler: corrections.list},
		{method: http.MethodGet, path: "/api/v1/corrections/:id", op: "getCorrection", summary: "A correction with its timeline and open tasks", tag: "corrections", status: 200, resp: CorrectionDetail{}, handler: corrections.get},
		{method: http.MethodPost, path: "/api/v1/corrections/:id/accept", op: "acceptCorrectionResult", summary: "Accept the result of the verification or correction (reporting department's applicant)", tag: "corrections", roles: applicant, body: AcceptResultInput{}, status: 200, resp: TaskView{}, handler: corrections.accept},
		{method: http.MethodPost, path: "/api/v1/corrections/:id/dispute", op: "disputeCorrectionResult", summary: "Dispute the result, once; the authority's coordination decides finally (reporting department's applicant)", tag: "corrections", roles: applicant, body: DisputeResultInput{}, status: 200, resp: TaskView{}, handler: corrections.dispute},
		{method: http.MethodPost, path: "/api/v1/open-catalog-corrections", op: "createOpenCatalogCorrection", summary: "Apply to correct a field of an open-catalog entry (开放目录更正, citizen; 内乡 第四十五条): the producer replies within 10 WD, once extendable by ≤10 WD with its head's consent; answers with the reply deadline and its article", tag: "open-catalog-corrections", roles: citizen, body: OpenCatalogCorrectionInput{}, status: 201, resp: OpenCatalogCorrectionStatus{}, idempotent: true, redrive: true, handler: openCatalog.create, rule: openCatalogRule},
		{method: http.MethodGet, path: "/api/v1/open-catalog-corrections", op: "listOpenCatalogCorrections", summary: "Open-catalog corrections: a citizen's own, the producing department's resources', the authority's all; newest first", tag: "open-catalog-corrections", query: openCatalogParams, status: 200, resp: OpenCatalogCorrectionList{}, handler: openCatalog.list},
		{method: http.MethodGet, path: "/api/v1/open-catalog-corrections/:id", op: "getOpenCatalogCorrection", summary: "An open-catalog correction with its timeline (and open tasks, for the departments)", tag: "open-catalog-corrections", status: 200, resp: OpenCatalogCorrectionDetail{}, handler: openCatalog.get},
		{method: http.MethodPost, path: "/api/v1/interface-requirements", op: "createInterfaceRequirement", summary: "Require a service interface from a producing department by an agreed date (authority; 内乡 第十三条第二款): due at the end of agreed_due; the department delivers or applies for ≤5 WD more", tag: "interface-requirements", roles: authority, body: InterfaceRequirementInput{}, status: 201, resp: InterfaceRequirementStatus{}, idempotent: true, redrive: true, handler: interfaces.create, rule: interfaceRule},
		{method: http.MethodGet, path: "/api/v1/interface-requirements", op: "listInterfaceRequirements", summary: "Interface requirements: the department's own (the authority: all), newest first", tag: "interface-requirements", query: interfaceParams, status: 200, resp: InterfaceRequirementList{}, handler: interfaces.list},
		{method: http.MethodGet, path: "/api/v1/interface-requirements/:id", op: "getInterfaceRequirement", summary: "An interface requirement with its timeline and open tasks", tag: "interface-requirements", status: 200, resp: InterfaceRequirementDetail{}, handler: interfaces.get},
		{method: http.MethodPost, path: "/api/v1/open-data-requests", op: "createOpenDataRequest", summary: "Ask for data of the open catalog (有条件开放申请, citizen; 内乡 第四十六条): unconditionally open data is opened at once after the identity check (第三款); conditionally open data gets the producer's reply within 10 working days (第二款); answers with the status and the deadline", tag: "open-data", roles: []auth.Role{auth.RoleCitizen}, body: OpenDataRequestInput{}, status: 201, resp: OpenDataRequestStatus{}, idempotent: true, redrive: true, handler: openData.create, rule: openDataRule},
		{method: http.MethodGet, path: "/api/v1/open-data-requests", op: "listOpenDataRequests", summary: "Open-data requests: a citizen's own, a producing department's resources', the authority's all; newest first", tag: "open-data", query: openDataParams, status: 200, resp: OpenDataRequestList{}, handler: openData.list},
		{method: http.MethodGet, path: "/api/v1/open-data-requests/:id", op: "getOpenDataRequest", summary: "An open-data request with its deadline (and the extension's), timeline and open tasks; another citizen's request is not found", tag: "open-data", status: 200, resp: OpenDataRequestDetail{}, handler: openData.get},
		{method: http.MethodPost, path: "/api/v1/open-data-requests/:id/withdraw", op: "withdrawOpenDataRequest", summary: "Withdraw one's request before the reply (撤回, the applicant citizen); its open tasks close", tag: "open-data", roles: []auth.Role{auth.RoleCitizen}, body: WithdrawInput{}, status: 200, resp: OpenDataRequestStatus{}, handler: openData.withdraw},
		{method: http.MethodGet, path: "/api/v1/grants", op: "listGrants", summary: "Grants of the caller's department as consumer or provider (the authority: all)", tag: "grants", roles: staff, query: grantParams, status: 200, resp: GrantList{}, handler: grants.list},
		{method: http.MethodPost, path: "/api/v1/grants/:id/suspend", op: "suspendGrant", summary: "Suspend a grant with a reason (暂停共享权限: the authority, 内乡 第四十一条; since 2025-08-01 also the providing department's approver, 政务数据共享条例 第二十七条第二款)", tag: "grants", roles: grantActors, body: GrantActionInput{}, status: 200, resp: GrantView{}, handler: grants.suspend},
		{method: http.MethodPost, path: "/api/v1/grants/:id/resume", op: "resumeGrant", summary: "Resume a suspended grant with a reason (the authority; since 2025-08-01 also the providing department's approver)", tag: "grants", roles: grantActors, body: GrantActionInput{}, status: 200, resp: GrantView{}, handler: grants.resume},
		{method: http.MethodPost, path: "/api/v1/grants/:id/revoke", op: "revokeGrant", summary: "End a grant for good with a reason (终止共享: the authority; since 2025-08-01 also the providing department's approver, 政务数据共享条例 第二十七条第二款)", tag: "grants", roles: grantActors, body: GrantActionInput{}, status: 200, resp: GrantView{}, handler: grants.revoke},
	}
}

// NewRouter builds the Gin engine: middleware, the route table, /metrics and the OpenAPI
// document.
func NewRouter(d Deps) (*gin.Engine, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 1 << 20
	}
	table := routes(d)
	doc, err := openAPIDocument(table, d.Version)
	if err != nil {
		return nil, err
	}

	r := gin.New()
	r.HandleMethodNotAllowed = true
	// Task ids in their older form contain slashes, which a path parameter carries escaped
	// (%2F): route on the raw path and unescape the parameters. The ids the API hands out are
	// URL-safe (task_views.go) and need neither.
	r.UseRawPath = true
	r.UnescapePathValues = true
	r.ContextWithFallback = true
	metrics := newHTTPMetrics(d.Registry)
	r.Use(withRequestID(), accessLog(d.Logger), recoverer(d.Logger), metrics.handler(), limitBody(d.MaxBodyBytes))
	r.NoRoute(func(c *gin.Context) {
		abort(c, &Error{Status: http.StatusNotFound, Code: CodeRouteNotFound, Message: "no route " + c.Request.Method + " " + c.Request.URL.Path})
	})
	r.NoMethod(func(c *gin.Context) {
		abort(c, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "method " + c.Request.Method + " not allowed on " + c.Request.URL.Path})
	})

	authn := authenticate(d.Verifier, d.Logger)
	jsonBody := requireJSONBody()
	for _, rt := range table {
		chain := []gin.HandlerFunc{}
		if strings.HasPrefix(rt.path, "/api/v1/") {
			chain = append(chain, jsonBody)
		}
		if !rt.public {
			chain = append(chain, authn)
		}
		switch {
		case rt.self:
			if rt.roles == nil || !selfParam.MatchString(rt.path) {
				return nil, fmt.Errorf("route %s %s admits the principal named by :id, so it needs an :id and roles for everyone else", rt.method, rt.path)
			}
			chain = append(chain, requireRoleOrSelf(rt.roles...))
		case rt.roles != nil:
			chain = append(chain, requireRole(rt.roles...))
		}
		if rt.redrive && !rt.idempotent {
			return nil, fmt.Errorf("route %s %s drives a keyed create again but is not idempotent", rt.method, rt.path)
		}
		if rt.idempotent {
			if err := checkIdempotentRoute(rt, d.Idempotency); err != nil {
				return nil, err
			}
			chain = append(chain, idempotency(d.Idempotency, d.Logger, rt.method, rt.path, rt.redrive))
		}
		if rt.audit {
			if d.Audit == nil {
				return nil, fmt.Errorf("route %s %s is audited but Deps.Audit is nil", rt.method, rt.path)
			}
			chain = append(chain, audited(d.Audit, d.Logger, rt.op))
		}
		chain = append(chain, rt.handler)
		r.Handle(rt.method, rt.path, chain...)
	}
	r.GET("/metrics", metricsGuard(d.MetricsToken), gin.WrapH(promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{Registry: d.Registry})))
	r.GET(OpenAPIPath, func(c *gin.Context) { c.Data(http.StatusOK, "application/json", doc) })
	return r, nil
}

// checkIdempotentRoute refuses a route the idempotency middleware cannot serve correctly.
func checkIdempotentRoute(rt route, store IdempotencyStore) error {
	name := rt.method + " " + rt.path
	switch {
	case store == nil:
		return fmt.Errorf("route %s is idempotent but Deps.Idempotency is nil", name)
	case rt.public:
		// Keys belong to the caller; without a token there is no caller.
		return fmt.Errorf("route %s is idempotent but public", name)
	case ginParam.MatchString(rt.path) || len(rt.query) > 0:
		// A stored answer is matched by route template and body only, so two requests that
		// differ only in a path or query parameter would share it.
		return fmt.Errorf("route %s is idempotent but has path or query parameters, which the stored fingerprint does not cover", name)
	}
	return nil
}

// NewProbeHandler serves only /healthz, /readyz and /metrics, for processes without the API
// (the worker), so Kubernetes probes and Prometheus treat every process alike.
func NewProbeHandler(checks []Check, reg *prometheus.Registry, metricsToken string) http.Handler {
	sys := systemHandlers{checks: checks}
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/healthz", sys.healthz)
	r.GET("/readyz", sys.readyz)
	r.GET("/metrics", metricsGuard(metricsToken), gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})))
	return r
}

// metricsGuard asks for the bearer token when one is configured; an empty token leaves
// /metrics open (for a port that only the cluster reaches).
func metricsGuard(token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if token == "" {
			return
		}
		got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": gin.H{"code": CodeUnauthenticated, "message": "/metrics needs the metrics bearer token"}})
			return
		}
	}
}
