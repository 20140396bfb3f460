package detect_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/detect"
)

func testGo(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
		write  func(name, content string)
	)

	it.Before(func() {
		app = t.TempDir()
		write = func(name, content string) {
			path := filepath.Join(app, name)
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte(content), 0755)).To(Succeed())
		}
	})

	goPlan := func(metadata map[string]interface{}, requires ...libcnb.BuildPlanRequire) []libcnb.BuildPlan {
		return []libcnb.BuildPlan{{
			Provides: []libcnb.BuildPlanProvide{{Name: "go"}},
			Requires: append([]libcnb.BuildPlanRequire{{Name: "go", Metadata: metadata}}, requires...),
		}}
	}

	it("passes for go.mod, providing and requiring go", func() {
		write("go.mod", "module example.com/app\n\ngo 1.24\n")
		result, err := detect.GoDetect(app, map[string]string{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(result).To(Equal(libcnb.DetectResult{Pass: true, Plans: goPlan(map[string]interface{}{})}))
	})

	it("passes for go.work alone", func() {
		write("go.work", "go 1.24\nuse ./svc\n")
		result, err := detect.GoDetect(app, map[string]string{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
	})

	it("passes for a go.mod the build will refuse, so the build can say why", func() {
		write("go.mod", "go 1.24\n")
		result, err := detect.GoDetect(app, map[string]string{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
	})

	it("fails without go.mod or go.work, even with Go files or a go.mod folder", func() {
		write("main.go", "package main\n")
		write("go.mod/readme", "")
		result, err := detect.GoDetect(app, map[string]string{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})

	it("lists the hook files, which the build keeps when it removes the source", func() {
		write("go.mod", "module m\n")
		write(".cnb/action_hooks/build", "#!/bin/sh\n")
		write(".cnb/action_hooks/deploy", "#!/bin/sh\n")
		result, err := detect.GoDetect(app, map[string]string{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Plans).To(Equal(goPlan(map[string]interface{}{
			"keep": []interface{}{".cnb/action_hooks/build", ".cnb/action_hooks/deploy"},
		})))

		write("hooks/build", "#!/bin/sh\n")
		result, err = detect.GoDetect(app, map[string]string{}, "hooks")
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Plans[0].Requires[0].Metadata).To(Equal(map[string]interface{}{"keep": []interface{}{"hooks/build"}}))
	})

	it("keeps the target of a hook that is a symlink too", func() {
		write("go.mod", "module m\n")
		write("scripts/build.sh", "#!/bin/sh\n")
		Expect(os.MkdirAll(filepath.Join(app, ".cnb/action_hooks"), 0755)).To(Succeed())
		Expect(os.Symlink("../../scripts/build.sh", filepath.Join(app, ".cnb/action_hooks/build"))).To(Succeed())
		result, err := detect.GoDetect(app, map[string]string{}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Plans[0].Requires[0].Metadata).To(Equal(map[string]interface{}{
			"keep": []interface{}{".cnb/action_hooks/build", "scripts/build.sh"},
		}))
	})

	it("requires git when private modules are fetched directly", func() {
		write("go.mod", "module m\n\ngo 1.24\n\nrequire corp.example/lib v1.0.0\n")
		result, err := detect.GoDetect(app, map[string]string{"GOPROXY": "https://proxy.example,direct", "GOPRIVATE": "corp.example"}, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Plans).To(Equal(goPlan(map[string]interface{}{}, libcnb.BuildPlanRequire{Name: "git"})))
	})
}
