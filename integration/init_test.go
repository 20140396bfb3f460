// Package integration builds real images with pack on the real builder,
// runs them as containers and probes them over HTTP on 127.0.0.1.
package integration_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

var (
	// pack is the pack binary built by tools/pack.sh, passed in by make.
	pack string
	// index is the local Python package index every Python build uses.
	index *pyindex.Server
	// root is the repository.
	root string
)

// TestIntegration needs Docker, pack and the builder: `make integration`
// provides all three. Anything missing fails the suite; nothing is skipped.
func TestIntegration(t *testing.T) {
	Expect := NewWithT(t).Expect

	pack = os.Getenv("PACK")
	if pack == "" {
		t.Fatal("PACK is not set: run the suite with `make integration`, which builds pack and the builder")
	}
	if out, err := exec.Command("docker", "info").CombinedOutput(); err != nil {
		t.Fatalf("Docker does not answer (run `make docker`): %v\n%s", err, out)
	}
	f, err := builderFlavour(builder)
	if err != nil {
		t.Fatal(err)
	}
	useFlavour(f)

	root, err = filepath.Abs("..")
	Expect(err).NotTo(HaveOccurred())
	wheels, err := pyindex.Build(context.Background(), pyindex.Options{
		CacheDir: filepath.Join(root, ".cache", "pyindex"),
		Image:    buildImage,
		Packages: append(append(append([]string{}, pyindex.DefaultPackages...), pyindex.WebPackages...), pyindex.NativePackages...),
		Stdout:   os.Stderr,
		Stderr:   os.Stderr,
	})
	Expect(err).NotTo(HaveOccurred())
	index, err = pyindex.Serve(wheels)
	Expect(err).NotTo(HaveOccurred())
	defer index.Close()

	suite := spec.New("integration", spec.Report(report.Terminal{}), spec.Sequential())
	suite("Stacks", testStacks)
	suite("Python", testPython)
	suite("PythonIncremental", testPythonIncremental)
	suite("PythonWeb", testPythonWeb)
	suite("PythonComplete", testPythonComplete)
	suite("PythonVersions", testPythonVersions)
	suite("SecretsPython", testSecretsPython)
	suite("Locks", testLocks)
	suite("Reproducible", testReproducible)
	suite("Hooks", testHooks)
	suite("Go", testGo)
	suite("Certificates", testCertificates)
	suite("VCS", testVCS)
	suite("RunImage", testRunImage)
	suite("Publish", testPublish)
	suite("Offline", testOffline)
	suite("Secrets", testSecrets)
	suite("Flavours", testFlavours)
	suite("Rebase", testRebase)
	suite("Native", testNative)
	suite("Docs", testDocs)
	suite("Monorepo", testMonorepo)
	suite("Bench", testBench)
	suite.Run(t)
}
