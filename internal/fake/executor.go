// Package fake holds test doubles shared by the build packages' unit
// tests, so that each test drives a buildpack without running pip or go.
package fake

import "github.com/paketo-buildpacks/libpak/v2/effect"

// Executor records every execution and answers with Run when set.
type Executor struct {
	Executions []effect.Execution
	Run        func(effect.Execution) error
}

func (f *Executor) Execute(e effect.Execution) error {
	f.Executions = append(f.Executions, e)
	if f.Run != nil {
		return f.Run(e)
	}
	return nil
}
