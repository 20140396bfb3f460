// Package registry serves an OCI registry on 127.0.0.1 for builders with
// image extensions, which stock pack runs only with `--pull-policy always`
// and untrusted, so the builder, its run images and a lifecycle image are
// pulled, when no other registry is reachable. It is go-containerregistry's pkg/registry with its
// blobs on disk and its manifests journaled next to them, so a restart serves
// everything that was pushed before.
package registry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
)

// Options tune Listen.
type Options struct {
	// Dir holds the blobs (Dir/blobs) and the manifest journal
	// (Dir/manifests.jsonl); created when missing.
	Dir string
	// Addr is 127.0.0.1:PORT; port 0, or an empty Addr, takes a free port.
	Addr string
	// Log, when set, gets one line per request.
	Log io.Writer
}

// Server is a running registry.
type Server struct {
	addr    string
	srv     *http.Server
	done    chan struct{}
	handler http.Handler

	mu      sync.Mutex
	journal *os.File
}

// journalEntry is one line of manifests.jsonl: a manifest that was put, or a
// reference that was deleted.
type journalEntry struct {
	Repo        string `json:"repo"`
	Reference   string `json:"reference"`
	ContentType string `json:"contentType,omitempty"`
	Manifest    []byte `json:"manifest,omitempty"`
	Deleted     bool   `json:"deleted,omitempty"`
}

// Listen replays the journal of opts.Dir and serves the registry on
// opts.Addr. Only 127.0.0.1 is accepted: the registry has no
// authentication and must never be reachable from another machine.
func Listen(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, err
	}
	if host != "127.0.0.1" {
		return nil, fmt.Errorf("registry: refusing to listen on %q: only 127.0.0.1 is allowed", opts.Addr)
	}
	if opts.Dir == "" {
		return nil, errors.New("registry: Options.Dir is required")
	}
	blobs := filepath.Join(opts.Dir, "blobs")
	if err := os.MkdirAll(blobs, 0755); err != nil {
		return nil, err
	}
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	s := &Server{
		done: make(chan struct{}),
		handler: ggcr.New(
			ggcr.WithBlobHandler(ggcr.NewDiskBlobHandler(blobs)),
			ggcr.Logger(log.New(logw, "registry: ", log.LstdFlags)),
		),
	}
	journal := filepath.Join(opts.Dir, "manifests.jsonl")
	if err := s.replay(journal); err != nil {
		return nil, err
	}
	if s.journal, err = os.OpenFile(journal, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		s.journal.Close()
		return nil, err
	}
	s.addr = ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 30 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the registry's host:port, the prefix of its image names.
func (s *Server) Addr() string { return s.addr }

// Close stops serving and closes the journal.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(err, s.journal.Close())
}

// serve hands every request to the registry and journals the manifest
// writes it accepted; blobs are already on disk.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	repo, ref, ok := manifestPath(r.URL.Path)
	if !ok || (r.Method != http.MethodPut && r.Method != http.MethodDelete) {
		s.handler.ServeHTTP(w, r)
		return
	}
	var body []byte
	if r.Method == http.MethodPut {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	// The journal line is written before the client hears of success, so
	// a manifest the client saw accepted survives a restart.
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, r)
	entry := journalEntry{Repo: repo, Reference: ref}
	switch {
	case r.Method == http.MethodPut && rec.Code == http.StatusCreated:
		entry.ContentType, entry.Manifest = r.Header.Get("Content-Type"), body
	case r.Method == http.MethodDelete && rec.Code == http.StatusAccepted:
		entry.Deleted = true
	default:
		copyResponse(w, rec)
		return
	}
	if err := s.append(entry); err != nil {
		http.Error(w, "registry: journal the manifest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	copyResponse(w, rec)
}

func (s *Server) append(entry journalEntry) error {
	line, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err = s.journal.Write(append(line, '\n'))
	return err
}

// replay puts the journaled manifests back, in the order they were pushed:
// an index is accepted only after the manifests it lists.
func (s *Server) replay(path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for n := 1; scanner.Scan(); n++ {
		var e journalEntry
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			// A line cut short by a crash is the only one that can be bad.
			return fmt.Errorf("registry: %s line %d: %w (remove the file to start empty)", path, n, err)
		}
		url := "/v2/" + e.Repo + "/manifests/" + e.Reference
		var req *http.Request
		if e.Deleted {
			req = httptest.NewRequest(http.MethodDelete, url, nil)
		} else {
			req = httptest.NewRequest(http.MethodPut, url, bytes.NewReader(e.Manifest))
			req.Header.Set("Content-Type", e.ContentType)
		}
		s.handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	return scanner.Err()
}

// manifestPath splits /v2/<repo>/manifests/<reference>.
func manifestPath(path string) (repo, ref string, ok bool) {
	rest, found := strings.CutPrefix(path, "/v2/")
	if !found {
		return "", "", false
	}
	i := strings.LastIndex(rest, "/manifests/")
	if i <= 0 {
		return "", "", false
	}
	repo, ref = rest[:i], rest[i+len("/manifests/"):]
	return repo, ref, ref != "" && !strings.Contains(ref, "/")
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
