package loadgen

import (
	"context"
	"net/http"
)

// Baseline is the cheapest JSON endpoint of the same server: the yardstick
// every other flow is compared with in one run.
func Baseline() Flow {
	return Flow{Name: "baseline", Do: func(ctx context.Context, c *Client, _ any) error {
		return c.Call(ctx, "GET", "/api/v1/ping", "", nil, nil, http.StatusOK)
	}}
}

// flows are the flows loadgen knows, in the order they run by default.
var flows = []func() Flow{Baseline, List, Item, Search, Cart, Checkout, PageHome, PageSearch, PageItem}

// FlowNames lists the known flows in their default order.
func FlowNames() []string {
	var out []string
	for _, f := range flows {
		out = append(out, f().Name)
	}
	return out
}

// FlowNamed returns the flow called name; FlowNames lists them.
func FlowNamed(name string) Flow {
	for _, f := range flows {
		if fl := f(); fl.Name == name {
			return fl
		}
	}
	return Flow{}
}
