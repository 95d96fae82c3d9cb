package http

import (
	"context"
	nethttp "net/http"

	"minimall"
	"minimall/recommend"
)

// observeBehaviour tells the recommendation area what a person did (a search, a cart
// add, an order), so recommendations follow behaviour in real time
// (二(二)4). It runs after the answer is decided and never fails the
// request: the recommendation area keeps only what the person's consent
// allows, and aggregates for the hot list with no one's identity.
func (s *Server) observeBehaviour(r *nethttp.Request, signals ...recommend.Signal) {
	s.observeIf(r, nil, signals...)
}

// observeSearch is observeBehaviour for a search: a person who switched
// search personalisation off (去个性化排序) has their searches kept out of
// recommendations too.
func (s *Server) observeSearch(r *nethttp.Request, sig recommend.Signal) {
	s.observeIf(r, func(ctx context.Context, a minimall.Actor) bool {
		set, err := s.Search.Settings(ctx, a)
		return err == nil && !set.NonPersonalised
	}, sig)
}

// observeIf sends the signals after the answer, if ok (nil: always) agrees.
func (s *Server) observeIf(r *nethttp.Request, ok func(context.Context, minimall.Actor) bool, signals ...recommend.Signal) {
	if s.Recommend == nil || len(signals) == 0 {
		return
	}
	a := minimall.ActorFromContext(r.Context())
	if a.Kind != minimall.Shopper {
		return
	}
	// The request's context ends with the answer; the signals outlive it.
	ctx := context.WithoutCancel(r.Context())
	go func() {
		if ok != nil && !ok(ctx, a) {
			return
		}
		for _, sig := range signals {
			if err := s.Recommend.Observe(ctx, a, sig); err != nil {
				s.Logger.Debug("behaviour not observed", "request_id", requestIDFrom(ctx), "code", minimall.ErrorCode(err).String())
			}
		}
	}()
}
