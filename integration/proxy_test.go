package integration_test

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// forwardProxy is an HTTP proxy on 127.0.0.1 that, as a company proxy
// would, reaches hosts the build cannot resolve itself: it sends a request
// for a host in its routes to that host's real loopback address, and
// remembers every request line it was asked.
type forwardProxy struct {
	URL    string
	routes map[string]string // host:port asked -> 127.0.0.1:port
	direct http.RoundTripper

	mu   sync.Mutex
	seen []string
}

func startProxy(t *testing.T, routes map[string]string) *forwardProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &forwardProxy{URL: "http://" + ln.Addr().String(), routes: routes, direct: &http.Transport{Proxy: nil}}
	server := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(ln) }()
	t.Cleanup(func() { _ = server.Close() })
	return p
}

// Requests lists the request lines so far: "GET http://host/path" for
// plain HTTP, "CONNECT host:443" for a tunnel.
func (p *forwardProxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string{}, p.seen...)
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.RequestURI)
	p.mu.Unlock()

	port := "80"
	if r.Method == http.MethodConnect {
		port = "443"
	}
	host := r.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, port)
	}
	target, ok := p.routes[host]
	if !ok {
		http.Error(w, "the test proxy has no route to "+host, http.StatusBadGateway)
		return
	}
	if r.Method == http.MethodConnect {
		p.tunnel(w, target)
		return
	}
	p.forward(w, r, target)
}

func (p *forwardProxy) forward(w http.ResponseWriter, r *http.Request, target string) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme = "http"
	out.URL.Host = target
	resp, err := p.direct.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for name, values := range resp.Header {
		w.Header()[name] = values
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// tunnel splices the client's connection to target, as CONNECT asks: the
// TLS inside is the client's and the server's business.
func (p *forwardProxy) tunnel(w http.ResponseWriter, target string) {
	upstream, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	client, buffered, err := http.NewResponseController(w).Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	_, _ = client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, buffered); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, upstream); done <- struct{}{} }()
	<-done
	client.Close()
	upstream.Close()
}
