package pyindex

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// ServeOptions tune Listen.
type ServeOptions struct {
	// Addr must be a loopback host:port; "127.0.0.1:0" (a free port) when
	// empty. Test servers never listen beyond this machine.
	Addr string
	// Log, when set, gets one line per request.
	Log io.Writer
	// TLS, when set, makes the index serve HTTPS with this configuration
	// (its certificate), so tests can check how builds handle private CAs.
	TLS *tls.Config
	// User and Password, when User is set, make every request need HTTP
	// basic authentication with them, as a private index does, so tests
	// can check where an index password travels.
	User, Password string
}

// Server is a running PEP 503 index over the wheels of one directory.
type Server struct {
	dir      string
	base     string
	srv      *http.Server
	done     chan struct{}
	projects map[string][]indexFile // by normalized project name
	files    map[string]indexFile   // by file name
	log      io.Writer
	logMu    sync.Mutex

	mu        sync.Mutex
	requests  map[string]int
	downloads map[string]int
}

type indexFile struct {
	project, name, sha256 string
}

// Serve serves the wheels in dir on a free port of 127.0.0.1.
func Serve(dir string) (*Server, error) {
	return Listen(dir, ServeOptions{})
}

// Listen serves the wheels in dir as opts say. The directory is read once:
// a build directory never changes after its rename into the cache.
func Listen(dir string, opts ServeOptions) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("pyindex: refusing to listen on %q: only loopback IP addresses are allowed", opts.Addr)
	}
	s := &Server{
		dir:       dir,
		done:      make(chan struct{}),
		projects:  map[string][]indexFile{},
		files:     map[string]indexFile{},
		log:       opts.Log,
		requests:  map[string]int{},
		downloads: map[string]int{},
	}
	if err := s.scan(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	s.base = "http://" + ln.Addr().String()
	if opts.TLS != nil {
		ln = tls.NewListener(ln, opts.TLS)
		s.base = "https://" + ln.Addr().String()
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /simple/{$}", s.handleRoot)
	mux.HandleFunc("GET /simple/{project}/{$}", s.handleProject)
	mux.HandleFunc("GET /simple/{project}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/simple/"+r.PathValue("project")+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /simple", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/simple/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /files/{file}", s.handleFile)
	handler := http.Handler(mux)
	if opts.User != "" {
		handler = basicAuth(opts.User, opts.Password, mux)
	}
	s.srv = &http.Server{Handler: s.logged(handler), ReadHeaderTimeout: 10 * time.Second}
	if opts.TLS != nil {
		// Clients that refuse the certificate are what a TLS index is for;
		// their handshake errors belong with the request log, if any.
		errorLog := io.Discard
		if opts.Log != nil {
			errorLog = opts.Log
		}
		s.srv.ErrorLog = log.New(errorLog, "pyindex: ", 0)
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

func (s *Server) scan() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		project := projectOfWheel(e.Name())
		if project == "" || !e.Type().IsRegular() {
			continue
		}
		f, err := os.Open(filepath.Join(s.dir, e.Name()))
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		file := indexFile{project: project, name: e.Name(), sha256: hex.EncodeToString(h.Sum(nil))}
		s.projects[project] = append(s.projects[project], file)
		s.files[file.name] = file
	}
	return nil
}

// URL is the index's base URL, e.g. http://127.0.0.1:40123/simple/ (https
// with ServeOptions.TLS), as pip wants it for --index-url / PIP_INDEX_URL.
func (s *Server) URL() string { return s.base + "/simple/" }

// Dir is the directory whose wheels are served.
func (s *Server) Dir() string { return s.dir }

// Projects lists the normalized names of the projects served.
func (s *Server) Projects() []string {
	var out []string
	for p := range s.projects {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Requests counts the requests about a project so far: its index page and
// its files. A test asserts with it whether pip went to the index at all.
func (s *Server) Requests(project string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[NormalizeName(project)]
}

// Downloads counts only the file downloads of a project: pip may revisit
// the page and still reuse a wheel from its cache.
func (s *Server) Downloads(project string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads[NormalizeName(project)]
}

// Close stops the server and waits until it no longer serves. Downloads in
// flight get a moment to finish; connections a client dialled but never used
// would hold a graceful shutdown for seconds, so they are then cut.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.done
	return err
}

func (s *Server) count(project string, download bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[project]++
	if download {
		s.downloads[project]++
	}
}

const pageHead = "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\"><title>%s</title></head><body>\n"

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, pageHead, "Simple index")
	for _, p := range s.Projects() {
		fmt.Fprintf(w, "<a href=\"/simple/%s/\">%s</a><br>\n", html.EscapeString(p), html.EscapeString(p))
	}
	fmt.Fprint(w, "</body></html>\n")
}

func (s *Server) handleProject(w http.ResponseWriter, r *http.Request) {
	asked := r.PathValue("project")
	project := NormalizeName(asked)
	// PEP 503: other spellings redirect to the normalized URL.
	if asked != project {
		http.Redirect(w, r, "/simple/"+project+"/", http.StatusMovedPermanently)
		return
	}
	s.count(project, false)
	files, ok := s.projects[project]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, pageHead, "Links for "+html.EscapeString(project))
	fmt.Fprintf(w, "<h1>Links for %s</h1>\n", html.EscapeString(project))
	for _, f := range files {
		fmt.Fprintf(w, "<a href=\"/files/%s#sha256=%s\">%s</a><br>\n",
			html.EscapeString(f.name), f.sha256, html.EscapeString(f.name))
	}
	fmt.Fprint(w, "</body></html>\n")
}

func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	f, ok := s.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.count(f.project, true)
	fh, err := os.Open(filepath.Join(s.dir, f.name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	// Wheel files never change, and pip only keeps downloads in its cache
	// when the server says they are fresh, as PyPI does.
	w.Header().Set("Cache-Control", "max-age=31536000, immutable, public")
	http.ServeContent(w, r, f.name, fi.ModTime(), fh)
}

// basicAuth answers 401, with the challenge pip expects, to a request
// without the user and password.
func basicAuth(user, password string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="pyindex"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) logged(h http.Handler) http.Handler {
	if s.log == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		s.logMu.Lock()
		defer s.logMu.Unlock()
		fmt.Fprintf(s.log, "pyindex: %s %s %d\n", r.Method, strings.ReplaceAll(r.URL.RequestURI(), "\n", ""), rec.status)
	})
}
