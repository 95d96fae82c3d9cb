//go:build pprof

package main

// Built with -tags pprof, the binary serves Go's profiler on
// 127.0.0.1:6060 for performance work; release builds leave it out.

import (
	"net/http"
	_ "net/http/pprof"
)

func init() {
	go http.ListenAndServe("127.0.0.1:6060", nil)
}
