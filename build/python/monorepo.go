package python

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/detect/requirements"
	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// Monorepo is where the app sits in the upload, and what of the rest the
// image keeps.
type Monorepo struct {
	App appdir.App
	// Keep are BP_APP_KEEP's folders, relative to the upload.
	Keep []string
}

// ReadMonorepo resolves BP_APP_DIR and BP_APP_KEEP, and stops with what
// detection found wrong with the app folder.
func ReadMonorepo(ctx libcnb.BuildContext, r settings.Reader) (Monorepo, error) {
	for _, entry := range ctx.Plan.Entries {
		if reason, ok := entry.Metadata[detect.AppKey].(string); ok && reason != "" {
			return Monorepo{}, explained(reason)
		}
	}
	app, err := appdir.Resolve(ctx.ApplicationPath, r.String(appdir.Setting))
	if err != nil {
		return Monorepo{}, err
	}
	keep, err := appdir.KeepPaths(r.String(appdir.KeepSetting))
	return Monorepo{App: app, Keep: keep}, err
}

// explained is a Problem detection already rendered.
type explained string

func (e explained) Error() string { return string(e) }

// Sibling is a path dependency outside the app folder but inside the
// upload.
type Sibling struct {
	// Rel is its path relative to the upload ("libs/common").
	Rel string
	// Editable: installed editable, because the app asks for it and the
	// folder is kept in the image (BP_APP_KEEP).
	Editable bool
}

// sibling classifies a local path a requirement or lock names, relative
// to the app folder: "" for a path inside the app (installed as today),
// else the sibling it is; a path outside the upload is a Problem naming
// the file and the pack build --path that would include it.
func (m Monorepo) sibling(file, written, target string) (string, error) {
	abs := target
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(m.App.Dir, filepath.FromSlash(target))
	}
	if _, err := appdir.Inside(m.App.Dir, abs); err == nil {
		return "", nil
	}
	rel, err := appdir.Inside(m.App.Root, abs)
	if err != nil {
		return "", outsideUpload(file, written, m.App)
	}
	return rel, nil
}

func outsideUpload(file, written string, app appdir.App) problem.Problem {
	fixes := []string{"Upload the repository root and name the app's folder: pack build --path <repository root> --env " + appdir.Setting + "=<app folder>."}
	if app.InRepo() {
		fixes = []string{fmt.Sprintf("Upload a folder that holds both the app and %s: pack build --path <that folder> --env %s=<app folder relative to it>.", written, appdir.Setting)}
	}
	fixes = append(fixes, "Or publish the package to your index and depend on a version of it.")
	return problem.Problem{
		Title: "Path dependency outside the upload",
		File:  file,
		Cause: fmt.Sprintf("%s installs %s, which is outside the source pack build uploaded: the build only has the upload.", file, written),
		Fixes: fixes,
	}
}

// requirementPath is one local path a requirements line installs.
type requirementPath struct {
	file     string // the requirements file, relative to the app
	written  string // the path or URL as written
	target   string // the path, relative to the app (pip's working dir) or absolute
	editable bool
}

// localRequirement reads the local path of a requirements line: -e PATH,
// a bare path (./x, ../x, a/b), a file: URL, or "name @ file:...".
func localRequirement(line string) (requirementPath, bool) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return requirementPath{}, false
	}
	var rp requirementPath
	token := fields[0]
	switch {
	case token == "-e" || token == "--editable":
		if len(fields) < 2 {
			return rp, false
		}
		rp.editable, token = true, fields[1]
	case strings.HasPrefix(token, "--editable="):
		rp.editable, token = true, strings.TrimPrefix(token, "--editable=")
	case strings.HasPrefix(token, "-"):
		return rp, false
	case len(fields) >= 3 && fields[1] == "@":
		token = fields[2]
	default:
		if _, after, ok := strings.Cut(token, "@"); ok && strings.HasPrefix(after, "file:") {
			token = after
		}
	}
	rp.written = token
	token, _, _ = strings.Cut(token, "#")
	token = strings.TrimSuffix(token, ";")
	if strings.HasPrefix(token, "file:") {
		u, err := url.Parse(token)
		if err != nil {
			return rp, false
		}
		rp.target = u.Path
		if u.Opaque != "" {
			rp.target = u.Opaque
		}
		return rp, rp.target != ""
	}
	if strings.Contains(token, "://") || strings.HasPrefix(token, "git+") || strings.HasPrefix(token, "hg+") {
		return rp, false
	}
	if i := strings.Index(token, "["); i > 0 {
		token = token[:i]
	}
	if token == "." || token == ".." || strings.ContainsRune(token, '/') {
		rp.target = token
		return rp, true
	}
	return rp, false
}

