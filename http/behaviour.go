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
		for _, sig := range signals {
			if err := s.Recommend.Observe(ctx, a, sig); err != nil {
				s.Logger.Debug("behaviour not observed", "request_id", requestIDFrom(ctx), "code", minimall.ErrorCode(err).String())
			}
		}
	}()
}
