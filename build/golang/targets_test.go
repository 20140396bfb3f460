package golang_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testTargets(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
	)

	it.Before(func() {
		app = t.TempDir()
	})

	it("builds the main package at the root, named like go build names it", func() {
		fake.WriteFiles(t, app, map[string]string{"main.go": "package main\nfunc main() {}\n", "cmd/tool/main.go": "package main\nfunc main() {}\n"})
		Expect(golang.Targets(app, "", "example.com/shop/v2", false)).To(Equal([]golang.Target{{Package: ".", Binary: "shop"}}))
	})

	it("else builds every main package under cmd/, in path order, skipping testdata and _ folders", func() {
		fake.WriteFiles(t, app, map[string]string{
			"lib.go":                 "package shop\n",
			"gen.go":                 "//go:build ignore\n\npackage main\nfunc main() {}\n",
			"cmd/worker/main.go":     "package main\nfunc main() {}\n",
			"cmd/api/main.go":        "package main\nfunc main() {}\n",
			"cmd/api/main_test.go":   "package main_test\n",
			"cmd/internal/x/x.go":    "package x\n",
			"cmd/tools/seed/main.go": "package main\nfunc main() {}\n",
			"cmd/testdata/t/main.go": "package main\nfunc main() {}\n",
			"cmd/_old/main.go":       "package main\nfunc main() {}\n",
			"cmd/windows/main.go":    "//go:build windows\n\npackage main\nfunc main() {}\n",
		})
		Expect(golang.Targets(app, "", "example.com/shop", false)).To(Equal([]golang.Target{
			{Package: "./cmd/api", Binary: "api"},
			{Package: "./cmd/tools/seed", Binary: "seed"},
			{Package: "./cmd/worker", Binary: "worker"},
		}))
	})

	it("honours cgo build constraints", func() {
		fake.WriteFiles(t, app, map[string]string{"main.go": "//go:build cgo\n\npackage main\nfunc main() {}\n"})
		Expect(golang.Targets(app, "", "m", true)).To(HaveLen(1))
		_, err := golang.Targets(app, "", "m", false)
		Expect(err).To(MatchError(ContainSubstring("[Error: No main package]")))
	})

	it("takes BP_GO_TARGETS in its order, with or without ./", func() {
		fake.WriteFiles(t, app, map[string]string{"cmd/api/main.go": "package main\n", "cmd/worker/main.go": "package main\n"})
		Expect(golang.Targets(app, "cmd/worker: ./cmd/api/", "m", false)).To(Equal([]golang.Target{
			{Package: "./cmd/worker", Binary: "worker"},
			{Package: "./cmd/api", Binary: "api"},
		}))
	})

	it("names a BP_GO_TARGETS entry that is not a folder of the app", func() {
		fake.WriteFiles(t, app, map[string]string{"cmd/api/main.go": "package main\n"})
		_, err := golang.Targets(app, "./cmd/api:./cmd/wrker", "m", false)
		Expect(err).To(MatchError(ContainSubstring(`BP_GO_TARGETS entry "./cmd/wrker" is not a folder of the app`)))
		_, err = golang.Targets(app, "../elsewhere", "m", false)
		Expect(err).To(MatchError(ContainSubstring("is not inside the app")))
		_, err = golang.Targets(app, ":", "m", false)
		Expect(err).To(MatchError(ContainSubstring("names no package")))
	})

	it("refuses two targets that make the same binary", func() {
		fake.WriteFiles(t, app, map[string]string{"a/server/main.go": "package main\n", "b/server/main.go": "package main\n"})
		_, err := golang.Targets(app, "./a/server:./b/server", "m", false)
		Expect(err).To(MatchError(ContainSubstring("./a/server and ./b/server would both be built as server")))
	})

	it("explains a folder that mixes packages", func() {
		fake.WriteFiles(t, app, map[string]string{"main.go": "package main\n", "lib.go": "package lib\n"})
		_, err := golang.Targets(app, "", "m", false)
		Expect(err).To(MatchError(ContainSubstring("[Error: Two packages in one folder]")))
	})

	it("explains an app without a main package", func() {
		fake.WriteFiles(t, app, map[string]string{"lib.go": "package lib\n"})
		_, err := golang.Targets(app, "", "m", false)
		Expect(err).To(MatchError(ContainSubstring("BP_GO_TARGETS=./path/to/main")))
	})
}
