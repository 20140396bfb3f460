// Package version is reached through a replace directive, not go.work.
package version

// Version is the release the worker reports.
const Version = "1.0"
