package invoke

import (
	"fmt"
	"time"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// ParseTimeout reads a Go duration (90s, 10m, 1h30m); 0 or nothing means
// no limit.
func ParseTimeout(name, value string) (time.Duration, error) {
	if value == "" || value == "0" {
		return 0, nil
	}
	timeout, err := time.ParseDuration(value)
	if err != nil || timeout < 0 {
		return 0, problem.Problem{
			Title: "Invalid " + name,
			Cause: fmt.Sprintf("%s=%q is not a duration.", name, value),
			Fixes: []string{fmt.Sprintf("Write it like 90s, 10m or 1h (0 means no limit): pack build --env %s=10m", name)},
		}
	}
	return timeout, nil
}
