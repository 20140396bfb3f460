package workers

import (
	"fmt"
	"io"
)

// Variable is the setting gunicorn and uvicorn read their worker count from.
const Variable = "WEB_CONCURRENCY"

// Run is the exec.d program's job: it keeps a WEB_CONCURRENCY the user set,
// else chooses one, logs one line saying why on log, and writes it to
// exports (the launcher's exec.d TOML) for the app.
func Run(getenv func(string) string, root string, numCPU int, exports, log io.Writer) error {
	if value := getenv(Variable); value != "" {
		fmt.Fprintf(log, "onbuild: %s=%s, as set for the container\n", Variable, value)
		return nil
	}
	limits, err := Read(root, numCPU)
	if err != nil {
		// An unreadable cgroup must not stop the app: the CPU count alone
		// is a safe answer.
		fmt.Fprintf(log, "onbuild: %v; ignoring the cgroup limits\n", err)
		limits = Limits{CPUs: numCPU}
	}
	choice := Choose(limits)
	cgroup := ""
	if limits.Cgroup != "" {
		cgroup = " (cgroup " + limits.Cgroup + ")"
	}
	fmt.Fprintf(log, "onbuild: %s=%d: %s%s\n", Variable, choice.Workers, choice.Reason, cgroup)
	_, err = fmt.Fprintf(exports, "%s = \"%d\"\n", Variable, choice.Workers)
	return err
}
