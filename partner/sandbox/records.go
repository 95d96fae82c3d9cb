package sandbox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
)

// records is a sandbox's log of what it received: in memory, and one JSON
// line per request in its file. Its methods are safe for concurrent use.
type records struct {
	path string
	mu   sync.Mutex
	f    *os.File
	list []Request
}

// openRecords loads path, if it exists, and opens it for appending.
func openRecords(path string) (*records, error) {
	r := &records{path: path}
	if err := r.load(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open records: %w", err)
	}
	r.f = f
	return r, nil
}

func (r *records) load() error {
	f, err := os.Open(r.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load records: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var q Request
		// A line cut short by a crash is skipped, not fatal.
		if json.Unmarshal(sc.Bytes(), &q) == nil {
			r.list = append(r.list, q)
		}
	}
	return sc.Err()
}

// add appends q to memory and to the file.
func (r *records) add(q Request) error {
	line, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	r.list = append(r.list, q)
	return nil
}

// all returns a copy of every record, oldest first.
func (r *records) all() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Request, len(r.list))
	for i, q := range r.list {
		q.Fields, q.Params = maps.Clone(q.Fields), maps.Clone(q.Params)
		out[i] = q
	}
	return out
}

// last returns the newest record that match accepts.
func (r *records) last(match func(*Request) bool) (Request, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.list) - 1; i >= 0; i-- {
		if match(&r.list[i]) {
			return r.list[i], true
		}
	}
	return Request{}, false
}

// removeRef drops every record under ref, from memory and from the file,
// and returns how many it dropped. The file is rewritten beside the old one
// and renamed over it, so a crash leaves one or the other, whole.
func (r *records) removeRef(ref string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := slices.DeleteFunc(slices.Clone(r.list), func(q Request) bool { return q.PartnerRef == ref })
	n := len(r.list) - len(kept)
	if n == 0 {
		return 0, nil
	}
	if err := r.rewrite(kept); err != nil {
		return 0, err
	}
	r.list = kept
	return n, nil
}

func (r *records) rewrite(list []Request) error {
	tmp := r.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("rewrite records: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, q := range list {
		if err := enc.Encode(q); err != nil {
			f.Close()
			return fmt.Errorf("rewrite records: %w", err)
		}
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return fmt.Errorf("rewrite records: %w", err)
	}
	if err := os.Rename(tmp, r.path); err != nil {
		return fmt.Errorf("rewrite records: %w", err)
	}
	nf, err := os.OpenFile(r.path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("reopen records: %w", err)
	}
	r.f.Close() // the old file, already replaced
	r.f = nf
	return nil
}

func (r *records) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Close()
}
