package debian

import (
	"fmt"
	"sort"
	"strings"

	"pault.ag/go/debian/dependency"
)

// NotFoundError is a requested name no suite has.
type NotFoundError struct {
	Name    string
	Nearest []string
}

func (e NotFoundError) Error() string {
	return fmt.Sprintf("no package %s in the stack's suites", e.Name)
}

// StackConflictError is a package whose installation would replace one
// the stack image carries: a name the image has, asked for directly, or a
// dependency on a version of it the image does not have.
type StackConflictError struct {
	// Package is the stack's package; Installed its version there.
	Package   string
	Installed string
	// Needed is the relation that asked for another version, and By the
	// package that has it ("" when the package was asked for directly).
	Needed string
	By     string
}

func (e StackConflictError) Error() string {
	if e.By == "" {
		return fmt.Sprintf("%s is part of the stack (version %s)", e.Package, e.Installed)
	}
	return fmt.Sprintf("%s needs %s, but the stack has %s %s", e.By, e.Needed, e.Package, e.Installed)
}

// UnsatisfiableError is a dependency nothing in the suites meets.
type UnsatisfiableError struct {
	Relation string
	By       string
}

func (e UnsatisfiableError) Error() string {
	return fmt.Sprintf("%s needs %s, which no package of the stack's suites provides", e.By, e.Relation)
}

// Resolver computes what to install on top of an image.
type Resolver struct {
	// Archive is what can be installed; Installed what the image has.
	Archive   *Index
	Installed *Index
	// Leave, when set, drops a package from the result and does not follow
	// its dependencies (the launch layer leaves -dev packages out).
	Leave func(*Package) bool
	// RefuseInstalled makes a root the image already has an error (the run
	// image: a second copy would shadow the stack's own); otherwise such a
	// root is skipped (the build image has gcc, say, and the run image not).
	RefuseInstalled bool
}

// Resolve returns the closure of roots over Pre-Depends and Depends, less
// what the image already satisfies, sorted by name. Recommends are not
// followed, as apt-get --no-install-recommends.
func (r Resolver) Resolve(roots []string) ([]*Package, error) {
	selected := map[string]*Package{}
	var queue []*Package
	for _, name := range roots {
		if installed := r.Installed.Newest(name); installed != nil {
			if r.RefuseInstalled {
				return nil, StackConflictError{Package: name, Installed: installed.Version.String()}
			}
			continue
		}
		pkg := r.Archive.Candidate(dependency.Possibility{Name: name})
		if pkg == nil {
			return nil, NotFoundError{Name: name, Nearest: r.Archive.Nearest(name, 5)}
		}
		if r.Leave != nil && r.Leave(pkg) {
			continue
		}
		if _, ok := selected[pkg.Name]; !ok {
			selected[pkg.Name] = pkg
			queue = append(queue, pkg)
		}
	}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		for _, field := range []string{"Pre-Depends", "Depends"} {
			relations, err := pkg.Relations(field)
			if err != nil {
				return nil, err
			}
			for _, rel := range relations.Relations {
				next, err := r.pick(rel, pkg, selected)
				if err != nil {
					return nil, err
				}
				if next == nil {
					continue
				}
				if r.Leave != nil && r.Leave(next) {
					continue
				}
				selected[next.Name] = next
				queue = append(queue, next)
			}
		}
	}
	result := make([]*Package, 0, len(selected))
	for _, pkg := range selected {
		result = append(result, pkg)
	}
	sort.Slice(result, func(i, j int) bool { return result[i].Name < result[j].Name })
	return result, nil
}

// pick returns the package to add for one relation (alternatives joined
// by |), or nil when the image or the selection already meets it.
func (r Resolver) pick(rel dependency.Relation, by *Package, selected map[string]*Package) (*Package, error) {
	for _, poss := range rel.Possibilities {
		if r.Installed.Satisfies(poss) || satisfiedBySelection(poss, selected) {
			return nil, nil
		}
	}
	var conflict error
	for _, poss := range rel.Possibilities {
		if installed := r.Installed.Newest(poss.Name); installed != nil {
			// The image has the name in another version: taking it from
			// the archive would replace the stack's own.
			conflict = StackConflictError{Package: poss.Name, Installed: installed.Version.String(), Needed: poss.String(), By: by.Name}
			continue
		}
		if candidate := r.Archive.Candidate(poss); candidate != nil {
			if installed := r.Installed.Newest(candidate.Name); installed != nil {
				conflict = StackConflictError{Package: candidate.Name, Installed: installed.Version.String(), Needed: poss.String(), By: by.Name}
				continue
			}
			return candidate, nil
		}
	}
	if conflict != nil {
		return nil, conflict
	}
	return nil, UnsatisfiableError{Relation: rel.String(), By: by.Name}
}

func satisfiedBySelection(poss dependency.Possibility, selected map[string]*Package) bool {
	if pkg, ok := selected[poss.Name]; ok && (poss.Version == nil || poss.Version.SatisfiedBy(pkg.Version)) {
		return true
	}
	if poss.Version != nil {
		return false
	}
	for _, pkg := range selected {
		provides, err := pkg.Relations("Provides")
		if err != nil {
			continue
		}
		for _, rel := range provides.Relations {
			for _, p := range rel.Possibilities {
				if p.Name == poss.Name {
					return true
				}
			}
		}
	}
	return false
}

// RuntimeRoots are the packages the app needs at run time out of what was
// asked for: each package that is not a development one, and for each
// development one (libpq-dev) the libraries it depends on directly
// (libpq5), since those are what the headers' programs link, unless the
// run image has them.
func RuntimeRoots(archive, run *Index, requested []string) []string {
	seen := map[string]bool{}
	var roots []string
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			roots = append(roots, name)
		}
	}
	for _, name := range requested {
		pkg := archive.Candidate(dependency.Possibility{Name: name})
		if pkg == nil {
			add(name)
			continue
		}
		if !pkg.IsDevelopment() {
			add(pkg.Name)
			continue
		}
		depends, err := pkg.Relations("Depends")
		if err != nil {
			continue
		}
		for _, rel := range depends.Relations {
			if len(rel.Possibilities) == 0 {
				continue
			}
			dep := archive.Candidate(rel.Possibilities[0])
			if dep != nil && !dep.IsDevelopment() && strings.HasPrefix(dep.Name, "lib") && !run.Has(dep.Name) {
				add(dep.Name)
			}
		}
	}
	return roots
}
