package workers_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/internal/workers"
)

func TestWorkers(t *testing.T) {
	spec.Run(t, "Workers", testWorkers, spec.Report(report.Terminal{}))
}

func testWorkers(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		root   string
		write  = func(name, content string) {
			path := filepath.Join(root, "sys", "fs", "cgroup", filepath.FromSlash(name))
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte(content), 0644)).To(Succeed())
		}
	)

	it.Before(func() {
		root = t.TempDir()
	})

	context("Choose", func() {
		it("runs 2×CPUs+1 workers without a memory limit", func() {
			choice := workers.Choose(workers.Limits{CPUs: 2})
			Expect(choice.Workers).To(Equal(5))
			Expect(choice.Reason).To(Equal("2×2 CPUs + 1 = 5; no memory limit"))
		})

		it("runs one worker per 256 MiB when memory is the tighter limit", func() {
			choice := workers.Choose(workers.Limits{CPUs: 2, Memory: 512 << 20})
			Expect(choice.Workers).To(Equal(2))
			Expect(choice.Reason).To(Equal("2×2 CPUs + 1 = 5; memory limit 512 MiB / 256 MiB = 2"))
		})

		it("keeps the CPU count when memory allows more", func() {
			Expect(workers.Choose(workers.Limits{CPUs: 1, Memory: 4 << 30, CPUQuota: true}).Workers).To(Equal(3))
		})

		it("runs at least one worker", func() {
			choice := workers.Choose(workers.Limits{CPUs: 4, Memory: 100 << 20})
			Expect(choice.Workers).To(Equal(1))
			Expect(choice.Reason).To(HaveSuffix("= 0; at least 1"))
		})
	})

	context("Read on cgroup v2", func() {
		it.Before(func() {
			write("cgroup.controllers", "cpu memory pids\n")
		})

		it("reads the quota, rounded up, and the memory limit", func() {
			write("cpu.max", "150000 100000\n")
			write("memory.max", "536870912\n")

			limits, err := workers.Read(root, 8)
			Expect(err).NotTo(HaveOccurred())
			Expect(limits).To(Equal(workers.Limits{CPUs: 2, Memory: 512 << 20, CPUQuota: true, Cgroup: "v2"}))
		})

		it("takes max as no limit", func() {
			write("cpu.max", "max 100000\n")
			write("memory.max", "max\n")

			limits, err := workers.Read(root, 2)
			Expect(err).NotTo(HaveOccurred())
			Expect(limits).To(Equal(workers.Limits{CPUs: 2, Cgroup: "v2"}))
		})

		it("never counts more CPUs than the process may run on", func() {
			write("cpu.max", "800000 100000\n")

			limits, err := workers.Read(root, 2)
			Expect(err).NotTo(HaveOccurred())
			Expect(limits.CPUs).To(Equal(2))
			Expect(limits.CPUQuota).To(BeFalse())
		})

		it("names a file it cannot parse", func() {
			write("memory.max", "lots\n")

			_, err := workers.Read(root, 2)
			Expect(err).To(MatchError(`unexpected memory.max "lots"`))
		})
	})

	context("Read on cgroup v1", func() {
		it("reads the CFS quota and memory.limit_in_bytes", func() {
			write("cpu,cpuacct/cpu.cfs_quota_us", "50000\n")
			write("cpu,cpuacct/cpu.cfs_period_us", "100000\n")
			write("memory/memory.limit_in_bytes", "536870912\n")

			limits, err := workers.Read(root, 2)
			Expect(err).NotTo(HaveOccurred())
			Expect(limits).To(Equal(workers.Limits{CPUs: 1, Memory: 512 << 20, CPUQuota: true, Cgroup: "v1"}))
		})

		it("takes -1 and the kernel's huge default as no limit", func() {
			write("cpu/cpu.cfs_quota_us", "-1\n")
			write("cpu/cpu.cfs_period_us", "100000\n")
			write("memory/memory.limit_in_bytes", "9223372036854771712\n")

			limits, err := workers.Read(root, 2)
			Expect(err).NotTo(HaveOccurred())
			Expect(limits).To(Equal(workers.Limits{CPUs: 2, Cgroup: "v1"}))
		})
	})

	it("counts CPUs only when there is no cgroup file system", func() {
		limits, err := workers.Read(root, 3)
		Expect(err).NotTo(HaveOccurred())
		Expect(limits).To(Equal(workers.Limits{CPUs: 3}))
	})

	context("Run", func() {
		var exports, log *bytes.Buffer
		it.Before(func() {
			exports, log = &bytes.Buffer{}, &bytes.Buffer{}
		})

		it("exports the choice and logs why", func() {
			write("memory/memory.limit_in_bytes", "536870912\n")

			Expect(workers.Run(func(string) string { return "" }, root, 2, exports, log)).To(Succeed())
			Expect(exports.String()).To(Equal("WEB_CONCURRENCY = \"2\"\n"))
			Expect(log.String()).To(Equal("onbuild: WEB_CONCURRENCY=2: 2×2 CPUs + 1 = 5; memory limit 512 MiB / 256 MiB = 2 (cgroup v1)\n"))
		})

		it("keeps the user's value", func() {
			getenv := func(name string) string {
				if name == "WEB_CONCURRENCY" {
					return "7"
				}
				return ""
			}
			Expect(workers.Run(getenv, root, 2, exports, log)).To(Succeed())
			Expect(exports.String()).To(BeEmpty())
			Expect(log.String()).To(Equal("onbuild: WEB_CONCURRENCY=7, as set for the container\n"))
		})

		it("falls back to the CPU count when a cgroup file is unreadable", func() {
			write("memory/memory.limit_in_bytes", "garbage\n")

			Expect(workers.Run(func(string) string { return "" }, root, 1, exports, log)).To(Succeed())
			Expect(exports.String()).To(Equal("WEB_CONCURRENCY = \"3\"\n"))
			Expect(log.String()).To(ContainSubstring(`unexpected memory.limit_in_bytes "garbage"; ignoring the cgroup limits`))
		})
	})
}
