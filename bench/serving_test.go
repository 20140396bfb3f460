package main

import (
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("bench", spec.Report(report.Terminal{}))
	suite("Serving", testServing)
	suite("Docker", testDocker)
	suite.Run(t)
}

// wrkOutput is wrk 4.1's report of a run with --latency.
const wrkOutput = `Running 2s test @ http://127.0.0.1:8080/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.34ms   30.41ms 212.54ms   92.25%
    Req/Sec     3.36k     2.05k   10.63k    72.97%
  Latency Distribution
     50%    1.07ms
     75%    4.32ms
     90%   30.11ms
     99%  165.24ms
  13286 requests in 2.06s, 1.52MB read
Requests/sec:   6441.67
Transfer/sec:    754.88KB
`

func testServing(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	context("parseWrk", func() {
		it("reads the requests per second and the p99 latency", func() {
			result, err := parseWrk(wrkOutput)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.rps).To(BeNumerically("~", 6441.67, 0.001))
			Expect(result.p99).To(Equal(165240 * time.Microsecond))
		})

		it("reads a p99 in microseconds or seconds", func() {
			result, err := parseWrk(strings.Replace(wrkOutput, "165.24ms", "812.00us", 1))
			Expect(err).NotTo(HaveOccurred())
			Expect(result.p99).To(Equal(812 * time.Microsecond))
			result, err = parseWrk(strings.Replace(wrkOutput, "165.24ms", "1.20s", 1))
			Expect(err).NotTo(HaveOccurred())
			Expect(result.p99).To(Equal(1200 * time.Millisecond))
		})

		it("fails a load that got errors rather than report their rate", func() {
			_, err := parseWrk(strings.Replace(wrkOutput, "Requests/sec", "  Non-2xx or 3xx responses: 12\nRequests/sec", 1))
			Expect(err).To(MatchError(ContainSubstring("12 responses other than 2xx or 3xx")))
			_, err = parseWrk(strings.Replace(wrkOutput, "Requests/sec", "  Socket errors: connect 3, read 0, write 0, timeout 0\nRequests/sec", 1))
			Expect(err).To(MatchError(ContainSubstring("3 failed connections")))
		})

		it("accepts read errors of a server that closes each connection", func() {
			_, err := parseWrk(strings.Replace(wrkOutput, "Requests/sec", "  Socket errors: connect 0, read 7, write 0, timeout 0\nRequests/sec", 1))
			Expect(err).NotTo(HaveOccurred())
		})

		it("fails an output without the numbers", func() {
			_, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n")
			Expect(err).To(MatchError(ContainSubstring("no requests/s or p99 latency")))
		})
	})

	context("parseMemUsage", func() {
		it("reads docker stats' binary and decimal units", func() {
			for usage, bytes := range map[string]int64{
				"31.47MiB / 512MiB": 32998686, "1.5GiB / 2GiB": 1610612736, "812KiB / 512MiB": 831488, "12MB / 1GB": 12000000,
			} {
				got, err := parseMemUsage(usage)
				Expect(err).NotTo(HaveOccurred(), usage)
				Expect(got).To(Equal(bytes), usage)
			}
		})

		it("fails what it cannot read", func() {
			_, err := parseMemUsage("-- / --")
			Expect(err).To(MatchError(ContainSubstring(`unexpected docker stats memory "-- / --"`)))
		})
	})

	context("the table", func() {
		it("prints serving values with their format, range and ratio, and the goals in the notes", func() {
			report := &table{}
			report.add("Flask: cold build", "onbuild", time.Second)
			report.add("Flask: cold build", "ONBUILD Dockerfile", time.Second)
			report.add("Flask: cold build", "multi-stage Dockerfile", time.Second)
			onbuild := servedImage{app: "Flask", variant: "onbuild"}
			dockerfile := servedImage{app: "Flask", variant: "multi-stage Dockerfile"}
			for _, d := range []float64{1.30, 1.10, 1.20} {
				report.addServing(onbuild, "docker run to first HTTP 200", d, "%.2f s")
			}
			report.addServing(dockerfile, "docker run to first HTTP 200", 1.00, "%.2f s")
			report.addServing(onbuild, "requests/s", 900, "%.0f")
			report.addServing(dockerfile, "requests/s", 1000, "%.0f")
			report.addServing(servedImage{app: "Flask", variant: "onbuild, WEB_CONCURRENCY=1", env: "WEB_CONCURRENCY=1"},
				"requests/s", 1010, "%.0f")
			report.servingNotes(servingPlan{rounds: 3, starts: 3, warmUp: 2 * time.Second, load: 10 * time.Second})
			out := report.markdown("today")

			Expect(out).To(ContainSubstring("| Flask: serving, docker run to first HTTP 200 | 1.20 s (1.10–1.30) | – | 1.00 s | – | 1.20× |"))
			Expect(out).To(ContainSubstring("| Flask: serving, requests/s | 900 | – | 1000 | – | 0.90× |"))
			Expect(out).To(ContainSubstring("serving, Flask: onbuild's first response 1.20× the multi-stage Dockerfile's (goal ≤ 1.1×: missed); its requests/s 0.90× (goal ≥ 1×: missed)"))
			Expect(out).To(ContainSubstring("diagnostic, Flask: serving, requests/s (onbuild, WEB_CONCURRENCY=1): 1010"))
			Expect(out).To(ContainSubstring("median of 9 starts"))
			Expect(out).NotTo(ContainSubstring("| Flask: serving, requests/s (onbuild"), "the diagnostic run is no column")
		})
	})
}