// SiblingRequirements finds the path dependencies of the requirements
// files (lines, as RequirementsFiles returns them) that lie outside the
// app folder: their content goes into the venv key, and pip installs them
// non-editable unless their folder is kept. rewrite maps each requirements
// file that needs changing to the content pip reads instead.
func (m Monorepo) SiblingRequirements(lines map[string][]string) (siblings []Sibling, digests map[string]string, rewrite map[string]string, err error) {
	digests = map[string]string{}
	var paths []requirementPath
	for _, file := range sortedLineFiles(lines) {
		for _, line := range lines[file] {
			if rp, ok := localRequirement(line); ok {
				rp.file = file
				paths = append(paths, rp)
			}
		}
	}
	plain := map[string]string{} // written -> the absolute path pip installs
	for _, rp := range paths {
		rel, err := m.sibling(rp.file, rp.written, rp.target)
		if err != nil {
			return nil, nil, nil, err
		}
		if rel == "" {
			continue
		}
		sum, err := treeDigest(filepath.Join(m.App.Root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("unable to read %s, a path dependency in %s\n%w", rel, rp.file, err)
		}
		digests[rel] = sum
		editable := rp.editable && appdir.Within(m.Keep, rel)
		siblings = append(siblings, Sibling{Rel: rel, Editable: editable})
		if rp.editable && !editable {
			plain[rp.written] = filepath.Join(m.App.Root, filepath.FromSlash(rel))
		}
	}
	if len(plain) == 0 {
		return siblings, digests, nil, nil
	}
	rewrite = map[string]string{}
	err = requirements.Walk(m.App.Dir, "requirements.txt", func(rel string, content []byte) error {
		rewrite[rel] = nonEditable(string(content), plain)
		return nil
	})
	return siblings, digests, rewrite, err
}

// nonEditable turns "-e <path>" lines whose path is in plain into the
// plain absolute path: pip copies the package into the venv, and the
// image needs no source of it.
func nonEditable(content string, plain map[string]string) string {
	lines := strings.Split(content, "\n")
	for i, line := range lines {
		rp, ok := localRequirement(strings.TrimSpace(line))
		if !ok || !rp.editable {
			continue
		}
		if abs, ok := plain[rp.written]; ok {
			lines[i] = abs
		}
	}
	return strings.Join(lines, "\n")
}

// writeRewritten puts the rewritten requirements files and the others
// they include in dir, in their places relative to the app, and returns
// the arguments with requirements.txt pointing there.
func writeRewritten(dir string, rewrite map[string]string, args []string) ([]string, error) {
	for rel, content := range rewrite {
		file := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(file), 0700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(file, []byte(content), 0600); err != nil {
			return nil, err
		}
	}
	out := append([]string{}, args...)
	for i := range out {
		if i > 0 && out[i-1] == "--requirement" {
			if _, ok := rewrite[filepath.Clean(out[i])]; ok {
				out[i] = filepath.Join(dir, out[i])
			}
		}
	}
	return out, nil
}

// finishMonorepo makes the app folder the processes' working directory
// and removes the rest of the upload from the image, but for BP_APP_KEEP.
func (b Builder) finishMonorepo(m Monorepo, processes []libcnb.Process) ([]libcnb.Process, error) {
	if !m.App.InRepo() {
		return processes, nil
	}
	for i := range processes {
		processes[i].WorkingDirectory = m.App.Dir
	}
	removed, err := appdir.RemoveSiblings(m.App, m.Keep)
	if err != nil {
		return nil, err
	}
	kept := "nothing else"
	if len(m.Keep) > 0 {
		kept = strings.Join(m.Keep, ", ") + " (" + appdir.KeepSetting + ")"
	}
	b.Logger.Headerf("The image holds the app %s and %s: removed %d other entries of the repository", m.App.Rel, kept, len(removed))
	return processes, nil
}

// Key adds the monorepo's part to the venv key: the app's folder, and the
// content of the sibling folders the requirements install; it returns the
// requirements files pip reads rewritten, if any. A lock's siblings are
// in its own key lines (LockInstall.Paths).
func (m Monorepo) Key(key *VenvKey) (map[string]string, error) {
	if m.App.InRepo() {
		key.App = m.App.Rel
	}
	siblings, digests, rewrite, err := m.SiblingRequirements(key.Lines)
	if err != nil || len(siblings) == 0 {
		return nil, err
	}
	key.Paths = digests
	return rewrite, nil
}
