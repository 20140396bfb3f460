// Command forward lets the pods of `make kpack-e2e` reach servers of this
// machine that listen on loopback only (the registry, the pip index) and
// the Go module proxy this machine uses, by listening on the address the
// host has on the pods' bridge:
//
//	forward 10.213.0.1:5123=127.0.0.1:5123 10.213.0.1:5124=https://PROXY
//
// LISTEN=HOST:PORT passes TCP through; LISTEN=URL serves plain HTTP and
// proxies every request to URL with this machine's TLS trust, so the pods
// need no CA of their own to reach it. It runs until SIGTERM or SIGINT.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: forward LISTEN=TARGET...")
		os.Exit(2)
	}
	for _, pair := range os.Args[1:] {
		listen, target, ok := strings.Cut(pair, "=")
		if !ok {
			log.Fatalf("forward: %q is not LISTEN=TARGET", pair)
		}
		l, err := net.Listen("tcp", listen)
		if err != nil {
			log.Fatalf("forward: %v", err)
		}
		if strings.Contains(target, "://") {
			u, err := url.Parse(target)
			if err != nil {
				log.Fatalf("forward: %v", err)
			}
			proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(u)
			}}
			go func() { log.Fatal(http.Serve(l, proxy)) }()
		} else {
			go accept(l, target)
		}
		log.Printf("forward: %s -> %s", listen, target)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
}

func accept(l net.Listener, target string) {
	for {
		in, err := l.Accept()
		if err != nil {
			log.Fatalf("forward: %v", err)
		}
		go func() {
			defer in.Close()
			out, err := net.Dial("tcp", target)
			if err != nil {
				log.Printf("forward: %v", err)
				return
			}
			defer out.Close()
			done := make(chan struct{}, 2)
			go func() { io.Copy(out, in); out.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
			go func() { io.Copy(in, out); in.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
			<-done
			<-done
		}()
	}
}
