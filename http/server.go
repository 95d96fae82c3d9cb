// Package http is minimall's transport: the JSON API under /api/v1, health
// and metrics, with RFC 9457 problem details for every error, and the web
// pages (pages.go), rendered from the templates in html/. Handlers
// decode and shape-check a request, call one service method, and encode the
// result; rules live in the services and the privacy kernel.
package http

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"html/template"
	"log/slog"
	"net"
	nethttp "net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minimall"
	"minimall/account"
	"minimall/addressbook"
	"minimall/cart"
	"minimall/catalog"
	"minimall/decision"
	"minimall/engage"
	"minimall/identity"
	"minimall/incident"
	"minimall/internal/fresh"
	"minimall/lifecycle"
	"minimall/oauth"
	"minimall/order"
	"minimall/partner"
	"minimall/pickup"
	"minimall/privacy"
	"minimall/privacy/policy"
	"minimall/recommend"
	"minimall/rights"
	"minimall/search"
	"minimall/security"
	"minimall/sqldb"
	"minimall/transfer"
)

// Authenticator turns a bearer token into an actor; it returns an
// Unauthorized error for a token it does not know.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (minimall.Actor, error)
}

// ConsoleSessions opens and ends console sessions: what an operator's
// browser keeps instead of the operator's token (privacy.Operators).
type ConsoleSessions interface {
	StartConsole(ctx context.Context, token string, ttl time.Duration) (string, minimall.Actor, error)
	EndConsole(ctx context.Context, session string) error
}

// Server serves the API. Fill the exported fields, then call Open.
type Server struct {
	Addr      string
	Listener  net.Listener // if set, Open serves on it instead of listening on Addr
	TLSCert   string
	TLSKey    string
	DB        *sqldb.DB
	Kernel    *privacy.Kernel
	Operators Authenticator
	// Consoles opens and ends operators' console sessions.
	Consoles    ConsoleSessions
	Accounts    *account.Service
	Security    *security.Service
	Catalog     *catalog.Service
	Search      *search.Service
	Recommend   *recommend.Service
	Carts       *cart.Service
	Orders      *order.Service
	Identity    *identity.Service
	OAuth       *oauth.Service
	Rights      *rights.Service
	Policy      *policy.Service
	Engage      *engage.Service
	Lifecycle   *lifecycle.Service
	Transfers   *transfer.Service    // cross-border transfers (五(二))
	AddressBook *addressbook.Service // saved recipients (二(三)2)
	Pickup      *pickup.Service      // pick-up points (二(八)1)
	Incidents   *incident.Service    // security incidents (五(三)3)
	Decisions   *decision.Service    // automated decisions (四(六))
	Partners    *partner.Gateway
	Authorities *partner.Authorities // requests from authorities (三(五)2)
	Clock       minimall.Clock
	// FakeClock is set only under --fake-clock; it enables the operator
	// endpoint that moves time forward.
	FakeClock *minimall.FakeClock
	Logger    *slog.Logger
	MaxBody   int64 // request body limit in bytes; default 1 MiB
	// FormOrigins are the other sites a page's form may lead to: the
	// payment institution's cashier.
	FormOrigins []string

	ln           net.Listener
	srv          *nethttp.Server
	mux          *nethttp.ServeMux
	metrics      *metrics
	routes       []string
	pageRoutes   []string
	pages        pageTemplates
	fragments    fragmentCache                 // rendered parts of pages (page_shop.go)
	headers      headers                       // every page's header, per language (pages.go)
	visitorLists [2]fresh.Value[template.HTML] // a visitor's home lists per language (page_shop.go)
	queryKey     cipher.AEAD                   // seals search queries into the pages' links
	salt         [16]byte                      // for clientKey
}

