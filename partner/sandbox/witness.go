package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"minimall/privacy"
)

// Witness is the audit log's witness: a party outside the platform that
// keeps every signed chain head it is sent, append-only, so whoever holds
// minimall's keys folder cannot rewrite what it witnessed (privacy
// anchor.go). It is not a partner: heads hold no personal information.
// It serves:
//
//	POST /heads  a privacy.SignedHead as JSON → 201 kept, 200 already kept;
//	             401 if its signature does not verify, 409 if it is signed by
//	             another key than the first head it ever kept (pinned)
//	GET  /heads  every head kept, oldest first
//
// Heads are kept in memory and in <dir>/witness/heads.jsonl, read back at
// start: a restart forgets nothing.
type Witness struct {
	mu    sync.Mutex
	heads []privacy.SignedHead
	seen  map[string]bool // chain, seq and mac of heads kept
	file  *os.File
	url   string
	srv   *http.Server
}

// StartWitness starts the witness on addr (e.g. 127.0.0.1:0), keeping its
// heads under dir/witness/.
func StartWitness(dir, addr string) (*Witness, error) {
	path := filepath.Join(dir, "witness", "heads.jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	w := &Witness{seen: map[string]bool{}}
	if err := w.load(path); err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	w.file = f
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("witness: %w", err)
	}
	w.url = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /heads", w.handleKeep)
	mux.HandleFunc("GET /heads", w.handleList)
	w.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go w.srv.Serve(ln)
	return w, nil
}

// load reads the heads kept before a restart.
func (w *Witness) load(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, maxBody)
	for sc.Scan() {
		var h privacy.SignedHead
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		w.heads = append(w.heads, h)
		w.seen[headKey(&h)] = true
	}
	return sc.Err()
}

func headKey(h *privacy.SignedHead) string {
	return fmt.Sprintf("%s\x00%d\x00%x", h.Chain, h.Seq, h.MAC)
}

// URL is where it listens.
func (w *Witness) URL() string { return w.url }

// Heads returns every head kept, oldest first.
func (w *Witness) Heads() []privacy.SignedHead {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]privacy.SignedHead(nil), w.heads...)
}

func (w *Witness) handleKeep(rw http.ResponseWriter, r *http.Request) {
	var h privacy.SignedHead
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&h); err != nil {
		http.Error(rw, "not a signed head", http.StatusBadRequest)
		return
	}
	if !h.Valid() {
		http.Error(rw, "the signature does not verify", http.StatusUnauthorized)
		return
	}
	status, err := w.keep(&h)
	if err != nil {
		http.Error(rw, err.Error(), status)
		return
	}
	rw.WriteHeader(status)
}

// keep appends h unless it is kept already; it refuses a key other than
// the first one it kept: a new key is how a rewriter would start over.
func (w *Witness) keep(h *privacy.SignedHead) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.heads) > 0 && !bytes.Equal(w.heads[0].Key, h.Key) {
		return http.StatusConflict, errors.New("signed by another key than the one this witness keeps heads for")
	}
	if w.seen[headKey(h)] {
		return http.StatusOK, nil
	}
	line, err := json.Marshal(h)
	if err != nil {
		return http.StatusInternalServerError, err
	}
	if _, err := w.file.Write(append(line, '\n')); err != nil {
		return http.StatusInternalServerError, errors.New("could not keep the head")
	}
	w.heads = append(w.heads, *h)
	w.seen[headKey(h)] = true
	return http.StatusCreated, nil
}

func (w *Witness) handleList(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "application/json")
	heads := w.Heads()
	if heads == nil {
		heads = []privacy.SignedHead{}
	}
	json.NewEncoder(rw).Encode(heads)
}

// Close stops it.
func (w *Witness) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := w.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = w.srv.Close()
	}
	return errors.Join(err, w.file.Close())
}
