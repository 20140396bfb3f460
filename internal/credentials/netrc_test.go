package credentials_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
)

func testNetrc(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	it("finds a machine's login, falling back to default", func() {
		path := filepath.Join(t.TempDir(), "netrc")
		Expect(os.WriteFile(path, []byte("machine a.corp login me password s3cret\n"+
			"machine b.corp\n  login you\n  account x\n  password t0ken\n"+
			"default login anon password guest\n"), 0600)).To(Succeed())

		login, password, ok := credentials.NetrcLogin(path, "b.corp")
		Expect([]interface{}{login, password, ok}).To(Equal([]interface{}{"you", "t0ken", true}))
		login, password, ok = credentials.NetrcLogin(path, "a.corp")
		Expect([]interface{}{login, password, ok}).To(Equal([]interface{}{"me", "s3cret", true}))
		login, password, ok = credentials.NetrcLogin(path, "c.corp")
		Expect([]interface{}{login, password, ok}).To(Equal([]interface{}{"anon", "guest", true}))
	})

	it("finds nothing for an unknown host without default, or without the file", func() {
		path := filepath.Join(t.TempDir(), "netrc")
		Expect(os.WriteFile(path, []byte("machine a.corp login me password s3cret\n"), 0600)).To(Succeed())
		_, _, ok := credentials.NetrcLogin(path, "b.corp")
		Expect(ok).To(BeFalse())
		_, _, ok = credentials.NetrcLogin(filepath.Join(t.TempDir(), "none"), "a.corp")
		Expect(ok).To(BeFalse())
	})
}
