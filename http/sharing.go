package http

import (
	nethttp "net/http"

	"github.com/prometheus/client_golang/prometheus"

	"minimall"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

func (s *Server) registerSharingRoutes() {
	s.handleFunc("GET /api/v1/account/disclosures", s.handleDisclosureList)
}

// handleDisclosureList handles "GET /api/v1/account/disclosures": the
// person's own sharing list — which partner received which fields, when
// and why (policy 三(一), PIPL art. 23). Field names only, never values.
func (s *Server) handleDisclosureList(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	if err := minimall.SignedIn(a, "http.disclosures"); err != nil {
		s.problem(w, r, err)
		return
	}
	list, err := s.Partners.Disclosures(r.Context(), a.Subject)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if list == nil {
		list = []partner.Record{}
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"disclosures": list})
}

// registerKernelMetrics exposes what the kernel did: durable audit
// entries, the guard's decisions and partner disclosures. The counts are
// kept by the audit writer and the gateway, off the request path.
func (s *Server) registerKernelMetrics() {
	audit := func(pick func(durable, allowed, denied int64) int64) func() float64 {
		return func() float64 { return float64(pick(s.Kernel.AuditStats())) }
	}
	s.metrics.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_audit_durable_total", Help: "Audit entries made durable since start."},
			audit(func(d, _, _ int64) int64 { return d })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_guard_decisions_total", Help: "Guard decisions made durable in the audit log since start.", ConstLabels: prometheus.Labels{"decision": "allow"}},
			audit(func(_, a, _ int64) int64 { return a })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_guard_decisions_total", Help: "Guard decisions made durable in the audit log since start.", ConstLabels: prometheus.Labels{"decision": "deny"}},
			audit(func(_, _, d int64) int64 { return d })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_guard_tampered_total", Help: "Opens refused since start because the sealed value failed authentication (altered, moved, or an older value written back)."},
			func() float64 { return float64(s.Kernel.TamperedOpens()) }),
	)
	s.registerAuditCheckMetrics()
	if s.DB != nil {
		group := func(pick func(commits, writes int64) int64) func() float64 {
			return func() float64 { return float64(pick(s.DB.GroupStats())) }
		}
		s.metrics.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_store_group_commits_total", Help: "Group commits of the embedded store's single writer since start (zero on PostgreSQL)."},
				group(func(c, _ int64) int64 { return c })),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_store_group_writes_total", Help: "Writes carried by those group commits; over the commits, the writes each commit serves."},
				group(func(_, w int64) int64 { return w })),
		)
		s.registerStorageMetrics()
	}
	if s.Partners != nil {
		s.metrics.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_partner_disclosures_total", Help: "Disclosures to partners logged since start."},
			func() float64 { return float64(s.Partners.Disclosed()) }))
	}
}

// registerAuditCheckMetrics exposes the background verification of the
// audit log, for an alert on a break (failures rising, problems above
// zero) or on a check that stopped succeeding (the timestamp growing old).
func (s *Server) registerAuditCheckMetrics() {
	check := func(pick func(c privacy.AuditCheck) float64) func() float64 {
		return func() float64 { return pick(s.Kernel.AuditCheck()) }
	}
	s.metrics.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "minimall_audit_verify_last_success_timestamp_seconds",
			Help: "When the last background verification that found the audit log and its index intact ended (Unix seconds; 0 if none yet)."},
			check(func(c privacy.AuditCheck) float64 {
				if c.LastSuccess.IsZero() {
					return 0
				}
				return float64(c.LastSuccess.UnixNano()) / 1e9
			})),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_audit_verify_failures_total",
			Help: "Background verifications of the audit log that found tampering or could not finish, since start."},
			check(func(c privacy.AuditCheck) float64 { return float64(c.Failures) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "minimall_audit_verify_problems",
			Help: "Problems the last finished background verification of the audit log found."},
			check(func(c privacy.AuditCheck) float64 { return float64(c.Problems) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "minimall_audit_verify_duration_seconds",
			Help: "How long the last finished background verification of the audit log took, pauses included."},
			check(func(c privacy.AuditCheck) float64 { return c.Took.Seconds() })),
	)
}

// registerStorageMetrics exposes the store's health for an alert: the
// store refusing writes (disk full, read-only) right now, the writes it
// refused and the writes behind it dropped.
func (s *Server) registerStorageMetrics() {
	health := func(pick func(h sqldb.StorageHealth) float64) func() float64 {
		return func() float64 { return pick(s.DB.StorageHealth()) }
	}
	s.metrics.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "minimall_store_refusing_writes",
			Help: "1 while the data store refuses writes (disk full, read-only, failing disk): its last write was refused and none went through since."},
			health(func(h sqldb.StorageHealth) float64 {
				if h.Failing {
					return 1
				}
				return 0
			})),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_store_writes_refused_total",
			Help: "Writes the data store refused for a storage fault (answered 503 storage_unavailable) since start."},
			health(func(h sqldb.StorageHealth) float64 { return float64(h.Refused) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minimall_store_writes_behind_lost_total",
			Help: "Writes nobody waited for (footprints, searches kept) that failed and were dropped since start."},
			health(func(h sqldb.StorageHealth) float64 { return float64(h.BehindLost) })),
	)
}
