package pyversion

import (
	"fmt"
	"sort"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Stack is the Python the builder has, and what its other flavours have.
type Stack struct {
	// Version is the stack's python3, such as 3.13.5.
	Version string
	// Flavour is the stack's flavour, such as trixie.
	Flavour string
	// Flavours maps every flavour onbuild builds to its Python minor, such
	// as {"trixie": "3.13", "bookworm": "3.11"}.
	Flavours map[string]string
}

// Result is a declaration the stack satisfies.
type Result struct {
	// Message is the one log line saying which Python is used and why.
	Message string
	// Note is set when a patch release other than the stack's was named.
	Note string
}

// Check compares decl with the stack's Python. A declaration the stack
// cannot satisfy is a problem.Problem; an unreadable stack version is a
// plain error, since it is onbuild's fault and not the app's.
func Check(decl Declaration, stack Stack) (Result, error) {
	have, err := ParseVersion(stack.Version)
	if err != nil {
		return Result{}, fmt.Errorf("unable to read the stack's Python version\n%w", err)
	}
	result := Result{Message: fmt.Sprintf("%s asks for %s; using Python %s from %s", decl.Source(), decl.Asks(), stack.Version, stack.name())}
	if decl.Specifiers.Contains(have) {
		return result, nil
	}
	if decl.Version != nil && len(decl.Version) > 2 && decl.Version.Minor() == have.Minor() {
		result.Note = fmt.Sprintf("%s names Python %s and the stack has %s: patch releases come with the stack, not the app. "+
			"A newer stack reaches built apps with pack rebase; write %s to say any %s.x is fine.",
			decl.Where(), decl.Version, stack.Version, have.Minor(), have.Minor())
		return result, nil
	}
	return Result{}, mismatch(decl, stack, have)
}

// UndeclaredMessage is the log line for an app that declares no Python.
func UndeclaredMessage(stack Stack) string {
	return fmt.Sprintf("No Python version declared (BP_PYTHON_VERSION, .python-version, runtime.txt, requires-python, Pipfile, uv.lock); using Python %s from %s", stack.Version, stack.name())
}

func (s Stack) name() string {
	if s.Flavour == "" {
		return "the stack"
	}
	return "the " + s.Flavour + " stack"
}

func mismatch(decl Declaration, stack Stack, have Version) problem.Problem {
	title := fmt.Sprintf("Python %s is not on this builder", decl.Asks())
	if decl.Version == nil {
		asks := decl.Asks()
		if decl.Key != "" {
			asks = decl.Key + " " + asks
		}
		title = fmt.Sprintf("This builder's Python %s is outside %s", stack.Version, asks)
	}
	var fixes []string
	for _, flavour := range flavoursAllowing(decl, stack) {
		fixes = append(fixes, fmt.Sprintf("Build with the %s flavour (onbuild/builder:%s), which has Python %s: pack build --builder onbuild/builder:%s",
			flavour, flavour, stack.Flavours[flavour], flavour))
	}
	fixes = append(fixes, changeDeclaration(decl, have))
	return problem.Problem{
		Title: title,
		File:  fileOf(decl),
		Cause: fmt.Sprintf("%s asks for Python %s, but this builder has Python %s (%s). onbuild uses the stack's Debian Python and does not download another one.",
			decl.Where(), decl.Asks(), stack.Version, stack.name()),
		Fixes: fixes,
	}
}

// flavoursAllowing lists, by name, the other flavours whose Python minor
// the declaration accepts.
func flavoursAllowing(decl Declaration, stack Stack) []string {
	var names []string
	for flavour, minor := range stack.Flavours {
		v, err := ParseVersion(minor)
		if flavour == stack.Flavour || err != nil {
			continue
		}
		if decl.Specifiers.AllowsMinor(v) {
			names = append(names, flavour)
		}
	}
	sort.Strings(names)
	return names
}

// changeDeclaration is the fix that moves the declaration to version have.
func changeDeclaration(decl Declaration, have Version) string {
	minor := have.Minor()
	switch decl.File {
	case Override:
		return fmt.Sprintf("Set BP_PYTHON_VERSION=%s, or unset it, if the app runs on Python %s.", minor, minor)
	case ".python-version":
		return fmt.Sprintf("Change %s to %s, if the app runs on Python %s.", decl.Where(), minor, minor)
	case "runtime.txt":
		return fmt.Sprintf("Change %s to python-%s, if the app runs on Python %s.", decl.Where(), minor, minor)
	case "Pipfile":
		return fmt.Sprintf(`Change %s to "%s" and run pipenv lock, if the app runs on Python %s.`, decl.Where(), minor, minor)
	case "uv.lock":
		return fmt.Sprintf(`Change requires-python in pyproject.toml to allow %s (for example "%s") and run uv lock, if the app runs on Python %s: uv.lock repeats it.`,
			minor, widened(decl.Specifiers, have), minor)
	}
	return fmt.Sprintf(`Change %s to allow %s (for example "%s"), if the app runs on Python %s.`, decl.Where(), minor, widened(decl.Specifiers, have), minor)
}

// widened suggests a requires-python that keeps the clauses the stack's
// Python already meets (>=3.9 of >=3.9,<3.13) and drops the others.
func widened(set Specifiers, have Version) string {
	kept := Specifiers{{Operator: ">=", Version: Version{have.at(0), have.at(1)}}}
	for _, s := range set {
		if s.Contains(have) {
			if s.Operator == ">=" || s.Operator == ">" || s.Operator == "~=" {
				kept[0] = s
			} else {
				kept = append(kept, s)
			}
		}
	}
	return kept.String()
}

func fileOf(decl Declaration) string {
	if decl.File == Override {
		return ""
	}
	return decl.File
}
