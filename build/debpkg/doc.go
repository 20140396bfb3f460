// Package debpkg is onbuild/debian-packages' build: Debian packages from
// the stack's own suites, verified as apt verifies them and extracted
// without dpkg, into a build layer (everything asked for) and a launch
// layer (what the app runs with).
package debpkg
