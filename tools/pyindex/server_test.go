package pyindex_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

func TestServer(t *testing.T) {
	spec.Run(t, "Server", testServer, spec.Report(report.Terminal{}))
}

func testServer(t *testing.T, when spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	var (
		dir       string
		srv       *pyindex.Server
		flaskWhl  = []byte("not really a zip, the index does not care")
		flaskHash string
	)

	get := func(path string) (int, string) {
		t.Helper()
		u, err := url.JoinPath(strings.TrimSuffix(srv.URL(), "/simple/"), path)
		Expect(err).NotTo(HaveOccurred())
		resp, err := http.Get(u)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		return resp.StatusCode, string(body)
	}

	it.Before(func() {
		dir = t.TempDir()
		writeTree(t, dir, map[string]string{
			"flask-2.2.2-py3-none-any.whl":          string(flaskWhl),
			"zope_interface-5.5.2-py3-none-any.whl": "zope",
			"debs.txt":                              "python3-flask 2.2.2-3\n",
		})
		sum := sha256.Sum256(flaskWhl)
		flaskHash = hex.EncodeToString(sum[:])
		var err error
		srv, err = pyindex.Serve(dir)
		Expect(err).NotTo(HaveOccurred())
	})

	it.After(func() {
		Expect(srv.Close()).To(Succeed())
	})

	it("listens on 127.0.0.1 and gives the simple index URL", func() {
		Expect(srv.URL()).To(MatchRegexp(`^http://127\.0\.0\.1:[0-9]+/simple/$`))
		Expect(srv.Projects()).To(Equal([]string{"flask", "zope-interface"}))
	})

	it("lists the projects at /simple/", func() {
		code, body := get("/simple/")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring(`<a href="/simple/flask/">flask</a>`))
		Expect(body).To(ContainSubstring(`<a href="/simple/zope-interface/">zope-interface</a>`))
		Expect(body).NotTo(ContainSubstring("debs.txt"))
	})

	it("lists a project's files with their sha256", func() {
		code, body := get("/simple/flask/")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring(`href="/files/flask-2.2.2-py3-none-any.whl#sha256=` + flaskHash + `"`))
		Expect(body).NotTo(ContainSubstring("zope"))
	})

	it("redirects other spellings of a name to the normalized one", func() {
		code, body := get("/simple/Zope.Interface/")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring("zope_interface-5.5.2-py3-none-any.whl"))
		code, _ = get("/simple/flask")
		Expect(code).To(Equal(http.StatusOK))
	})

	it("answers 404 for unknown projects and files", func() {
		code, _ := get("/simple/django/")
		Expect(code).To(Equal(http.StatusNotFound))
		code, _ = get("/files/django-4.1-py3-none-any.whl")
		Expect(code).To(Equal(http.StatusNotFound))
		code, _ = get("/files/debs.txt")
		Expect(code).To(Equal(http.StatusNotFound))
	})

	it("serves the files from the directory", func() {
		code, body := get("/files/flask-2.2.2-py3-none-any.whl")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(Equal(string(flaskWhl)))
	})

	it("counts requests and downloads per project", func() {
		Expect(srv.Requests("flask")).To(Equal(0))
		get("/simple/")
		get("/simple/Flask/")
		get("/files/flask-2.2.2-py3-none-any.whl")
		get("/simple/django/")
		Expect(srv.Requests("flask")).To(Equal(2))
		Expect(srv.Requests("Flask")).To(Equal(2))
		Expect(srv.Downloads("flask")).To(Equal(1))
		Expect(srv.Requests("zope.interface")).To(Equal(0))
		Expect(srv.Requests("django")).To(Equal(1))
	})

	it("counts concurrent requests exactly", func() {
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.Get(srv.URL() + "zope-interface/")
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		Expect(srv.Requests("zope-interface")).To(Equal(20))
	})

	it("asks for basic authentication when given a user", func() {
		private, err := pyindex.Listen(dir, pyindex.ServeOptions{User: "alice", Password: "s3cret"})
		Expect(err).NotTo(HaveOccurred())
		defer private.Close()

		resp, err := http.Get(private.URL() + "flask/")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(resp.Header.Get("WWW-Authenticate")).To(HavePrefix("Basic"))

		for password, status := range map[string]int{"wrong": http.StatusUnauthorized, "s3cret": http.StatusOK} {
			u, err := url.Parse(private.URL() + "flask/")
			Expect(err).NotTo(HaveOccurred())
			u.User = url.UserPassword("alice", password)
			resp, err := http.Get(u.String())
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(status), password)
		}
		Expect(private.Downloads("flask")).To(Equal(0))
	})

	it("refuses addresses beyond loopback", func() {
		_, err := pyindex.Listen(dir, pyindex.ServeOptions{Addr: "0.0.0.0:0"})
		Expect(err).To(MatchError(ContainSubstring("loopback")))
		_, err = pyindex.Listen(dir, pyindex.ServeOptions{Addr: ":0"})
		Expect(err).To(HaveOccurred())
	})

	it("fails for a missing directory", func() {
		_, err := pyindex.Serve(filepath.Join(dir, "missing"))
		Expect(err).To(MatchError(os.ErrNotExist))
	})
}