// Handler builds the routes and middleware; Open calls it.
func (s *Server) Handler() nethttp.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.MaxBody <= 0 {
		s.MaxBody = 1 << 20
	}
	if s.Clock == nil {
		s.Clock = minimall.SystemClock{}
	}
	s.mux = nethttp.NewServeMux()
	s.metrics = newMetrics(prometheus.NewRegistry())
	rand.Read(s.salt[:])
	s.registerOpsRoutes()
	if s.Accounts != nil {
		s.registerAccountRoutes()
		s.registerAccountCheckRoutes()
	}
	if s.Kernel != nil {
		s.registerConsentRoutes()
		s.registerKernelMetrics()
	}
	if s.Partners != nil {
		s.registerSharingRoutes()
	}
	if s.Security != nil && s.Accounts != nil {
		s.registerSecurityRoutes()
	}
	if s.Catalog != nil {
		s.registerCatalogRoutes()
	}
	if s.Search != nil {
		s.registerSearchRoutes()
	}
	if s.Carts != nil {
		s.registerCartRoutes()
	}
	if s.Recommend != nil && s.Catalog != nil {
		s.registerRecommendRoutes()
	}
	if s.Orders != nil {
		s.registerOrderRoutes()
	}
	if s.Identity != nil && s.Accounts != nil {
		s.registerIdentityRoutes()
	}
	if s.OAuth != nil {
		s.registerOAuthRoutes()
	}
	if s.Rights != nil {
		s.registerRightsRoutes()
	}
	if s.Policy != nil {
		s.registerPolicyRoutes()
	}
	if s.Engage != nil {
		s.registerEngageRoutes()
	}
	if s.Lifecycle != nil {
		s.registerLifecycleRoutes()
	}
	if s.Transfers != nil {
		s.registerTransferRoutes()
	}
	if s.Decisions != nil {
		s.registerDecisionRoutes()
	}
	if s.Incidents != nil {
		s.registerIncidentRoutes()
	}
	if s.Kernel != nil && s.Orders != nil {
		s.registerLegalHoldRoutes()
	}
	if s.Authorities != nil {
		s.registerAuthorityRoutes()
	}
	s.handle("GET /metrics", s.metrics.handler())
	s.registerPages()
	s.mux.HandleFunc("/", s.handleNotFound)
	// The access log sits outside panic recovery, so a panic is logged
	// as the 500 it was answered with.
	return s.withRequestID(s.observe(s.recoverPanic(s.limitBody(s.authenticate(s.mux)))))
}

// handle registers a route and remembers its pattern for the OpenAPI check.
func (s *Server) handle(pattern string, h nethttp.Handler) {
	s.routes = append(s.routes, pattern)
	s.mux.Handle(pattern, observed(pattern, privateAnswers(pattern, h)))
}

func (s *Server) handleFunc(pattern string, h nethttp.HandlerFunc) { s.handle(pattern, h) }

// Routes lists the registered route patterns.
func (s *Server) Routes() []string { return s.routes }

// Open starts listening (HTTPS when a certificate is given) and serves in
// the background.
func (s *Server) Open() error {
	h := s.Handler()
	ln := s.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.Addr); err != nil {
			return err
		}
	}
	s.srv = &nethttp.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	if s.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			ln.Close()
			return err
		}
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, s.srv.TLSConfig)
	}
	s.ln = ln
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
			s.Logger.Error("serve", "err", err)
		}
	}()
	return nil
}

// URL returns the base URL the server listens on (once it listens: after
// Open, or from the start when given a Listener).
func (s *Server) URL() string {
	scheme := "http"
	if s.TLSCert != "" {
		scheme = "https"
	}
	ln := s.ln
	if ln == nil {
		ln = s.Listener
	}
	return scheme + "://" + ln.Addr().String()
}

// TLS reports whether the server speaks HTTPS.
func (s *Server) TLS() bool { return s.TLSCert != "" }

// Close stops accepting requests and waits up to 10 s for those in flight.
func (s *Server) Close() error {
	if s.srv == nil {
		if s.Listener != nil {
			s.Listener.Close() // given, never served
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
