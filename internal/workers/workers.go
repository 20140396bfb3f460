// Package workers chooses WEB_CONCURRENCY, the number of web server worker
// processes, from the container's CPU quota and memory limit. It runs at
// every container start as an exec.d program, so it imports nothing but the
// standard library.
package workers

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WorkerMemory is the memory one worker is assumed to need: a Django or
// FastAPI worker uses 60 to 150 MiB, so 256 MiB leaves room for requests.
const WorkerMemory = 256 << 20

// Limits are what the container may use; zero means no limit was found.
type Limits struct {
	// CPUs is the CPU quota rounded up, else the CPUs the process may run on.
	CPUs int
	// Memory is the memory limit in bytes.
	Memory int64
	// CPUQuota says CPUs came from a cgroup quota, not from the CPU count.
	CPUQuota bool
	// Cgroup is "v1" or "v2", or "" when neither was found.
	Cgroup string
}

// Choice is a worker count and why.
type Choice struct {
	Workers int
	Reason  string
}

// Choose is the formula: 2×CPUs+1 (gunicorn's advice: one worker waits on
// I/O while another computes), no more than one per WorkerMemory of the
// memory limit, and at least 1.
func Choose(l Limits) Choice {
	cpus := max(l.CPUs, 1)
	byCPU := 2*cpus + 1
	source := "CPUs"
	if l.CPUQuota {
		source = "CPU quota"
	}
	reason := fmt.Sprintf("2×%d %s + 1 = %d", cpus, source, byCPU)
	workers := byCPU
	if l.Memory > 0 {
		byMemory := int(l.Memory / WorkerMemory)
		reason += fmt.Sprintf("; memory limit %d MiB / 256 MiB = %d", l.Memory>>20, byMemory)
		workers = min(workers, byMemory)
	} else {
		reason += "; no memory limit"
	}
	if workers < 1 {
		workers = 1
		reason += "; at least 1"
	}
	return Choice{Workers: workers, Reason: reason}
}

// unlimitedV1 is the smallest cgroup v1 memory.limit_in_bytes taken as "no
// limit": the kernel reports a page-rounded 2^63-1 when none is set.
const unlimitedV1 = int64(1) << 60

// Read finds the limits of the cgroup that root (/ in a container, a fake
// tree in tests) mounts at sys/fs/cgroup; numCPU is the CPUs the process
// may run on (runtime.NumCPU), which caps a larger quota.
func Read(root string, numCPU int) (Limits, error) {
	cgroup := filepath.Join(root, "sys", "fs", "cgroup")
	limits := Limits{CPUs: numCPU}
	if _, err := os.Stat(filepath.Join(cgroup, "cgroup.controllers")); err == nil {
		limits.Cgroup = "v2"
		return limits, readV2(cgroup, &limits)
	}
	if _, err := os.Stat(filepath.Join(cgroup, "memory")); err == nil {
		limits.Cgroup = "v1"
		return limits, readV1(cgroup, &limits)
	}
	return limits, nil
}

// readV2 reads cpu.max ("QUOTA PERIOD" or "max PERIOD") and memory.max
// (bytes or "max").
func readV2(cgroup string, l *Limits) error {
	if cpu, err := readTrimmed(filepath.Join(cgroup, "cpu.max")); err != nil {
		return err
	} else if fields := strings.Fields(cpu); len(fields) == 2 && fields[0] != "max" {
		quota, err1 := strconv.ParseInt(fields[0], 10, 64)
		period, err2 := strconv.ParseInt(fields[1], 10, 64)
		if err1 != nil || err2 != nil || period <= 0 {
			return fmt.Errorf("unexpected cpu.max %q", cpu)
		}
		l.applyQuota(quota, period)
	}
	memory, err := readTrimmed(filepath.Join(cgroup, "memory.max"))
	if err != nil || memory == "" || memory == "max" {
		return err
	}
	if l.Memory, err = strconv.ParseInt(memory, 10, 64); err != nil {
		return fmt.Errorf("unexpected memory.max %q", memory)
	}
	return nil
}

// readV1 reads cpu.cfs_quota_us (-1 for none) and cpu.cfs_period_us from
// the cpu controller (mounted as cpu or cpu,cpuacct) and
// memory.limit_in_bytes.
func readV1(cgroup string, l *Limits) error {
	for _, dir := range []string{"cpu", "cpu,cpuacct", "cpuacct,cpu"} {
		quotaText, err := readTrimmed(filepath.Join(cgroup, dir, "cpu.cfs_quota_us"))
		if err != nil {
			return err
		}
		if quotaText == "" {
			continue
		}
		periodText, err := readTrimmed(filepath.Join(cgroup, dir, "cpu.cfs_period_us"))
		if err != nil {
			return err
		}
		quota, err1 := strconv.ParseInt(quotaText, 10, 64)
		period, err2 := strconv.ParseInt(periodText, 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("unexpected cpu.cfs_quota_us %q or cpu.cfs_period_us %q", quotaText, periodText)
		}
		if quota > 0 && period > 0 {
			l.applyQuota(quota, period)
		}
		break
	}
	memory, err := readTrimmed(filepath.Join(cgroup, "memory", "memory.limit_in_bytes"))
	if err != nil || memory == "" {
		return err
	}
	limit, err := strconv.ParseInt(memory, 10, 64)
	if err != nil {
		return fmt.Errorf("unexpected memory.limit_in_bytes %q", memory)
	}
	if limit < unlimitedV1 {
		l.Memory = limit
	}
	return nil
}

// applyQuota rounds a fractional quota up: 0.5 CPU still runs one worker
// well, and 1.5 CPUs can keep two busy.
func (l *Limits) applyQuota(quota, period int64) {
	cpus := int(math.Ceil(float64(quota) / float64(period)))
	if l.CPUs == 0 || cpus < l.CPUs {
		l.CPUs = cpus
		l.CPUQuota = true
	}
}

// readTrimmed returns "" for a file that does not exist: a controller the
// kernel or the engine does not offer means no limit.
func readTrimmed(path string) (string, error) {
	content, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("unable to read %s\n%w", path, err)
	}
	return strings.TrimSpace(string(content)), nil
}
