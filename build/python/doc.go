// Package python is onbuild/python's build: a cached virtualenv layer with
// the app's dependencies (its key in venv.go), a pip wheel cache, the
// Python the app declares checked against the stack's, and the start
// command. build.go runs the steps in order; settings.go reads every
// setting; layers.go declares the layers.
package python
