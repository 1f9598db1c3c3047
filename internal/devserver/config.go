package devserver

import (
	"net"
	"strconv"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
)

const (
	// clusterName names the single local cluster; namespaces created by the
	// schema helper must name it as their active cluster.
	clusterName = "active"
	storeName   = "sqlite"

	// sqliteConns is the connection pool size: one, as the plugin's default. SQLite
	// writes one transaction at a time whatever the pool; with several connections,
	// each write of one made every other throw its page cache away at its next
	// transaction (WAL mode), and the process spent a tenth of its CPU freeing and
	// mapping those pages again. One connection keeps its cache warm: under the
	// 8-client create-and-approve load, about a quarter less CPU per operation and
	// more operations per second (docs/performance.md).
	sqliteConns = 1
	// sqliteBusyTimeoutMillis lets a connection wait for the single writer
	// instead of failing at once with "database is locked".
	sqliteBusyTimeoutMillis = 10000
)

// servicePorts are the gRPC ports of the four server roles, plus the
// frontend's HTTP API port.
type servicePorts struct {
	frontend, frontendHTTP, history, matching, worker int
}

// sqlConfig describes the SQLite file store. Every connect attribute that is
// not an SQLite URI parameter is sent as a PRAGMA on each new connection; the
// plugin only honours MaxConns > 1 safely when journal_mode is "wal".
func sqlConfig(dbPath string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath + immediateTxSuffix,
		ConnectAttributes: map[string]string{
			swallowedAttr:  "0",
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": strconv.Itoa(sqliteBusyTimeoutMillis),
		},
		MaxConns:     sqliteConns,
		MaxIdleConns: sqliteConns,
	}
}

// immediateTxSuffix makes the driver start every transaction with BEGIN
// IMMEDIATE. The server's transactions read before they write; with the
// default deferred BEGIN and several connections, the upgrade to a write lock
// fails at once with SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT (the busy timeout
// does not cover upgrades), and the server logs and retries hundreds of them
// per thousand workflows.
//
// The plugin turns unknown connect attributes into PRAGMAs, so the driver's
// _txlock parameter cannot go there. But it builds the DSN as "file:" +
// DatabaseName + "?" + its sorted parameters without escaping the name, and
// the driver reads parameters from the first "?". The value of the last
// parameter here therefore swallows the plugin's first parameter, which is
// always the pragma of the first attribute in sorted order: swallowedAttr.
// SQLite ignores that unknown pragma, should the trick ever stop working.
const immediateTxSuffix = "?_txlock=immediate&_plugin_params="

// swallowedAttr sorts before every other connect attribute; see immediateTxSuffix.
const swallowedAttr = "_swallowed_by_txlock"

// serverConfig builds the static configuration of a single-process cluster.
// It is rebuilt on every start because the server mutates it while loading
// cluster metadata.
func serverConfig(o Options, ports servicePorts, sql *config.SQL) *config.Config {
	frontend := net.JoinHostPort(dialHost(o.Host), strconv.Itoa(ports.frontend))
	frontendHTTP := net.JoinHostPort(dialHost(o.Host), strconv.Itoa(ports.frontendHTTP))
	service := func(bindIP string, port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: bindIP}}
	}
	frontendService := service(o.Host, ports.frontend)
	// The HTTP API serves Nexus callbacks; without it the server warns on every start.
	frontendService.RPC.HTTPPort = ports.frontendHTTP
	return &config.Config{
		// Global.Metrics stays nil: no Prometheus listener next to the app's /metrics.
		Persistence: config.Persistence{
			DefaultStore:     storeName,
			VisibilityStore:  storeName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{storeName: {SQL: sql}},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {
					Enabled:                true,
					InitialFailoverVersion: 1,
					RPCAddress:             frontend,
					HTTPAddress:            frontendHTTP,
				},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			string(primitives.FrontendService): frontendService,
			// Internal roles only talk to each other, so they stay on loopback.
			string(primitives.HistoryService):  service(loopback, ports.history),
			string(primitives.MatchingService): service(loopback, ports.matching),
			string(primitives.WorkerService):   service(loopback, ports.worker),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		PublicClient: config.PublicClient{HostPort: frontend, HTTPHostPort: frontendHTTP},
	}
}

// staticHosts pins each role to its one address. Without it the server uses
// ringpop, which seeds itself from the cluster_membership table: on a restart
// within its 20 s heartbeat window the previous run's members (on other
// ports) still look alive, so requests are routed to dead hosts or fail with
// "not enough hosts to serve the request" until the ring converges.
func staticHosts(o Options, ports servicePorts) map[primitives.ServiceName]static.Hosts {
	host := func(h string, port int) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(h, strconv.Itoa(port)))
	}
	return map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: host(dialHost(o.Host), ports.frontend),
		primitives.HistoryService:  host(loopback, ports.history),
		primitives.MatchingService: host(loopback, ports.matching),
		primitives.WorkerService:   host(loopback, ports.worker),
	}
}

// dynamicConfig holds the dev-mode overrides, each checked against the
// settings declared by the pinned server version.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Search attributes registered at start must be usable by the very
		// next request; this also makes the namespace alias mapper read through.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		// Reading through that cache costs persistence calls: raise the
		// limits as the CLI dev server does, keeping the default ratio.
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  45000,
		// Human steps answer through workflow Updates. Both are on by default
		// in this version; pinning them keeps the product working if not.
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		// The UI polls visibility; the default of 10 RPS throttles it.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// A dev process does not need a 128k-entry mutable-state cache. 2 048 entries hold the
		// cases being worked on; one evicted is read back from SQLite at its next event. With
		// 8 192, 3 000 new requests left the process at 540 MB instead of 465 MB (bench seed).
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 2048,
		// One process serves every task queue: new tasks go to one partition, where every poll
		// ends up, instead of four between which they were forwarded. All four are still read,
		// so tasks a data folder holds from before this setting are not stranded (read
		// partitions may only shrink once the others are empty).
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  4,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
}

// serverOptions assembles everything temporal.NewServer needs.
func serverOptions(o Options, ports servicePorts, sql *config.SQL, logger serverLogger) []temporal.ServerOption {
	return []temporal.ServerOption{
		temporal.WithConfig(serverConfig(o, ports, sql)),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(o, ports)),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicConfig()),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return authorization.NewNoopClaimMapper()
		}),
	}
}
