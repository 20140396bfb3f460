// Package python is onbuild/python's build: the Python the app declares
// (the stack's or a downloaded one), a cached virtualenv layer with the
// app's dependencies (its key in venv.go) and a pip wheel cache; then the
// start step of package start. build.go runs the steps in order;
// settings.go reads every setting; layers.go declares the layers.
package python
