package fresh

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFreshLoadsOnce: callers arriving while a value loads do not load it
// again; once there is a value, an expired one is served while one caller
// reloads it; a failed load is not kept.
func TestFreshLoadsOnce(t *testing.T) {
	var f Value[int]
	var loads atomic.Int32
	release := make(chan struct{})
	load := func() (int, error) {
		loads.Add(1)
		<-release
		return int(loads.Load()), nil
	}
	var wg sync.WaitGroup
	got := make([]int, 20)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], _ = f.Get(time.Hour, load) }()
	}
	time.Sleep(20 * time.Millisecond) // let them all queue on the first load
	close(release)
	wg.Wait()
	if loads.Load() != 1 {
		t.Fatalf("20 callers of an empty value loaded it %d times", loads.Load())
	}
	for _, v := range got {
		if v != 1 {
			t.Fatalf("a caller got %d, want the loaded 1", v)
		}
	}
	// Expired: the first caller reloads; the others meanwhile get the old value.
	block := make(chan struct{})
	reloading := make(chan struct{})
	go f.Get(0, func() (int, error) { close(reloading); <-block; return 2, nil })
	<-reloading
	if v, err := f.Get(0, func() (int, error) { t.Error("a second load ran while one was in flight"); return 0, nil }); v != 1 || err != nil {
		t.Errorf("during the reload: %d %v, want the old 1", v, err)
	}
	close(block)
	var g Value[int]
	if _, err := g.Get(time.Hour, func() (int, error) { return 0, errors.New("down") }); err == nil {
		t.Fatal("a failed load answered no error")
	}
	if v, _ := g.Get(time.Hour, func() (int, error) { return 3, nil }); v != 3 {
		t.Errorf("after a failed load the next caller got %d, want a new load", v)
	}
}
